// Helpers shared by the shaping ops: axis handling, reading int inputs, strided copies and
// constant folding of small values inside shape rules.
import type { Dim, Node } from "../../graph/graph.ts";
import { allocData, sizeOf, stridesOf, type DType, type Tensor, type TensorData } from "../../graph/tensor.ts";
import { OpError } from "../../errors.ts";
import type { Op, OpCtx, ShapeInfo } from "../op.ts";

/** Writable view shared by typed arrays and string arrays, so copy kernels serve every dtype. */
export interface Cells {
  [i: number]: number | string;
  readonly length: number;
}

/** Largest value (in elements) a shape rule folds: shape plumbing is tiny, weights are not. */
export const FOLD_LIMIT = 4096;

/** Normalise a possibly negative axis into [0, rank), or throw naming the node. */
export function normAxis(node: Node, axis: number, rank: number, what = "axis"): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new OpError(node, `${what} ${axis} is out of range for a rank-${rank} input (expected ${-rank}..${rank - 1})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalise a list of axes; throws on duplicates. */
export function normAxes(node: Node, axes: readonly number[], rank: number, what = "axes"): number[] {
  const out = axes.map((a) => normAxis(node, a, rank, what));
  if (new Set(out).size !== out.length) throw new OpError(node, `${what} [${axes.join(", ")}] repeat an axis`);
  return out;
}

/** The numbers held by an integer (or float) tensor, e.g. a shape, axes or pads input. */
export function intsOf(node: Node, t: Tensor, what: string): number[] {
  if (t.dtype === "string") throw new OpError(node, `${what} must be an integer tensor, got strings`);
  if (t.shape.length > 1) throw new OpError(node, `${what} must be 1-D, got shape [${t.shape.join(", ")}]`);
  return Array.from(t.data as ArrayLike<number>);
}

/** The single number held by a scalar or one-element tensor. */
export function scalarOf(node: Node, t: Tensor, what: string): number {
  if (t.dtype === "string" || sizeOf(t.shape) !== 1) {
    throw new OpError(node, `${what} must be a one-element numeric tensor, got ${t.dtype}[${t.shape.join(", ")}]`);
  }
  return (t.data as ArrayLike<number>)[0];
}

/** A required input, or an OpError saying which one is missing. */
export function need<T>(node: Node, inputs: readonly (T | undefined)[], i: number, what: string): T {
  const v = inputs[i];
  if (v === undefined) throw new OpError(node, `input ${i} (${what}) is required but missing`);
  return v;
}

/** Concrete dims of a shape, or null when any dim is unknown or symbolic. */
export function concrete(shape: readonly Dim[] | null | undefined): number[] | null {
  if (!shape) return null;
  for (const d of shape) if (typeof d !== "number") return null;
  return shape as number[];
}

/** A 1-D int64 tensor. */
export function int64s(values: readonly number[]): Tensor {
  const data = new Float64Array(values.length);
  data.set(values);
  return { dtype: "int64", shape: [values.length], data };
}

/** A tensor with new dims over the same data: reshapes never copy (kernels never mutate inputs). */
export function view(t: Tensor, shape: number[]): Tensor {
  return { dtype: t.dtype, shape, data: t.data };
}

/** Copy n cells from src[srcOff..] to dst[dstOff..]. */
export function copyRange(src: TensorData, srcOff: number, dst: TensorData, dstOff: number, n: number): void {
  if (n <= 0) return;
  if (Array.isArray(src) || Array.isArray(dst)) {
    const s: Cells = src;
    const d: Cells = dst;
    for (let i = 0; i < n; i++) d[dstOff + i] = s[srcOff + i];
  } else if (n === 1) dst[dstOff] = src[srcOff];
  else (dst as Float32Array).set((src as Float32Array).subarray(srcOff, srcOff + n), dstOff);
}

/**
 * Copy a strided box: for every index i over `shape` (row-major), dst[dstBase + i·dstStrides] = src[srcBase + i·srcStrides].
 * Transpose, Slice, Expand, Tile and Pad are all this loop with different strides.
 */
export function stridedCopy(
  src: TensorData, srcBase: number, srcStrides: readonly number[],
  dst: TensorData, dstBase: number, dstStrides: readonly number[],
  shape: readonly number[],
): void {
  const rank = shape.length;
  const total = sizeOf(shape);
  if (total === 0) return;
  const s: Cells = src;
  const d: Cells = dst;
  if (rank === 0) {
    d[dstBase] = s[srcBase];
    return;
  }
  const last = rank - 1;
  const n = shape[last];
  const ss = srcStrides[last];
  const ds = dstStrides[last];
  const counter = new Array<number>(rank).fill(0);
  let so = srcBase;
  let dO = dstBase;
  for (let done = 0; done < total; done += n) {
    if (ss === 1 && ds === 1) copyRange(src, so, dst, dO, n);
    else for (let i = 0; i < n; i++) d[dO + i * ds] = s[so + i * ss];
    // Advance the outer axes like an odometer.
    for (let a = last - 1; a >= 0; a--) {
      counter[a]++;
      so += srcStrides[a];
      dO += dstStrides[a];
      if (counter[a] < shape[a]) break;
      so -= srcStrides[a] * shape[a];
      dO -= dstStrides[a] * shape[a];
      counter[a] = 0;
    }
  }
}

/** A new tensor of `shape` filled by reading src through per-output-axis strides (0 = broadcast). */
export function gatherStrided(src: Tensor, srcBase: number, srcStrides: readonly number[], shape: number[]): Tensor {
  const data = allocData(src.dtype, sizeOf(shape));
  stridedCopy(src.data, srcBase, srcStrides, data, 0, stridesOf(shape), shape);
  return { dtype: src.dtype, shape, data };
}

/** Input strides of `inShape` seen from an output of `outShape` it broadcasts to (0 along broadcast axes). */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const st = stridesOf(inShape);
  const off = outShape.length - inShape.length;
  return outShape.map((_, o) => {
    const i = o - off;
    return i < 0 || inShape[i] === 1 ? 0 : st[i];
  });
}

/**
 * Add constant values to inferred outputs when every present input is a known small constant:
 * this is what lets Shape -> Gather -> Concat -> Reshape chains fold to exact shapes.
 */
export function foldValues(op: Op, outs: ShapeInfo[], inputs: readonly (ShapeInfo | undefined)[], ctx: OpCtx): ShapeInfo[] {
  const vals: (Tensor | undefined)[] = [];
  for (const inp of inputs) {
    if (inp === undefined) {
      vals.push(undefined);
      continue;
    }
    if (!inp.value || sizeOf(inp.value.shape) > FOLD_LIMIT) return outs;
    vals.push(inp.value);
  }
  for (const o of outs) {
    const c = concrete(o.shape);
    if (!c || sizeOf(c) > FOLD_LIMIT) return outs;
  }
  const res = op.run(vals, ctx);
  return outs.map((o, k) => (res[k] ? { dtype: res[k].dtype, shape: [...res[k].shape], value: res[k] } : o));
}

/** Shape info with no value: a dtype and dims. */
export function info(dtype: DType, shape: Dim[] | null): ShapeInfo {
  return { dtype, shape };
}

/** Clamp x into [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Wrap an op so its shape rule also computes values when every input is a known small constant. */
export function foldable(op: Op): Op {
  return { ...op, shape: (inputs, ctx) => foldValues(op, op.shape(inputs, ctx), inputs, ctx) };
}

/** Product of dims: a number when all are known, a lone symbol times 1s stays that symbol, else null (0 wins). */
export function dimProduct(dims: readonly Dim[]): Dim {
  let p = 1;
  const unknown: Dim[] = [];
  for (const d of dims) {
    if (d === 0) return 0;
    if (typeof d === "number") p *= d;
    else unknown.push(d);
  }
  if (unknown.length === 0) return p;
  return unknown.length === 1 && p === 1 ? unknown[0] : null;
}
