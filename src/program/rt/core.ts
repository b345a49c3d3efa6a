// The runtime of the emitted program.ts, part 1: tensors with a dtype, their storage, constants, broadcasting.
//
// The rt/*.ts files are small, dependency-free implementations of the ONNX ops that opaque parts use. They are
// the single source of what program.ts runs: rt-bundle.ts copies the declarations a program needs (and only
// those) into the emitted file, and tests/program/runtime.test.ts checks every op against the interpreter's
// kernels. Rules: plain TypeScript, imports only between rt files and from kernels.ts (both inlined), exported
// ONNX ops are named exactly like the op (Add, MatMul), helpers start with a lowercase letter.
// Storage follows src/graph/tensor.ts: float32 -> Float32Array, int64/uint64/float64 -> Float64Array, bool ->
// Uint8Array, other integers -> their typed array. Inputs are never modified.

export type Data = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/** A tensor: an ONNX dtype name (float32, int64, bool, ...), a shape and row-major data. */
export interface Ten {
  dtype: string;
  shape: number[];
  data: Data;
}

/** What the program kernels produce (float32 without a dtype tag), or a tensor. */
export type Val = Ten | { data: Float32Array; shape: number[] };

/** A value as a tensor (kernel values are float32). */
export function ten(v: Val): Ten {
  return "dtype" in v ? v : { dtype: "float32", shape: v.shape, data: v.data };
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesFor(shape: readonly number[]): number[] {
  const s: number[] = new Array(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Zero-filled storage for n values of a dtype. */
export function newData(dtype: string, n: number): Data {
  switch (dtype) {
    case "float32": return new Float32Array(n);
    case "float64": case "int64": case "uint64": return new Float64Array(n);
    case "int32": return new Int32Array(n);
    case "int16": return new Int16Array(n);
    case "int8": return new Int8Array(n);
    case "uint32": return new Uint32Array(n);
    case "uint16": return new Uint16Array(n);
    case "uint8": case "bool": return new Uint8Array(n);
    default: throw new Error(`the program runtime has no storage for ${dtype} tensors`);
  }
}

/** True for float dtypes (whose arithmetic does not truncate). */
export function isFloatType(dtype: string): boolean {
  return dtype === "float32" || dtype === "float64" || dtype === "float16";
}

/** A tensor of a dtype holding values converted as ONNX Cast does: truncation to integers, x != 0 for bool. */
export function tensorFrom(dtype: string, shape: number[], values: ArrayLike<number>): Ten {
  const data = newData(dtype, values.length);
  if (dtype === "bool") for (let i = 0; i < values.length; i++) data[i] = values[i] !== 0 ? 1 : 0;
  else if (isFloatType(dtype)) data.set(values);
  else for (let i = 0; i < values.length; i++) data[i] = Math.trunc(values[i]);
  return { dtype, shape: [...shape], data };
}

/** A tensor as float32 kernel input (no copy when it already is). */
export function asArr(v: Val): { data: Float32Array; shape: number[] } {
  return v.data instanceof Float32Array ? { data: v.data, shape: v.shape } : { data: Float32Array.from(v.data), shape: v.shape };
}

/** A value converted to a dtype (no copy when it already has it). */
export function castTen(v: Val, dtype: string): Ten {
  const t = ten(v);
  return t.dtype === dtype ? t : tensorFrom(dtype, t.shape, t.data);
}

/** A constant from base64 little-endian bytes of its dtype. */
export function constant(dtype: string, shape: number[], b64: string): Ten {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return constantBytes(dtype, shape, bytes);
}

/** A constant from the little-endian bytes of its dtype (base64-decoded, or a slice of weights.safetensors). */
export function constantBytes(dtype: string, shape: number[], bytes: Uint8Array): Ten {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = numel(shape);
  const data = newData(dtype, n);
  const width = bytes.length / Math.max(n, 1);
  for (let i = 0; i < n; i++) {
    const o = i * width;
    switch (dtype) {
      case "float32": data[i] = view.getFloat32(o, true); break;
      case "float64": data[i] = view.getFloat64(o, true); break;
      case "int64": data[i] = Number(view.getBigInt64(o, true)); break;
      case "uint64": data[i] = Number(view.getBigUint64(o, true)); break;
      case "int32": data[i] = view.getInt32(o, true); break;
      case "uint32": data[i] = view.getUint32(o, true); break;
      case "int16": data[i] = view.getInt16(o, true); break;
      case "uint16": data[i] = view.getUint16(o, true); break;
      case "int8": data[i] = view.getInt8(o); break;
      default: data[i] = view.getUint8(o);
    }
  }
  return { dtype, shape, data };
}

/** The shape numpy broadcasting gives several shapes. */
export function broadcastShape(...shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + k] ?? 1;
      if (e !== 1 && d !== 1 && e !== d) throw new Error(`cannot broadcast shapes ${shapes.map((x) => `[${x.join(", ")}]`).join(" and ")}`);
      if (e !== 1) d = e;
    }
    out.push(d);
  }
  return out;
}

/** For each element of `out` (row-major), the flat index of the element of a `shape` tensor broadcast to it. */
export function broadcastIndex(shape: number[], out: number[]): Int32Array {
  const rank = out.length;
  const st = stridesFor(shape);
  const step = out.map((d, k) => {
    const j = k - (rank - shape.length);
    return j >= 0 && shape[j] !== 1 ? st[j] : 0;
  });
  const idx = new Int32Array(numel(out));
  const pos = new Array(rank).fill(0);
  let at = 0;
  for (let i = 0; i < idx.length; i++) {
    idx[i] = at;
    for (let k = rank - 1; k >= 0; k--) {
      pos[k]++;
      at += step[k];
      if (pos[k] < out[k]) break;
      at -= step[k] * out[k];
      pos[k] = 0;
    }
  }
  return idx;
}

/** An axis in [0, rank) from a possibly negative one. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= Math.max(rank, 1)) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The values of a small integer tensor (shapes, axes, indices) as numbers. */
export function intsOf(t: Ten | undefined): number[] | undefined {
  return t ? Array.from(t.data as ArrayLike<number>) : undefined;
}

/** The dtype named by a TensorProto.DataType code (Cast's `to`, opset >= 6) or by a type name (opset 1). */
export function dtypeOfCode(code: number | string): string {
  const names: Record<string, string> = {
    1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 9: "bool", 11: "float64",
    12: "uint32", 13: "uint64", FLOAT: "float32", UINT8: "uint8", INT8: "int8", UINT16: "uint16", INT16: "int16",
    INT32: "int32", INT64: "int64", BOOL: "bool", DOUBLE: "float64", UINT32: "uint32", UINT64: "uint64",
  };
  const d = names[typeof code === "string" ? code.toUpperCase() : code];
  if (!d) throw new Error(`the program runtime cannot hold tensors of ONNX type ${code}`);
  return d;
}

/** Rows [a, b) of a value along axis 0 (a view). */
export function rowsOf(v: Val, a: number, b: number): Val {
  const row = numel(v.shape.slice(1));
  const shape = [b - a, ...v.shape.slice(1)];
  return "dtype" in v ? { dtype: v.dtype, shape, data: v.data.subarray(a * row, b * row) } : { data: v.data.subarray(a * row, b * row), shape };
}

/** Values of one dtype and trailing shape stacked along axis 0. */
export function stackRows(parts: Val[]): Val {
  if (parts.length === 1) return parts[0];
  const first = ten(parts[0]);
  const data = newData(first.dtype, parts.reduce((s, p) => s + p.data.length, 0));
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  const shape = [parts.reduce((s, p) => s + p.shape[0], 0), ...first.shape.slice(1)];
  return "dtype" in parts[0] ? { dtype: first.dtype, shape, data } : { data: data as Float32Array, shape };
}

/** f run on `size` rows at a time and the outputs stacked: a model exported with a fixed batch (often 1, baked into
 *  its reshapes) then takes any number of rows. Inputs whose row counts differ share no batch axis: run whole. */
export function inRowChunks(xs: Val[], size: number, f: (...xs: Val[]) => Val[]): Val[] {
  const n = xs[0]?.shape[0] ?? 0;
  if (!size || n <= size || xs.some((x) => x.shape[0] !== n)) return f(...xs);
  const parts: Val[][] = [];
  for (let a = 0; a < n; a += size) parts.push(f(...xs.map((x) => rowsOf(x, a, Math.min(n, a + size)))));
  return parts[0].map((_, k) => stackRows(parts.map((p) => p[k])));
}
