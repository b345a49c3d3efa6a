// Asin: the arcsine (NaN outside [-1, 1]), elementwise; float types only, as the spec says.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Asin over a whole tensor. */
function asinKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.asin(x[i]);
}

export const Asin = unaryOp({ name: "Asin", types: FLOATS, attrs: noAttrs, kernel: asinKernel });
