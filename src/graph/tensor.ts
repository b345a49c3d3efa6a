// The Tensor: a dtype, a shape and a flat row-major typed array.
//
// Storage per dtype is chosen so kernels can use plain number arithmetic:
// int64/uint64 are held in Float64Array (exact up to 2^53; ONNX models use int64 for
// shapes and indices, far below that), float16 is held decoded in Float32Array (values
// are rounded to half precision when a kernel writes a float16 result, see roundTo),
// bool in Uint8Array (0/1).

export type DType =
  | "float32" | "float64" | "float16"
  | "int8" | "int16" | "int32" | "int64"
  | "uint8" | "uint16" | "uint32" | "uint64"
  | "bool" | "string";

export type NumericArray =
  | Float32Array | Float64Array
  | Int8Array | Int16Array | Int32Array
  | Uint8Array | Uint16Array | Uint32Array;

export type TensorData = NumericArray | string[];

export interface Tensor {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

/** A tensor whose data is numeric (every dtype but string). */
export interface NumTensor extends Tensor {
  data: NumericArray;
}

export const DTYPES: readonly DType[] = [
  "float32", "float64", "float16", "int8", "int16", "int32", "int64",
  "uint8", "uint16", "uint32", "uint64", "bool", "string",
];

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Allocate a zero-filled typed array of the storage type for a dtype. */
export function allocData(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case "float32": case "float16": return new Float32Array(n);
    case "float64": case "int64": case "uint64": return new Float64Array(n);
    case "int8": return new Int8Array(n);
    case "int16": return new Int16Array(n);
    case "int32": return new Int32Array(n);
    case "uint8": case "bool": return new Uint8Array(n);
    case "uint16": return new Uint16Array(n);
    case "uint32": return new Uint32Array(n);
    case "string": return new Array<string>(n).fill("");
  }
}

/** A zero tensor of a dtype and shape. */
export function zeros(dtype: DType, shape: readonly number[]): Tensor {
  return { dtype, shape: [...shape], data: allocData(dtype, sizeOf(shape)) };
}

/** Build a tensor from values, copying them into the dtype's storage. */
export function tensor(dtype: DType, shape: readonly number[], values: ArrayLike<number> | readonly string[]): Tensor {
  const n = sizeOf(shape);
  if (values.length !== n) {
    throw new Error(`tensor: ${values.length} values given for shape [${shape.join(",")}] (${n} elements)`);
  }
  const t = zeros(dtype, shape);
  if (dtype === "string") (t.data as string[]).splice(0, n, ...(values as readonly string[]).map(String));
  else {
    const d = t.data as NumericArray;
    for (let i = 0; i < n; i++) d[i] = (values as ArrayLike<number>)[i];
    if (dtype === "float16") roundTo("float16", d);
  }
  return t;
}

/** A float32 tensor from values. */
export function f32(shape: readonly number[], values: ArrayLike<number>): NumTensor {
  return tensor("float32", shape, values) as NumTensor;
}

/** Is the dtype one of the floating-point types. */
export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64" || dtype === "float16";
}

/** Is the dtype an integer type (bool excluded). */
export function isInt(dtype: DType): boolean {
  return dtype.startsWith("int") || dtype.startsWith("uint");
}

/** Narrow a tensor to numeric data, failing with the dtype when it holds strings. */
export function num(t: Tensor): NumTensor {
  if (t.dtype === "string") throw new Error("expected a numeric tensor, got a string tensor");
  return t as NumTensor;
}

const f16buf = new Float32Array(1);
const f16bits = new Uint32Array(f16buf.buffer);

/** Round a float32 value to the nearest float16 value (round half to even), returned as a number. */
export function roundHalf(x: number): number {
  return halfToFloat(floatToHalf(x));
}

/** Encode a number as IEEE half-precision bits. */
export function floatToHalf(x: number): number {
  f16buf[0] = x;
  const b = f16bits[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

/** Decode IEEE half-precision bits to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Round stored values in place to what the dtype can hold (float16 needs it; typed arrays do the rest). */
export function roundTo(dtype: DType, data: NumericArray): void {
  if (dtype === "float16") for (let i = 0; i < data.length; i++) data[i] = roundHalf(data[i]);
  else if (dtype === "int64") for (let i = 0; i < data.length; i++) data[i] = Math.trunc(data[i]);
  else if (dtype === "uint64") for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.trunc(data[i]));
}

/** Format a shape like numpy does: [2, 3]. */
export function shapeStr(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}
