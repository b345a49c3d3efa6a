// Log: natural log elementwise (log 0 = -inf, log of a negative = NaN).
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Log over a whole tensor. */
function logKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.log(x[i]);
}

export const Log = unaryOp({ name: "Log", types: FLOATS, attrs: noAttrs, kernel: logKernel });
