// ReduceSum: sum over axes (attribute before opset 13, optional input 1 from 13), keepdims (default 1),
// noop_with_empty_axes (opset 13+). The empty set sums to 0.
import type { NumericArray } from "../graph/tensor.ts";
import { NUMERIC } from "./util/elementwise.ts";
import { reduceOp } from "./util/reduce.ts";

/** Fold one run into the accumulator by addition. */
export function sumStep(acc: Float64Array, ao: number, as: number, x: NumericArray, xo: number, n: number): void {
  if (as === 0) {
    let s = acc[ao];
    for (let i = 0; i < n; i++) s += x[xo + i];
    acc[ao] = s;
  } else for (let i = 0; i < n; i++) acc[ao + i] += x[xo + i];
}

export const ReduceSum = reduceOp({ name: "ReduceSum", types: NUMERIC, axesInputSince: 13, init: () => 0, step: sumStep });
