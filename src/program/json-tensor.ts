// JSON codecs for tensors and Graph fragments (opaque primitives carry a Graph). Numeric data is base64 of
// the values' little-endian bytes in the tensor's own dtype (float32: 4 bytes, int64: 8 bytes two's
// complement, float16: 2-byte IEEE half, bool: 1 byte), so the JSON stays compact and exact.
import type { Attr, Graph, Node, ValueInfo } from "../graph/graph.ts";
import { allocData, DTYPES, floatToHalf, halfToFloat, sizeOf, type DType, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { arr, FormatError, int, ints, nums, numb, numJson, obj, oneOf, str, type Json, type JsonObj } from "./json-check.ts";
import { SIDECAR_FILE, sidecarKey, type Sidecar, type SidecarReader } from "./sidecar.ts";
import { endianness } from "node:os";

const BYTES: Record<Exclude<DType, "string">, number> = {
  float32: 4, float64: 8, float16: 2, int8: 1, int16: 2, int32: 4, int64: 8,
  uint8: 1, uint16: 2, uint32: 4, uint64: 8, bool: 1,
};

function clampBig(v: bigint, lo: bigint, hi: bigint): bigint {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Storage types whose bytes are the dtype's little-endian encoding as they are (no conversion needed). */
const TYPED: Partial<Record<DType, Float32ArrayConstructor | Float64ArrayConstructor | Int8ArrayConstructor | Int16ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor>> = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array,
};
const LE = endianness() === "LE";

/** Base64 of the little-endian bytes of values stored as `dtype`. */
export function encodeValues(dtype: Exclude<DType, "string">, data: ArrayLike<number>): string {
  const b = encodeBytes(dtype, data);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
}

/** The little-endian bytes of values stored as `dtype` (base64 in program.json, raw in weights.safetensors). */
export function encodeBytes(dtype: Exclude<DType, "string">, data: ArrayLike<number>): Uint8Array {
  // Fast path (same bytes): the typed array of the dtype, viewed whole, on a little-endian machine.
  const Typed = LE ? TYPED[dtype] : undefined;
  if (Typed) {
    const t = data instanceof Typed ? data : new Typed(data as ArrayLike<number>);
    return Buffer.from(t.buffer, t.byteOffset, t.byteLength);
  }
  const w = BYTES[dtype];
  const buf = Buffer.alloc(data.length * w);
  for (let i = 0; i < data.length; i++) {
    const v = data[i], o = i * w;
    switch (dtype) {
      case "float32": buf.writeFloatLE(v, o); break;
      case "float64": buf.writeDoubleLE(v, o); break;
      case "float16": buf.writeUInt16LE(floatToHalf(v), o); break;
      case "int8": buf.writeInt8(v, o); break;
      case "int16": buf.writeInt16LE(v, o); break;
      case "int32": buf.writeInt32LE(v, o); break;
      // int64 max (2^63 - 1, e.g. Slice's "to the end") is 2^63 in a Float64Array: clamp it back into range.
      case "int64": buf.writeBigInt64LE(clampBig(BigInt(Math.trunc(v)), -(2n ** 63n), 2n ** 63n - 1n), o); break;
      case "uint8": case "bool": buf.writeUInt8(v, o); break;
      case "uint16": buf.writeUInt16LE(v, o); break;
      case "uint32": buf.writeUInt32LE(v, o); break;
      case "uint64": buf.writeBigUInt64LE(clampBig(BigInt(Math.trunc(v)), 0n, 2n ** 64n - 1n), o); break;
    }
  }
  return buf;
}

/** Decode base64 values into the storage array of `dtype`; checks the byte count against n. */
export function decodeValues(dtype: Exclude<DType, "string">, b64: string, n: number, path: string): NumericArray {
  return decodeBytes(dtype, Buffer.from(b64, "base64"), n, path);
}

/** Decode little-endian bytes into the storage array of `dtype`; checks the byte count against n. */
export function decodeBytes(dtype: Exclude<DType, "string">, bytes: Uint8Array, n: number, path: string): NumericArray {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const w = BYTES[dtype];
  if (buf.length !== n * w) {
    throw new FormatError(path, `holds ${buf.length} bytes, but ${n} ${dtype} values need ${n * w}`);
  }
  const out = allocData(dtype, n) as NumericArray;
  for (let i = 0; i < n; i++) {
    const o = i * w;
    switch (dtype) {
      case "float32": out[i] = buf.readFloatLE(o); break;
      case "float64": out[i] = buf.readDoubleLE(o); break;
      case "float16": out[i] = halfToFloat(buf.readUInt16LE(o)); break;
      case "int8": out[i] = buf.readInt8(o); break;
      case "int16": out[i] = buf.readInt16LE(o); break;
      case "int32": out[i] = buf.readInt32LE(o); break;
      case "int64": out[i] = Number(buf.readBigInt64LE(o)); break;
      case "uint8": case "bool": out[i] = buf.readUInt8(o); break;
      case "uint16": out[i] = buf.readUInt16LE(o); break;
      case "uint32": out[i] = buf.readUInt32LE(o); break;
      case "uint64": out[i] = Number(buf.readBigUInt64LE(o)); break;
    }
  }
  return out;
}

/** Where big tensors go when a program is written with a sidecar, and where they are read back from. */
export interface TensorStore {
  /** Writing: big tensors become `{ external: key }` into this sidecar. */
  sidecar?: Sidecar;
  /** Reading: resolves `external` keys. */
  reader?: SidecarReader;
}

/** A tensor as {dtype, shape, data}; strings stay a JSON array; with a sidecar, a big one is {dtype, shape, external}. */
export function tensorToJson(t: Tensor, store: TensorStore = {}, key = "tensor"): JsonObj {
  const external = t.dtype === "string" ? undefined : sidecarKey(store.sidecar, key, t);
  if (external !== undefined) return { dtype: t.dtype, shape: [...t.shape], external };
  const data: Json = t.dtype === "string" ? [...(t.data as string[])] : encodeValues(t.dtype, t.data as NumericArray);
  return { dtype: t.dtype, shape: [...t.shape], data };
}

/** The values of an `external` tensor, read from the sidecar (an error names the JSON path when there is none). */
export function externalValues(store: TensorStore, key: string, dtype: Exclude<DType, "string">, shape: readonly number[], path: string): NumericArray {
  if (!store.reader) throw new FormatError(path, `keeps its values in ${SIDECAR_FILE} ('${key}'); read the explanation's folder (or its program.json path) so that file is found`);
  return store.reader.read(key, dtype, shape, path);
}

/** Parse a tensor written by tensorToJson. */
export function tensorFromJson(v: unknown, path: string, store: TensorStore = {}): Tensor {
  const o = obj(v, path);
  const dtype = oneOf(o.dtype, `${path}.dtype`, DTYPES);
  const shape = ints(o.shape, `${path}.shape`, 0);
  const n = sizeOf(shape);
  if (dtype === "string") {
    const data = arr(o.data, `${path}.data`).map((s, i) => str(s, `${path}.data[${i}]`));
    if (data.length !== n) throw new FormatError(`${path}.data`, `has ${data.length} strings, shape needs ${n}`);
    return { dtype, shape, data };
  }
  if (o.external !== undefined && o.data === undefined) return { dtype, shape, data: externalValues(store, str(o.external, `${path}.external`), dtype, shape, `${path}.external`) };
  return { dtype, shape, data: decodeValues(dtype, str(o.data, `${path}.data`), n, `${path}.data`) };
}

function valueInfoToJson(v: ValueInfo): JsonObj {
  return { name: v.name, dtype: v.dtype, shape: v.shape ? [...v.shape] : null };
}

function valueInfoFromJson(v: unknown, path: string): ValueInfo {
  const o = obj(v, path);
  const shape = o.shape === null ? null : arr(o.shape, `${path}.shape`).map((d, i) =>
    d === null || typeof d === "string" ? d : int(d, `${path}.shape[${i}]`, 0));
  return { name: str(o.name, `${path}.name`), dtype: oneOf(o.dtype, `${path}.dtype`, DTYPES), shape };
}

function attrToJson(a: Attr, store: TensorStore, key: string): JsonObj {
  switch (a.kind) {
    case "tensor": return { kind: a.kind, value: tensorToJson(a.value, store, key) };
    case "tensors": return { kind: a.kind, value: a.value.map((t) => tensorToJson(t)) };
    case "graph": return { kind: a.kind, value: graphToJson(a.value) };
    case "graphs": return { kind: a.kind, value: a.value.map((g) => graphToJson(g)) };
    case "float": return { kind: a.kind, value: numJson(a.value) };
    case "floats": return { kind: a.kind, value: a.value.map(numJson) };
    default: return { kind: a.kind, value: a.value };
  }
}

function attrFromJson(v: unknown, path: string, store: TensorStore): Attr {
  const o = obj(v, path);
  const kinds = ["float", "int", "string", "tensor", "graph", "floats", "ints", "strings", "tensors", "graphs"] as const;
  const kind = oneOf(o.kind, `${path}.kind`, kinds);
  const p = `${path}.value`;
  switch (kind) {
    case "float": return { kind, value: numb(o.value, p) };
    case "int": return { kind, value: int(o.value, p) };
    case "string": return { kind, value: str(o.value, p) };
    case "tensor": return { kind, value: tensorFromJson(o.value, p, store) };
    case "graph": return { kind, value: graphFromJson(o.value, p) };
    case "floats": return { kind, value: nums(o.value, p) };
    case "ints": return { kind, value: ints(o.value, p) };
    case "strings": return { kind, value: arr(o.value, p).map((s, i) => str(s, `${p}[${i}]`)) };
    case "tensors": return { kind, value: arr(o.value, p).map((t, i) => tensorFromJson(t, `${p}[${i}]`)) };
    case "graphs": return { kind, value: arr(o.value, p).map((g, i) => graphFromJson(g, `${p}[${i}]`)) };
  }
}

function nodeToJson(n: Node, store: TensorStore, keyPrefix: string): JsonObj {
  const attrs: JsonObj = {};
  for (const [k, a] of Object.entries(n.attrs)) attrs[k] = attrToJson(a, store, `${keyPrefix}${n.name || n.outputs[0]}.${k}`);
  return { name: n.name, op: n.op, domain: n.domain, inputs: [...n.inputs], outputs: [...n.outputs], attrs };
}

function nodeFromJson(v: unknown, path: string, store: TensorStore): Node {
  const o = obj(v, path);
  const attrs: Record<string, Attr> = {};
  for (const [k, a] of Object.entries(obj(o.attrs ?? {}, `${path}.attrs`))) attrs[k] = attrFromJson(a, `${path}.attrs.${k}`, store);
  const strs = (x: unknown, p: string) => arr(x, p).map((s, i) => str(s, `${p}[${i}]`));
  return {
    name: str(o.name, `${path}.name`), op: str(o.op, `${path}.op`), domain: str(o.domain ?? "", `${path}.domain`),
    inputs: strs(o.inputs, `${path}.inputs`), outputs: strs(o.outputs, `${path}.outputs`), attrs,
  };
}

/** A Graph as JSON: value infos, nodes with tagged attributes, initialisers as tensors. */
export function graphToJson(g: Graph, store: TensorStore = {}, keyPrefix = ""): JsonObj {
  const inits: JsonObj = {};
  for (const [k, t] of g.initializers) inits[k] = tensorToJson(t, store, `${keyPrefix}${k}`);
  return {
    name: g.name, inputs: g.inputs.map(valueInfoToJson), outputs: g.outputs.map(valueInfoToJson),
    nodes: g.nodes.map((n) => nodeToJson(n, store, keyPrefix)), initializers: inits, valueInfo: g.valueInfo.map(valueInfoToJson),
  };
}

/** Parse a Graph written by graphToJson. */
export function graphFromJson(v: unknown, path: string, store: TensorStore = {}): Graph {
  const o = obj(v, path);
  const vis = (x: unknown, p: string) => arr(x ?? [], p).map((e, i) => valueInfoFromJson(e, `${p}[${i}]`));
  const initializers = new Map<string, Tensor>();
  for (const [k, t] of Object.entries(obj(o.initializers ?? {}, `${path}.initializers`))) {
    initializers.set(k, tensorFromJson(t, `${path}.initializers.${k}`, store));
  }
  return {
    name: str(o.name ?? "", `${path}.name`), inputs: vis(o.inputs, `${path}.inputs`), outputs: vis(o.outputs, `${path}.outputs`),
    nodes: arr(o.nodes, `${path}.nodes`).map((n, i) => nodeFromJson(n, `${path}.nodes[${i}]`, store)),
    initializers, valueInfo: vis(o.valueInfo, `${path}.valueInfo`),
  };
}
