// ReduceProd: product over axes (attribute before opset 18, optional input 1 from 18), keepdims (default 1),
// noop_with_empty_axes (opset 18+). The empty set gives 1.
import type { NumericArray } from "../graph/tensor.ts";
import { NUMERIC } from "./util/elementwise.ts";
import { reduceOp } from "./util/reduce.ts";

/** Fold one run into the accumulator by multiplication. */
function prodStep(acc: Float64Array, ao: number, as: number, x: NumericArray, xo: number, n: number): void {
  if (as === 0) {
    let p = acc[ao];
    for (let i = 0; i < n; i++) p *= x[xo + i];
    acc[ao] = p;
  } else for (let i = 0; i < n; i++) acc[ao + i] *= x[xo + i];
}

export const ReduceProd = reduceOp({ name: "ReduceProd", types: NUMERIC, axesInputSince: 18, init: () => 1, step: prodStep });
