// Neg: -x elementwise. Signed types only; narrow ints wrap (-(-128) is -128 in int8), as in numpy.
import type { NumericArray } from "../graph/tensor.ts";
import { SIGNED, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Neg over a whole tensor. */
function negKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = -x[i];
}

export const Neg = unaryOp({ name: "Neg", types: SIGNED, attrs: noAttrs, kernel: negKernel });
