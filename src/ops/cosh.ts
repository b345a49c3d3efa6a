// Cosh: the hyperbolic cosine, elementwise; float types only, as the spec says.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Cosh over a whole tensor. */
function coshKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.cosh(x[i]);
}

export const Cosh = unaryOp({ name: "Cosh", types: FLOATS, attrs: noAttrs, kernel: coshKernel });
