// Shared machinery of the reductions (Reduce*, ArgMax/ArgMin, Softmax-like ops): axis handling across
// opsets, and a reduction driver that walks the input in contiguous runs against a broadcast accumulator.
//
// Reducing is broadcasting run backwards: the accumulator has the input's shape with 1 on reduced axes, so
// the run planner of the elementwise ops gives, per run of the input, the accumulator slot(s) it folds into
// (step 0: the whole run folds into one slot; step 1: the run adds elementwise into a row of slots).
import type { Dim, Node } from "../../graph/graph.ts";
import { allocData, isFloat, sizeOf, type DType, type NumericArray, type NumTensor, type Tensor } from "../../graph/tensor.ts";
import { OpError } from "../../errors.ts";
import { attrInt, attrInts, type Op, type OpCtx } from "../op.ts";
import { checkType, finish, FLOATS, foldable, forEachRun, numInput, planRuns, required } from "./elementwise.ts";

/** An axis in [0, rank), from a possibly negative one; OpError when out of range. */
export function normAxis(node: Node, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= Math.max(rank, 1)) throw new OpError(node, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Sizes before, along and after one axis: the (outer, len, inner) view every single-axis kernel uses. */
export interface AxisLayout {
  outer: number;
  len: number;
  inner: number;
}

/** The (outer, len, inner) view of a shape around an axis in [0, rank]. */
export function axisLayout(shape: readonly number[], axis: number): AxisLayout {
  const outer = sizeOf(shape.slice(0, axis));
  const len = axis < shape.length ? shape[axis] : 1;
  return { outer, len, inner: sizeOf(shape.slice(axis + 1)) };
}

/** Which axes a Reduce* call reduces. */
export interface ReduceAxes {
  /**
   * Sorted axes; null = all; [] = none (noop_with_empty_axes: each element is reduced alone, so ReduceSumSquare
   * still squares, as the ONNX reference does); undefined = given by an input whose value is unknown (shape inference).
   */
  axes: number[] | null | undefined;
  keepdims: boolean;
}

/**
 * Read keepdims, noop_with_empty_axes and the axes: an attribute before `inputSince`, else the optional
 * input 1 (whose value may be unknown during shape inference: `axes` is then undefined).
 */
export function reduceAxes(ctx: OpCtx, axesInput: Tensor | undefined | "unknown", inputSince: number, rank: number): ReduceAxes {
  const keepdims = attrInt(ctx.node, "keepdims", 1) !== 0;
  let raw: number[] | undefined;
  if (ctx.opset < inputSince) raw = attrInts(ctx.node, "axes");
  else if (axesInput === "unknown") return { axes: undefined, keepdims };
  else if (axesInput) {
    if (axesInput.dtype !== "int64") throw new OpError(ctx.node, `axes input must be int64, got ${axesInput.dtype}`);
    raw = [...(axesInput.data as NumericArray)];
  }
  if (!raw || raw.length === 0) {
    const noop = ctx.opset >= inputSince && attrInt(ctx.node, "noop_with_empty_axes", 0) !== 0;
    return { axes: noop ? [] : null, keepdims };
  }
  const axes = raw.map((a) => normAxis(ctx.node, a, rank)).sort((a, b) => a - b);
  if (axes.some((a, i) => i > 0 && a === axes[i - 1])) throw new OpError(ctx.node, `axes [${raw.join(", ")}] repeat an axis`);
  return { axes, keepdims };
}

/** The output dims of a reduction over known axes. */
export function reducedDims<D extends Dim>(shape: readonly D[], axes: number[] | null, keepdims: boolean): D[] {
  const isReduced = (i: number) => axes === null || axes.includes(i);
  if (keepdims) return shape.map((d, i) => (isReduced(i) ? (1 as D) : d));
  return shape.filter((_, i) => !isReduced(i));
}

/** Output dims when the axes' values are unknown: dims of size 1 stay 1 with keepdims; without keepdims the
 *  rank is still known from how many axes there are (they must be distinct). */
function unknownAxesDims(shape: readonly Dim[], axesShape: Dim[] | null, keepdims: boolean): Dim[] | null {
  if (keepdims) return shape.map((d) => (d === 1 ? 1 : null));
  const count = axesShape?.length === 1 ? axesShape[0] : null;
  if (typeof count !== "number" || count === 0 || count > shape.length) return null;
  return new Array<Dim>(shape.length - count).fill(null);
}

/** Fold one run of the input into the accumulator: acc[ao + i*as] = f(acc[ao + i*as], x[xo + i]). */
export type ReduceRun = (acc: Float64Array, ao: number, as: number, x: NumericArray, xo: number, n: number) => void;

/** What reduceOp needs to know about one Reduce* op. */
export interface ReduceSpec {
  name: string;
  types: readonly DType[];
  /** Opset from which `axes` is input 1 rather than an attribute (ReduceSum 13, the others 18). */
  axesInputSince: number;
  /** Accumulator start (the result for an empty set, before `final`). */
  init(dtype: DType): number;
  /** The fold; reductions with `prepare` build theirs per call instead. */
  step?: ReduceRun;
  /** Turn accumulated values into results, given how many elements each slot reduced. */
  final?(acc: Float64Array, count: number): void;
  /** For reductions needing a first pass over the input (ReduceLogSumExp: the max), step and final per call. */
  prepare?(x: NumTensor, axes: number[] | null): Pick<ReduceSpec, "step" | "final">;
}

/** Reduce x over the given axes (null = all) with a spec's step; accumulates in float64, kept-dims layout. */
export function reduce(x: NumTensor, axes: number[] | null, spec: ReduceSpec): Float64Array {
  const accShape = reducedDims(x.shape, axes, true);
  const acc = new Float64Array(sizeOf(accShape)).fill(spec.init(x.dtype));
  const { step, final } = spec.prepare ? spec.prepare(x, axes) : spec;
  if (!step) throw new Error(`${spec.name} has neither a step nor a prepare`);
  // x's own runs are always contiguous (step 1): only the accumulator's step varies.
  const plan = planRuns(x.shape, [x.shape, accShape]);
  const as = plan.steps[1];
  forEachRun(plan, (offs) => step(acc, offs[1], as, x.data, offs[0], plan.inner));
  final?.(acc, acc.length ? sizeOf(x.shape) / acc.length : 0);
  return acc;
}

/** Build a Reduce* Op from its spec. */
export function reduceOp(spec: ReduceSpec): Op {
  return foldable({
    name: spec.name,
    shape(infos, ctx) {
      const x = required(ctx.node, infos, 0);
      checkType(ctx.node, x.dtype, spec.types, "input 0");
      if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
      const axesInfo = infos[1];
      const axesArg = axesInfo === undefined ? undefined : axesInfo.value ?? "unknown";
      const r = reduceAxes(ctx, axesArg, spec.axesInputSince, x.shape.length);
      if (r.axes === undefined) return [{ dtype: x.dtype, shape: unknownAxesDims(x.shape, axesInfo?.shape ?? null, r.keepdims) }];
      return [{ dtype: x.dtype, shape: reducedDims(x.shape, r.axes, r.keepdims) }];
    },
    run(inputs, ctx) {
      const x = numInput(ctx.node, inputs, 0, spec.types);
      const r = reduceAxes(ctx, inputs[1], spec.axesInputSince, x.shape.length);
      const acc = reduce(x, r.axes ?? null, spec);
      const out = allocData(x.dtype, acc.length) as NumericArray;
      // Integer means truncate (as numpy's astype); int64's Float64Array would not do it on its own.
      if (isFloat(x.dtype)) out.set(acc);
      else for (let i = 0; i < acc.length; i++) out[i] = Math.trunc(acc[i]);
      finish(x.dtype, out);
      return [{ dtype: x.dtype, shape: reducedDims(x.shape, r.axes ?? null, r.keepdims), data: out }];
    },
  });
}

/** ArgMax/ArgMin attributes. */
export interface ArgAttrs {
  axis: number;
  keepdims: boolean;
  /** On ties, report the last index instead of the first (opset 12). */
  selectLast: boolean;
}

/** Read ArgMax/ArgMin attributes for an input of the given rank. */
export function argAttrs(ctx: OpCtx, rank: number): ArgAttrs {
  return {
    axis: normAxis(ctx.node, attrInt(ctx.node, "axis", 0), rank),
    keepdims: attrInt(ctx.node, "keepdims", 1) !== 0,
    selectLast: attrInt(ctx.node, "select_last_index", 0) !== 0,
  };
}

/** Index of the max (or min) along one axis, for every (outer, inner) position; NaN counts as the extreme. */
export function argReduce(x: NumericArray, { outer, len, inner }: AxisLayout, findMax: boolean, selectLast: boolean): Float64Array {
  const out = new Float64Array(outer * inner);
  const best = new Float64Array(inner);
  const sign = findMax ? 1 : -1;
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    for (let j = 0; j < inner; j++) best[j] = sign * x[base + j];
    for (let k = 1; k < len; k++) {
      const row = base + k * inner;
      for (let j = 0; j < inner; j++) {
        const v = sign * x[row + j];
        const b = best[j];
        // NaN beats numbers; after a NaN, only a later NaN can win (and only with selectLast).
        const wins = b !== b ? v !== v && selectLast : v > b || v !== v || (selectLast && v === b);
        if (wins) {
          best[j] = v;
          out[o * inner + j] = k;
        }
      }
    }
  }
  return out;
}

/** Build ArgMax or ArgMin: int64 indices along `axis`. */
export function argOp(name: string, types: readonly DType[], findMax: boolean): Op {
  return foldable({
    name,
    shape(infos, ctx) {
      const x = required(ctx.node, infos, 0);
      checkType(ctx.node, x.dtype, types, "input 0");
      if (x.shape === null) return [{ dtype: "int64", shape: null }];
      const a = argAttrs(ctx, x.shape.length);
      return [{ dtype: "int64", shape: reducedDims(x.shape, [a.axis], a.keepdims) }];
    },
    run(inputs, ctx) {
      const x = numInput(ctx.node, inputs, 0, types);
      const a = argAttrs(ctx, x.shape.length);
      const layout = axisLayout(x.shape, a.axis);
      if (layout.len === 0) throw new OpError(ctx.node, `cannot take ${name} along axis ${a.axis} of size 0`);
      const data = argReduce(x.data, layout, findMax, a.selectLast);
      return [{ dtype: "int64", shape: reducedDims(x.shape, [a.axis], a.keepdims), data }];
    },
  });
}

/**
 * The (outer, len, inner) view Softmax-like ops normalise over. Before opset 13 the input is coerced to 2-D
 * at `axis` (default 1): every dim from axis on is one row. From 13 it is the single axis `axis` (default -1).
 */
export function softmaxLayout(ctx: OpCtx, shape: readonly number[]): AxisLayout {
  const rank = shape.length;
  if (ctx.opset < 13) {
    const axis = attrInt(ctx.node, "axis", 1);
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a > rank) throw new OpError(ctx.node, `axis ${axis} is out of range for rank ${rank}`);
    return { outer: sizeOf(shape.slice(0, a)), len: sizeOf(shape.slice(a)), inner: 1 };
  }
  return axisLayout(shape, normAxis(ctx.node, attrInt(ctx.node, "axis", -1), rank));
}

/** A Softmax-like op (Softmax, LogSoftmax, Hardmax): float input, same dtype and shape out, `kernel` over the
 *  lines softmaxLayout picks (computed in float64 where the kernel says so, then rounded for float16). */
export function softmaxLikeOp(name: string, kernel: (x: NumericArray, y: NumericArray, layout: AxisLayout) => void): Op {
  return foldable({
    name,
    shape(infos, ctx) {
      const x = required(ctx.node, infos, 0);
      checkType(ctx.node, x.dtype, FLOATS, "input 0");
      if (x.shape) softmaxLayout(ctx, x.shape.map((d) => (typeof d === "number" ? d : 1)));
      return [{ dtype: x.dtype, shape: x.shape }];
    },
    run(inputs, ctx) {
      const x = numInput(ctx.node, inputs, 0, FLOATS);
      const y = allocData(x.dtype, x.data.length) as NumericArray;
      kernel(x.data, y, softmaxLayout(ctx, x.shape));
      finish(x.dtype, y);
      return [{ dtype: x.dtype, shape: [...x.shape], data: y }];
    },
  });
}
