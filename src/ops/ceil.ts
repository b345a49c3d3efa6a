// Ceil: round toward +inf elementwise.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Ceil over a whole tensor. */
function ceilKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.ceil(x[i]);
}

export const Ceil = unaryOp({ name: "Ceil", types: FLOATS, attrs: noAttrs, kernel: ceilKernel });
