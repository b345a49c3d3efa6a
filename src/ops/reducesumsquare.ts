// ReduceSumSquare: sum of squares over axes (attribute before opset 18, optional input 1 from 18),
// keepdims (default 1), noop_with_empty_axes (opset 18+; then each element is squared, as the ONNX reference does).
import type { NumericArray } from "../graph/tensor.ts";
import { NUMERIC } from "./util/elementwise.ts";
import { reduceOp } from "./util/reduce.ts";

/** Fold one run into the accumulator by adding squares. */
export function sumSquareStep(acc: Float64Array, ao: number, as: number, x: NumericArray, xo: number, n: number): void {
  if (as === 0) {
    let s = acc[ao];
    for (let i = 0; i < n; i++) s += x[xo + i] * x[xo + i];
    acc[ao] = s;
  } else for (let i = 0; i < n; i++) acc[ao + i] += x[xo + i] * x[xo + i];
}

export const ReduceSumSquare = reduceOp({ name: "ReduceSumSquare", types: NUMERIC, axesInputSince: 18, init: () => 0, step: sumSquareStep });
