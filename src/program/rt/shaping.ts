// The runtime of the emitted program.ts, part 3: ONNX ops that move values around (shapes, axes, indexing).
// Shape-like inputs (shape, axes, starts, indices...) are small int64 tensors, read with intsOf.
import { broadcastIndex, broadcastShape, intsOf, newData, normAxis, numel, stridesFor, type Ten } from "./core.ts";

/** The same data under another shape (no copy). */
function view(x: Ten, shape: number[]): Ten {
  return { dtype: x.dtype, shape, data: x.data };
}

/** New shape: 0 copies the input's dim (unless allowzero), -1 takes what is left. */
export function Reshape(x: Ten, shape: Ten, at: { allowzero?: number }): Ten {
  const want = intsOf(shape)!.map((d, i) => (d === 0 && !at.allowzero ? x.shape[i] : d));
  const known = want.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const out = want.map((d) => (d === -1 ? numel(x.shape) / known : d));
  if (numel(out) !== x.data.length) throw new Error(`Reshape: cannot reshape [${x.shape.join(", ")}] to [${want.join(", ")}]`);
  return view(x, out);
}

/** 2-D view: axes before `axis` become rows. */
export function Flatten(x: Ten, at: { axis?: number }): Ten {
  const a = at.axis === undefined ? 1 : at.axis < 0 ? at.axis + x.shape.length : at.axis;
  return view(x, [numel(x.shape.slice(0, a)), numel(x.shape.slice(a))]);
}

export function Identity(x: Ten): Ten { return x; }

/** Axes permuted (reversed by default). */
export function Transpose(x: Ten, at: { perm?: number[] }): Ten {
  const r = x.shape.length;
  const perm = at.perm ?? x.shape.map((_, i) => r - 1 - i);
  const st = stridesFor(x.shape);
  return walk(x, 0, perm.map((p) => x.shape[p]), perm.map((p) => st[p]));
}

/** Remove size-1 axes: those listed (input since opset 13, attribute before), else all of them. */
export function Squeeze(x: Ten, axes: Ten | undefined, at: { axes?: number[] }): Ten {
  const list = (intsOf(axes) ?? at.axes)?.map((a) => normAxis(a, x.shape.length));
  return view(x, x.shape.filter((d, i) => (list ? !list.includes(i) : d !== 1)));
}

/** Insert size-1 axes at the listed positions of the output (input since opset 13, attribute before). */
export function Unsqueeze(x: Ten, axes: Ten | undefined, at: { axes?: number[] }): Ten {
  const rank = x.shape.length + (intsOf(axes) ?? at.axes ?? []).length;
  const list = (intsOf(axes) ?? at.axes ?? []).map((a) => normAxis(a, rank));
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(list.includes(i) ? 1 : x.shape[k++]);
  return view(x, shape);
}

/** Join along an axis. */
export function Concat(xs: Ten[], at: { axis: number }): Ten {
  const a = normAxis(at.axis, xs[0].shape.length);
  const outer = numel(xs[0].shape.slice(0, a));
  const shape = [...xs[0].shape];
  shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
  const data = newData(xs[0].dtype, numel(shape));
  const row = numel(shape.slice(a));
  let off = 0;
  for (const x of xs) {
    const chunk = numel(x.shape.slice(a));
    for (let o = 0; o < outer; o++) data.set(x.data.subarray(o * chunk, (o + 1) * chunk), o * row + off);
    off += chunk;
  }
  return { dtype: xs[0].dtype, shape, data };
}

/** A copy of the elements of x at offset + sum_k i_k * step[k] for every index i of `shape` (steps in elements). */
function walk(x: Ten, offset: number, shape: number[], step: number[]): Ten {
  const data = newData(x.dtype, numel(shape));
  const pos = new Array(shape.length).fill(0);
  let src = offset;
  for (let i = 0; i < data.length; i++) {
    data[i] = x.data[src];
    for (let k = shape.length - 1; k >= 0; k--) {
      pos[k]++;
      src += step[k];
      if (pos[k] < shape[k]) break;
      src -= step[k] * shape[k];
      pos[k] = 0;
    }
  }
  return { dtype: x.dtype, shape, data };
}

/** The box of x starting at `start` with a step per axis. */
function takeBox(x: Ten, start: number[], step: number[], shape: number[]): Ten {
  const st = stridesFor(x.shape);
  return walk(x, start.reduce((s, v, k) => s + v * st[k], 0), shape, step.map((v, k) => v * st[k]));
}

/** [start, end) with a step along chosen axes, clamped as numpy does (attributes before opset 10). */
export function Slice(x: Ten, starts: Ten | undefined, ends: Ten | undefined, axes: Ten | undefined, steps: Ten | undefined,
  at: { starts?: number[]; ends?: number[]; axes?: number[] }): Ten {
  const s0 = intsOf(starts) ?? at.starts!, e0 = intsOf(ends) ?? at.ends!;
  const ax = (intsOf(axes) ?? at.axes ?? s0.map((_, i) => i)).map((a) => normAxis(a, x.shape.length));
  const st = intsOf(steps) ?? s0.map(() => 1);
  const start = x.shape.map(() => 0), step = x.shape.map(() => 1), shape = [...x.shape];
  ax.forEach((a, k) => {
    const d = x.shape[a];
    let b = s0[k] < 0 ? s0[k] + d : s0[k], e = e0[k] < 0 ? e0[k] + d : e0[k];
    if (st[k] > 0) { b = Math.min(Math.max(b, 0), d); e = Math.min(Math.max(e, 0), d); }
    else { b = Math.min(Math.max(b, 0), d - 1); e = Math.min(Math.max(e, -1), d - 1); }
    start[a] = b;
    step[a] = st[k];
    shape[a] = d === 0 ? 0 : Math.max(0, Math.ceil((e - b) / st[k]));
  });
  return takeBox(x, start, step, shape);
}

/** Pieces along an axis: sizes from the split input (opset 13) or attribute, else equal parts (the last one smaller). */
export function Split(x: Ten, split: Ten | undefined, at: { axis?: number; split?: number[]; num_outputs?: number; outputs: number }): Ten[] {
  const a = normAxis(at.axis ?? 0, x.shape.length);
  const d = x.shape[a];
  let sizes = intsOf(split) ?? at.split;
  if (!sizes) {
    const n = at.num_outputs ?? at.outputs;
    const each = Math.ceil(d / n);
    sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(each, d - i * each)));
  }
  let off = 0;
  return sizes.map((n) => {
    const start = x.shape.map((_, k) => (k === a ? off : 0));
    const shape = x.shape.map((e, k) => (k === a ? n : e));
    off += n;
    return takeBox(x, start, x.shape.map(() => 1), shape);
  });
}

/** The shape as an int64 vector (dims start..end since opset 15). */
export function Shape(x: Ten, at: { start?: number; end?: number }): Ten {
  const r = x.shape.length;
  const clampAxis = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const dims = x.shape.slice(clampAxis(at.start ?? 0), clampAxis(at.end ?? r));
  return { dtype: "int64", shape: [dims.length], data: Float64Array.from(dims) };
}

/** Entries of x along an axis picked by indices (negative ones count from the end). */
export function Gather(x: Ten, indices: Ten, at: { axis?: number }): Ten {
  const a = normAxis(at.axis ?? 0, x.shape.length);
  const outer = numel(x.shape.slice(0, a)), d = x.shape[a], inner = numel(x.shape.slice(a + 1));
  const idx = Array.from(indices.data as ArrayLike<number>, (i) => {
    if (i < -d || i >= d) throw new Error(`Gather: index ${i} is out of range for an axis of ${d}`);
    return i < 0 ? i + d : i;
  });
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  const data = newData(x.dtype, numel(shape));
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const i of idx) {
      data.set(x.data.subarray((o * d + i) * inner, (o * d + i + 1) * inner), k);
      k += inner;
    }
  }
  return { dtype: x.dtype, shape, data };
}

/** x broadcast against a shape. */
export function Expand(x: Ten, shape: Ten): Ten {
  const out = broadcastShape(x.shape, intsOf(shape)!);
  const idx = broadcastIndex(x.shape, out);
  const data = newData(x.dtype, idx.length);
  for (let i = 0; i < idx.length; i++) data[i] = x.data[idx[i]];
  return { dtype: x.dtype, shape: out, data };
}

/** A tensor of the given shape filled with `value` (a one-element tensor; float32 0 by default). */
export function ConstantOfShape(shape: Ten, at: { value?: Ten }): Ten {
  const dims = intsOf(shape)!;
  const dtype = at.value?.dtype ?? "float32";
  const data = newData(dtype, numel(dims));
  data.fill(at.value ? at.value.data[0] : 0);
  return { dtype, shape: dims, data };
}

/** start, start + delta, ... up to (not including) limit. */
export function Range(start: Ten, limit: Ten, delta: Ten): Ten {
  const s = start.data[0], l = limit.data[0], dl = delta.data[0];
  const n = Math.max(Math.ceil((l - s) / dl), 0);
  const data = newData(start.dtype, n);
  for (let i = 0; i < n; i++) data[i] = s + i * dl;
  return { dtype: start.dtype, shape: [n], data };
}

/** A constant node's value (the value attribute, or one of the value_* shorthands). */
export function Constant(at: { value?: Ten; value_float?: number; value_floats?: number[]; value_int?: number; value_ints?: number[] }): Ten {
  if (at.value) return at.value;
  if (at.value_float !== undefined) return { dtype: "float32", shape: [], data: Float32Array.of(at.value_float) };
  if (at.value_floats) return { dtype: "float32", shape: [at.value_floats.length], data: Float32Array.from(at.value_floats) };
  if (at.value_int !== undefined) return { dtype: "int64", shape: [], data: Float64Array.of(at.value_int) };
  if (at.value_ints) return { dtype: "int64", shape: [at.value_ints.length], data: Float64Array.from(at.value_ints) };
  throw new Error("Constant: no value attribute the program runtime supports");
}
