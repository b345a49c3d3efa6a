// TensorProto <-> Tensor: every ONNX tensor encoding (raw_data, the typed *_data fields, external files).
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { allocData, floatToHalf, halfToFloat, sizeOf, type DType, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import { codeOfDtype, rawItemSize, requireDtype } from "./dtype.ts";
import { EXTERNAL, has, int, type PTensor } from "./proto.ts";

/** Where a model's external tensor data lives: the model's folder, and a cache of files already read. */
export interface ExternalSource {
  baseDir: string;
  cache: Map<string, Uint8Array>;
}

/** A new external-data source for a model stored in baseDir. */
export function externalSource(baseDir: string): ExternalSource {
  return { baseDir, cache: new Map() };
}

const utf8 = new TextDecoder("utf-8");
const utf8enc = new TextEncoder();

// Typed arrays below are read in host byte order, and ONNX raw_data is little-endian.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error("pseudonet needs a little-endian host");

/** Convert a decoded TensorProto to a Tensor; `what` names it in errors (e.g. "initializer 'w'"). */
export function decodeTensor(p: PTensor, what: string, ext?: ExternalSource): Tensor {
  const dtype = requireDtype(p.data_type, what);
  if (p.segment) throw new UserError(`${what} is stored in segments, which pseudonet does not support; re-save the model with onnx.save`);
  const shape = p.dims.map(int);
  if (shape.some((d) => d < 0 || !Number.isInteger(d))) {
    throw new UserError(`${what} has invalid dims [${shape.join(", ")}]; the file is corrupt`);
  }
  const n = sizeOf(shape);
  if (p.data_location === EXTERNAL || p.external_data.length > 0) {
    return { dtype, shape, data: fromRaw(readExternal(p, what, ext), dtype, n, what) };
  }
  if (has(p, "raw_data") && dtype !== "string") return { dtype, shape, data: fromRaw(p.raw_data!, dtype, n, what) };
  const data = fromFields(p, dtype);
  if (data.length !== n) {
    if (data.length === 0 && n > 0) {
      throw new UserError(`${what} (${dtype}, dims [${shape.join(", ")}]) holds no data; the file is truncated or corrupt`);
    }
    throw new UserError(`${what} holds ${data.length} values but its dims [${shape.join(", ")}] need ${n}; the file is corrupt`);
  }
  return { dtype, shape, data };
}

/** Convert a Tensor to a plain TensorProto object (numeric data as little-endian raw_data). */
export function encodeTensor(t: Tensor, name: string): object {
  const n = sizeOf(t.shape);
  if (t.data.length !== n) {
    throw new Error(`tensor '${name}': ${t.data.length} values for shape [${t.shape.join(", ")}] (${n} elements)`);
  }
  const base = { name, dims: [...t.shape], data_type: codeOfDtype(t.dtype) };
  if (t.dtype === "string") return { ...base, string_data: (t.data as string[]).map((s) => utf8enc.encode(s)) };
  return { ...base, raw_data: toRaw(t.dtype, t.data as NumericArray, name) };
}

function fromRaw(bytes: Uint8Array, dtype: DType, n: number, what: string): NumericArray {
  const size = rawItemSize(dtype);
  if (bytes.length !== n * size) {
    throw new UserError(
      `${what}: raw data holds ${bytes.length} bytes, but ${n} ${dtype} values need ${n * size}; the file is truncated or corrupt`,
    );
  }
  // Copy into a fresh, aligned buffer: the source is a view into the file at any byte offset.
  const buf = new Uint8Array(bytes.length);
  buf.set(bytes);
  const b = buf.buffer;
  switch (dtype) {
    case "float32": return new Float32Array(b);
    case "float64": return new Float64Array(b);
    case "int8": return new Int8Array(b);
    case "uint8": return buf;
    case "int16": return new Int16Array(b);
    case "uint16": return new Uint16Array(b);
    case "int32": return new Int32Array(b);
    case "uint32": return new Uint32Array(b);
    case "bool": return buf.map((v) => (v ? 1 : 0));
    case "int64": return Float64Array.from(new BigInt64Array(b), Number);
    case "uint64": return Float64Array.from(new BigUint64Array(b), Number);
    case "float16": return Float32Array.from(new Uint16Array(b), halfToFloat);
    case "string": throw new Error("unreachable: strings have no raw encoding");
  }
}

function fromFields(p: PTensor, dtype: DType): NumericArray | string[] {
  switch (dtype) {
    case "float32": return Float32Array.from(p.float_data);
    case "float64": return Float64Array.from(p.double_data);
    case "int64": return Float64Array.from(p.int64_data, int);
    case "uint32": case "uint64": {
      const out = allocData(dtype, p.uint64_data.length) as NumericArray;
      p.uint64_data.forEach((v, i) => (out[i] = int(v)));
      return out;
    }
    case "float16": return Float32Array.from(p.int32_data, (v) => halfToFloat(v & 0xffff));
    case "bool": return Uint8Array.from(p.int32_data, (v) => (v ? 1 : 0));
    case "string": return p.string_data.map((s) => utf8.decode(s));
    default: {
      // int8/int16/int32/uint8/uint16 are all carried in int32_data.
      const out = allocData(dtype, p.int32_data.length) as NumericArray;
      out.set(p.int32_data);
      return out;
    }
  }
}

function readExternal(p: PTensor, what: string, ext?: ExternalSource): Uint8Array {
  const entry = (k: string) => p.external_data.find((e) => e.key === k)?.value;
  const location = entry("location");
  if (!location) throw new UserError(`${what} is marked as external data but names no location; the model is malformed`);
  if (!ext) {
    throw new UserError(`${what} keeps its data in external file '${location}'; load the model from its file (readModel) so the file can be found`);
  }
  const file = path.resolve(ext.baseDir, location);
  const rel = path.relative(ext.baseDir, file);
  if (path.isAbsolute(location) || rel.startsWith("..")) {
    throw new UserError(`${what}: external data location '${location}' points outside the model's folder; refusing to read it`);
  }
  let bytes = ext.cache.get(file);
  if (!bytes) {
    try {
      if (!statSync(file).isFile()) throw new Error("not a file");
      bytes = readFileSync(file);
    } catch {
      throw new UserError(`${what}: external data file '${file}' is missing or unreadable; keep it beside the model`);
    }
    ext.cache.set(file, bytes);
  }
  const offset = Number(entry("offset") ?? 0);
  const length = entry("length") === undefined ? bytes.length - offset : Number(entry("length"));
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > bytes.length) {
    throw new UserError(`${what}: external data range offset ${offset} length ${length} does not fit in '${file}' (${bytes.length} bytes)`);
  }
  return bytes.subarray(offset, offset + length);
}

function toRaw(dtype: DType, data: NumericArray, name: string): Uint8Array {
  const bytesOf = (a: NumericArray | BigInt64Array | BigUint64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  switch (dtype) {
    case "float16": return bytesOf(Uint16Array.from(data, floatToHalf));
    case "bool": return Uint8Array.from(data, (v) => (v ? 1 : 0));
    case "int64": case "uint64": {
      const out = dtype === "int64" ? new BigInt64Array(data.length) : new BigUint64Array(data.length);
      // Float64 storage rounds INT64_MAX (Slice's "to the end") up to 2^63: clamp, or it would wrap to INT64_MIN.
      const [lo, hi] = dtype === "int64" ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (!Number.isFinite(v)) throw new Error(`tensor '${name}': ${dtype} element ${i} is ${v}`);
        const b = BigInt(Math.trunc(v));
        out[i] = b < lo ? lo : b > hi ? hi : b;
      }
      return bytesOf(out);
    }
    default: {
      // The storage type is the wire type for the rest (float32 in Float32Array, ...); copy if a caller used another.
      const want = allocData(dtype, 0) as NumericArray;
      if (want.constructor === data.constructor) return bytesOf(data);
      const out = allocData(dtype, data.length) as NumericArray;
      out.set(data);
      return bytesOf(out);
    }
  }
}
