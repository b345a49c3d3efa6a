// Sign: -1, 0 or 1 by the sign of x (NaN stays NaN).
import type { NumericArray } from "../graph/tensor.ts";
import { NUMERIC, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Sign over a whole tensor. */
function signKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.sign(x[i]);
}

export const Sign = unaryOp({ name: "Sign", types: NUMERIC, attrs: noAttrs, kernel: signKernel });
