// Abs: |x| elementwise; narrow ints wrap (|-128| is -128 in int8), as in numpy.
import type { NumericArray } from "../graph/tensor.ts";
import { NUMERIC, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Abs over a whole tensor. */
function absKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.abs(x[i]);
}

export const Abs = unaryOp({ name: "Abs", types: NUMERIC, attrs: noAttrs, kernel: absKernel });
