// Softplus: log(1 + e^x), computed without overflow for large x.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Softplus over a whole tensor. */
function softplusKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
  }
}

export const Softplus = unaryOp({ name: "Softplus", types: FLOATS, attrs: noAttrs, kernel: softplusKernel });
