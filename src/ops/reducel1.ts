// ReduceL1: sum of |x| over axes (attribute before opset 18, optional input 1 from 18), keepdims (default 1),
// noop_with_empty_axes (opset 18+). The empty set gives 0.
import type { NumericArray } from "../graph/tensor.ts";
import { NUMERIC } from "./util/elementwise.ts";
import { reduceOp } from "./util/reduce.ts";

/** Fold one run into the accumulator by adding absolute values. */
function absSumStep(acc: Float64Array, ao: number, as: number, x: NumericArray, xo: number, n: number): void {
  for (let i = 0; i < n; i++) acc[ao + i * as] += Math.abs(x[xo + i]);
}

export const ReduceL1 = reduceOp({ name: "ReduceL1", types: NUMERIC, axesInputSince: 18, init: () => 0, step: absSumStep });
