// Big weights in a sidecar: above a size threshold, program.json, program.ts and program.py stop carrying tensors as
// base64 text and all three refer to one weights.safetensors beside them, written once.
//
// Why safetensors: an 8-byte little-endian header length, a JSON header (name -> dtype, shape, byte range), then
// the raw little-endian bytes. program.py reads it with numpy alone (json + np.frombuffer), program.ts with no
// dependency (node:fs + a DataView), and any user can open it with the maintained `safetensors` libraries (Python,
// Rust, JavaScript). .npz would be as easy for numpy but needs a zip reader inlined into program.ts.
import { sizeOf, type DType, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { FormatError } from "./json-check.ts";
import { decodeBytes, encodeBytes } from "./json-tensor.ts";
import { programWeights, type Program } from "./program.ts";

/** The sidecar's file name, beside program.json. */
export const SIDECAR_FILE = "weights.safetensors";

/** explain's --weights-file: "auto" moves weights to the sidecar above DEFAULT_SIDECAR_THRESHOLD bytes. */
export type WeightsFileMode = "auto" | "always" | "never";
export const WEIGHTS_FILE_MODES: readonly WeightsFileMode[] = ["auto", "always", "never"];

/** Tensor bytes above which "auto" writes the sidecar (1 MiB: about 1.4 MB of base64 in each of three files). */
export const DEFAULT_SIDECAR_THRESHOLD = 1 << 20;

/** Tensors smaller than this stay inline even with a sidecar (biases, shapes, axes keep the programs readable). */
export const SIDECAR_MIN_TENSOR_BYTES = 1024;

type NumDType = Exclude<DType, "string">;

const ST_DTYPE: Record<NumDType, string> = {
  float32: "F32", float64: "F64", float16: "F16", int8: "I8", int16: "I16", int32: "I32", int64: "I64",
  uint8: "U8", uint16: "U16", uint32: "U32", uint64: "U64", bool: "BOOL",
};
const FROM_ST = new Map(Object.entries(ST_DTYPE).map(([d, s]) => [s, d as NumDType]));
const WIDTH: Record<NumDType, number> = {
  float32: 4, float64: 8, float16: 2, int8: 1, int16: 2, int32: 4, int64: 8, uint8: 1, uint16: 2, uint32: 4, uint64: 8, bool: 1,
};

/** The bytes of every numeric tensor the program's JSON and emitted code would carry (weights, opaque constants). */
export function programTensorBytes(p: Program): number {
  let bytes = 0;
  for (const w of programWeights(p).values()) bytes += w.data.length * 4;
  for (const f of p.functions) {
    for (const st of f.body) {
      if (st.kind !== "prim" || st.prim.kind !== "opaque") continue;
      for (const t of st.prim.params.graph.initializers.values()) if (t.dtype !== "string") bytes += sizeOf(t.shape) * WIDTH[t.dtype];
    }
  }
  return bytes;
}

/** Whether explain writes a sidecar for this program. */
export function wantSidecar(p: Program, mode: WeightsFileMode = "auto", threshold = DEFAULT_SIDECAR_THRESHOLD): boolean {
  return mode === "always" || (mode === "auto" && programTensorBytes(p) > threshold);
}

/** The sidecar being written: emitters add tensors (each one stored once, however many files refer to it). */
export class Sidecar {
  private readonly entries: { key: string; dtype: NumDType; shape: number[]; data: ArrayLike<number> }[] = [];
  private readonly byData = new Map<ArrayLike<number>, string>();
  private readonly keys = new Set<string>();

  /** Whether a tensor of this many values and dtype goes to the sidecar (small ones stay inline). */
  takes(dtype: DType, n: number): dtype is NumDType {
    return dtype !== "string" && n * WIDTH[dtype] >= SIDECAR_MIN_TENSOR_BYTES;
  }

  /** Store a tensor (once: the same data array added again returns its first key) and return its key. */
  add(key: string, dtype: NumDType, shape: readonly number[], data: ArrayLike<number>): string {
    const seen = this.byData.get(data);
    if (seen !== undefined) return seen;
    let k = key;
    for (let i = 2; this.keys.has(k); i++) k = `${key}~${i}`;
    this.keys.add(k);
    this.byData.set(data, k);
    this.entries.push({ key: k, dtype, shape: [...shape], data });
    return k;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The safetensors bytes. Tensors are laid out widest dtype first, so each starts aligned to its own width. */
  encode(): Uint8Array {
    const order = this.entries.map((e, i) => ({ e, i })).sort((a, b) => WIDTH[b.e.dtype] - WIDTH[a.e.dtype] || a.i - b.i).map((x) => x.e);
    const header: Record<string, unknown> = { __metadata__: { producer: "pseudonet" } };
    let off = 0;
    for (const e of order) {
      const n = e.data.length * WIDTH[e.dtype];
      header[e.key] = { dtype: ST_DTYPE[e.dtype], shape: e.shape, data_offsets: [off, off + n] };
      off += n;
    }
    let json = JSON.stringify(header);
    json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // the data starts 8-byte aligned
    const head = Buffer.from(json, "utf8");
    const out = Buffer.alloc(8 + head.length + off);
    out.writeBigUInt64LE(BigInt(head.length), 0);
    head.copy(out, 8);
    let at = 8 + head.length;
    for (const e of order) {
      const b = encodeBytes(e.dtype, e.data);
      out.set(b, at);
      at += b.length;
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }
}

/** A parsed sidecar: reads one tensor's values by key, checking its dtype and shape against what refers to it. */
export interface SidecarReader {
  read(key: string, dtype: NumDType, shape: readonly number[], path: string): NumericArray;
}

/** Parse safetensors bytes (`file` names it in errors); tensors are decoded when read. */
export function readSidecar(bytes: Uint8Array, file: string): SidecarReader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8) throw new FormatError(file, `is ${buf.length} bytes: too short for a safetensors file`);
  const n = Number(buf.readBigUInt64LE(0));
  if (n > buf.length - 8) throw new FormatError(file, `declares a ${n}-byte header but holds ${buf.length} bytes: truncated or not a safetensors file`);
  let header: Record<string, { dtype?: unknown; shape?: unknown; data_offsets?: unknown }>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8"));
  } catch (e) {
    throw new FormatError(file, `has a header that is not JSON (${(e as Error).message}): not a safetensors file`);
  }
  const start = 8 + n;
  return {
    read(key, dtype, shape, path) {
      const e = header[key];
      if (!e || key === "__metadata__") throw new FormatError(path, `refers to '${key}', which ${file} does not hold`);
      const count = sizeOf(shape);
      const [a, b] = Array.isArray(e.data_offsets) ? (e.data_offsets as number[]) : [NaN, NaN];
      if (FROM_ST.get(String(e.dtype)) !== dtype || JSON.stringify(e.shape) !== JSON.stringify([...shape]) || b - a !== count * WIDTH[dtype] || !(a >= 0) || start + b > buf.length) {
        throw new FormatError(path, `'${key}' in ${file} is ${String(e.dtype)} ${JSON.stringify(e.shape)} at bytes ${JSON.stringify(e.data_offsets)}; expected ${ST_DTYPE[dtype]} ${JSON.stringify(shape)} (${count * WIDTH[dtype]} bytes within the file)`);
      }
      return decodeBytes(dtype, buf.subarray(start + a, start + b), count, path);
    },
  };
}

/** A tensor's data as sidecar key, for the JSON writers; undefined when it stays inline. */
export function sidecarKey(sc: Sidecar | undefined, key: string, t: Pick<Tensor, "dtype" | "shape" | "data">): string | undefined {
  if (!sc || !sc.takes(t.dtype, sizeOf(t.shape))) return undefined;
  return sc.add(key, t.dtype as NumDType, t.shape, t.data as ArrayLike<number>);
}
