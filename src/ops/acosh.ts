// Acosh: the inverse hyperbolic cosine (NaN below 1), elementwise; float types only, as the spec says.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Acosh over a whole tensor. */
function acoshKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.acosh(x[i]);
}

export const Acosh = unaryOp({ name: "Acosh", types: FLOATS, attrs: noAttrs, kernel: acoshKernel });
