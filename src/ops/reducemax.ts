// ReduceMax: maximum over axes (attribute before opset 18, optional input 1 from 18), keepdims (default 1),
// noop_with_empty_axes (opset 18+); bool inputs since opset 20. The empty set gives -inf, or the dtype's
// minimum for integers. NaN wins, as in numpy.
import type { NumericArray } from "../graph/tensor.ts";
import { BOOL, NUMERIC, typeRange } from "./util/elementwise.ts";
import { reduceOp } from "./util/reduce.ts";

/** Fold one run into the accumulator by maximum. */
export function maxStep(acc: Float64Array, ao: number, as: number, x: NumericArray, xo: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[xo + i];
    const k = ao + i * as;
    if (v > acc[k] || v !== v) acc[k] = v;
  }
}

export const ReduceMax = reduceOp({
  name: "ReduceMax", types: [...NUMERIC, ...BOOL], axesInputSince: 18, init: (dt) => typeRange(dt)[0], step: maxStep,
});
