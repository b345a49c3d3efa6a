// ReduceLogSumExp: log(sum(exp(x))) over axes (attribute before opset 18, optional input 1 from 18), keepdims
// (default 1), noop_with_empty_axes (opset 18+). Computed as max + log(sum(exp(x - max))) so large inputs
// don't overflow; the empty set gives -inf.
import type { NumericArray, NumTensor } from "../graph/tensor.ts";
import { maxStep } from "./reducemax.ts";
import { FLOATS } from "./util/elementwise.ts";
import { reduce, reduceOp, type ReduceRun, type ReduceSpec } from "./util/reduce.ts";

const maxSpec: ReduceSpec = { name: "max", types: FLOATS, axesInputSince: 18, init: () => -Infinity, step: maxStep };

/** Per call: first the max of each slot, then sum exp(x - max) into it, then add the max back after the log. */
function prepare(x: NumTensor, axes: number[] | null): { step: ReduceRun; final(acc: Float64Array): void } {
  const max = reduce(x, axes, maxSpec);
  // An all -inf (or empty) slot shifts by 0, so exp(-inf - 0) = 0 and the result is -inf, not NaN.
  for (let i = 0; i < max.length; i++) if (max[i] === -Infinity) max[i] = 0;
  const step: ReduceRun = (acc: Float64Array, ao: number, as: number, v: NumericArray, vo: number, n: number) => {
    for (let i = 0; i < n; i++) acc[ao + i * as] += Math.exp(v[vo + i] - max[ao + i * as]);
  };
  const final = (acc: Float64Array) => {
    for (let i = 0; i < acc.length; i++) acc[i] = Math.log(acc[i]) + max[i];
  };
  return { step, final };
}

export const ReduceLogSumExp = reduceOp({
  name: "ReduceLogSumExp", types: FLOATS, axesInputSince: 18, init: () => 0, prepare,
});
