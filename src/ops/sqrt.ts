// Sqrt: square root elementwise (NaN for negatives).
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Sqrt over a whole tensor. */
function sqrtKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.sqrt(x[i]);
}

export const Sqrt = unaryOp({ name: "Sqrt", types: FLOATS, attrs: noAttrs, kernel: sqrtKernel });
