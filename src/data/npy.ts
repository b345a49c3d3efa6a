// The numpy .npy format: read (v1/v2/v3 headers, either byte order, C or Fortran order) and write (C order, v1 unless
// the header needs more room). Spec: numpy/lib/format.py.
import { endianness } from "node:os";
import { allocData, floatToHalf, halfToFloat, sizeOf, type DType, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import { parseNpyHeader } from "./npyheader.ts";

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // "\x93NUMPY"

/** One numpy element type: its dtype here, byte width and numpy kind letter. */
interface NpyType {
  dtype: Exclude<DType, "string">;
  bytes: number;
  kind: "f" | "i" | "u" | "b";
}

const BY_CODE: Record<string, NpyType> = {
  f2: { dtype: "float16", bytes: 2, kind: "f" },
  f4: { dtype: "float32", bytes: 4, kind: "f" },
  f8: { dtype: "float64", bytes: 8, kind: "f" },
  i1: { dtype: "int8", bytes: 1, kind: "i" },
  i2: { dtype: "int16", bytes: 2, kind: "i" },
  i4: { dtype: "int32", bytes: 4, kind: "i" },
  i8: { dtype: "int64", bytes: 8, kind: "i" },
  u1: { dtype: "uint8", bytes: 1, kind: "u" },
  u2: { dtype: "uint16", bytes: 2, kind: "u" },
  u4: { dtype: "uint32", bytes: 4, kind: "u" },
  u8: { dtype: "uint64", bytes: 8, kind: "u" },
  b1: { dtype: "bool", bytes: 1, kind: "b" },
};

const CODE_OF: Record<string, string> = Object.fromEntries(Object.entries(BY_CODE).map(([c, t]) => [t.dtype, c]));

/** The numpy descr string (e.g. "<f4", "|u1") a dtype is written with. */
export function npyDescr(dtype: DType): string {
  const code = CODE_OF[dtype];
  if (!code) throw new UserError(`cannot write ${dtype} tensors to .npy`);
  return (code.endsWith("1") ? "|" : "<") + code;
}

/** Parse a numpy descr ("<f4", ">i8", "|b1", "?", ...) to its type and byte order. */
function parseDescr(descr: string): NpyType & { bigEndian: boolean } {
  const d = descr === "?" ? "|b1" : descr;
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(d);
  const t = m ? BY_CODE[`${m[2]}${m[3]}`] : undefined;
  if (!m || !t) {
    const what = /^[<>|=]?[US]/.test(d) ? "string arrays" : /^[<>|=]?O/.test(d) ? "object (pickled) arrays" : `dtype '${descr}'`;
    throw new UserError(
      `${what} are not supported; supported dtypes: float16/32/64, int8/16/32/64, uint8/16/32/64, bool`,
    );
  }
  return { ...t, bigEndian: m[1] === ">" };
}

/** Decode a .npy file's bytes into a tensor (C order). `share`: the caller gives the buffer away, so the data may be a view of it. */
export function decodeNpy(buf: Uint8Array, opts: { share?: boolean } = {}): Tensor {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 10 || !b.subarray(0, 6).equals(MAGIC)) {
    throw new UserError(b.length === 0 ? "the file is empty, not a .npy array" : "not a .npy file (missing the \\x93NUMPY magic)");
  }
  const major = b[6];
  if (major < 1 || major > 3) throw new UserError(`unsupported .npy format version ${major}.${b[7]} (supported: 1.0, 2.0, 3.0)`);
  const lenBytes = major === 1 ? 2 : 4;
  if (b.length < 8 + lenBytes) throw new UserError("the .npy file is truncated inside its header");
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = 8 + lenBytes;
  if (b.length < start + hlen) throw new UserError("the .npy file is truncated inside its header");
  const header = parseNpyHeader(b.subarray(start, start + hlen).toString(major === 3 ? "utf8" : "latin1"));
  const type = parseDescr(header.descr);
  const shape = header.shape;
  const n = sizeOf(shape);
  const need = n * type.bytes;
  const body = b.subarray(start + hlen);
  if (body.length < need) {
    throw new UserError(
      `the .npy file is truncated: shape [${shape.join(", ")}] of ${header.descr} needs ${need} bytes of data, found ${body.length}`,
    );
  }
  const data = decodeElements(body.subarray(0, need), type, n, opts.share ?? false);
  if (!header.fortranOrder || shape.length < 2) return { dtype: type.dtype, shape, data };
  // Fortran order is C order of the reversed shape: transpose it back.
  return { dtype: type.dtype, shape, data: reverseAxes(data, [...shape].reverse()) };
}

/** Codes whose storage array (tensor.ts) has the file's element layout: a byte copy decodes them on little-endian hosts. */
const SAME_LAYOUT = new Set(["f4", "f8", "i1", "i2", "i4", "u1", "u2", "u4"]);
const HOST_LE = endianness() === "LE";

function decodeElements(bytes: Buffer, type: NpyType & { bigEndian: boolean }, n: number, share: boolean): NumericArray {
  const same = HOST_LE && !type.bigEndian && SAME_LAYOUT.has(`${type.kind}${type.bytes}`);
  // A buffer the caller gives away (a file just read): its bytes are the array already when aligned (npy pads its
  // header so the data starts on a 64-byte boundary), so a 10,000-image file is not copied once more.
  if (same && share && bytes.byteOffset % type.bytes === 0) {
    // Bound to a name first: tsc drops the parentheses of `new (x.constructor as C)(...)` in the compiled package,
    // which then calls the constructor without `new`.
    const View = allocData(type.dtype, 0).constructor as new (b: ArrayBufferLike, o: number, n: number) => NumericArray;
    const view = new View(bytes.buffer, bytes.byteOffset, n);
    if (view.BYTES_PER_ELEMENT === type.bytes) return view;
  }
  const out = allocData(type.dtype, n) as NumericArray;
  if (same) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = !type.bigEndian;
  const w = type.bytes;
  const read = elementReader(view, type, le);
  for (let i = 0; i < n; i++) out[i] = read(i * w, i);
  return out;
}

function elementReader(view: DataView, type: NpyType, le: boolean): (off: number, i: number) => number {
  switch (`${type.kind}${type.bytes}`) {
    case "f2": return (o) => halfToFloat(view.getUint16(o, le));
    case "f4": return (o) => view.getFloat32(o, le);
    case "f8": return (o) => view.getFloat64(o, le);
    case "i1": return (o) => view.getInt8(o);
    case "i2": return (o) => view.getInt16(o, le);
    case "i4": return (o) => view.getInt32(o, le);
    case "i8": return (o, i) => exact(view.getBigInt64(o, le), i);
    case "u1": return (o) => view.getUint8(o);
    case "u2": return (o) => view.getUint16(o, le);
    case "u4": return (o) => view.getUint32(o, le);
    case "u8": return (o, i) => exact(view.getBigUint64(o, le), i);
    case "b1": return (o) => (view.getUint8(o) ? 1 : 0);
  }
  throw new Error(`no reader for ${type.kind}${type.bytes}`);
}

// 64-bit integers are held as doubles (see tensor.ts): refuse values a double can't hold rather than change them.
function exact(v: bigint, i: number): number {
  const x = Number(v);
  if (!Number.isSafeInteger(x)) throw new UserError(`64-bit integer ${v} at flat index ${i} is beyond 2^53 and cannot be held exactly`);
  return x;
}

/** Transpose C-order data of `shape` by reversing all axes. */
function reverseAxes(src: NumericArray, shape: number[]): NumericArray {
  const rank = shape.length;
  const out = new (src.constructor as { new (n: number): NumericArray })(src.length);
  const outShape = [...shape].reverse();
  const srcStrides = new Array<number>(rank);
  let acc = 1;
  for (let k = rank - 1; k >= 0; k--) {
    srcStrides[k] = acc;
    acc *= shape[k];
  }
  // Output axis j is source axis rank-1-j.
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < src.length; o++) {
    let s = 0;
    for (let j = 0; j < rank; j++) s += idx[j] * srcStrides[rank - 1 - j];
    out[o] = src[s];
    for (let j = rank - 1; j >= 0; j--) {
      if (++idx[j] < outShape[j]) break;
      idx[j] = 0;
    }
  }
  return out;
}

export interface NpyWriteOptions {
  /** Force a format version; by default 1.0, or 2.0 when the header does not fit in 65535 bytes. */
  version?: 1 | 2 | 3;
}

/** Encode a tensor as .npy bytes (little-endian, C order). */
export function encodeNpy(t: Tensor, opts: NpyWriteOptions = {}): Buffer {
  if (t.dtype === "string") throw new UserError("cannot write string tensors to .npy");
  const descr = npyDescr(t.dtype);
  const shapeTxt = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(", ")})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeTxt}, }`;
  // numpy pads the header with spaces so the data starts on a 64-byte boundary, ending in "\n".
  const totalFor = (pre: number) => Math.ceil((pre + dict.length + 1) / 64) * 64;
  let version = opts.version ?? 1;
  if (version === 1 && totalFor(10) - 10 > 0xffff) version = 2;
  const pre = version === 1 ? 10 : 12;
  const total = totalFor(pre);
  const header = dict + " ".repeat(total - pre - dict.length - 1) + "\n";
  const type = BY_CODE[CODE_OF[t.dtype]];
  const n = sizeOf(t.shape);
  const out = Buffer.alloc(total + n * type.bytes);
  MAGIC.copy(out, 0);
  out[6] = version;
  out[7] = 0;
  if (version === 1) out.writeUInt16LE(header.length, 8);
  else out.writeUInt32LE(header.length, 8);
  out.write(header, pre, "latin1");
  const view = new DataView(out.buffer, out.byteOffset + total, n * type.bytes);
  const d = t.data as NumericArray;
  if (d.length !== n) throw new Error(`tensor data has ${d.length} elements for shape [${t.shape.join(",")}]`);
  writeElements(view, type, d);
  return out;
}

function writeElements(view: DataView, type: NpyType, d: NumericArray): void {
  const w = type.bytes;
  if (HOST_LE && SAME_LAYOUT.has(`${type.kind}${w}`) && d.BYTES_PER_ELEMENT === w) {
    new Uint8Array(view.buffer, view.byteOffset, view.byteLength).set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    return;
  }
  const set = elementWriter(view, type);
  for (let i = 0; i < d.length; i++) set(i * w, d[i]);
}

function elementWriter(view: DataView, type: NpyType): (off: number, v: number) => void {
  switch (`${type.kind}${type.bytes}`) {
    case "f2": return (o, v) => view.setUint16(o, floatToHalf(v), true);
    case "f4": return (o, v) => view.setFloat32(o, v, true);
    case "f8": return (o, v) => view.setFloat64(o, v, true);
    case "i1": return (o, v) => view.setInt8(o, v);
    case "i2": return (o, v) => view.setInt16(o, v, true);
    case "i4": return (o, v) => view.setInt32(o, v, true);
    case "i8": return (o, v) => view.setBigInt64(o, BigInt(Math.trunc(v)), true);
    case "u1": return (o, v) => view.setUint8(o, v);
    case "u2": return (o, v) => view.setUint16(o, v, true);
    case "u4": return (o, v) => view.setUint32(o, v, true);
    case "u8": return (o, v) => view.setBigUint64(o, BigInt(Math.max(0, Math.trunc(v))), true);
    case "b1": return (o, v) => view.setUint8(o, v ? 1 : 0);
  }
  throw new Error(`no writer for ${type.kind}${type.bytes}`);
}
