// Reciprocal: 1/x elementwise.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Reciprocal over a whole tensor. */
function reciprocalKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = 1 / x[i];
}

export const Reciprocal = unaryOp({ name: "Reciprocal", types: FLOATS, attrs: noAttrs, kernel: reciprocalKernel });
