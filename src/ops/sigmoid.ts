// Sigmoid: 1 / (1 + e^-x) elementwise.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Sigmoid over a whole tensor; e^-|x| never overflows, so both tails stay accurate. */
function sigmoidKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      y[i] = e / (1 + e);
    }
  }
}

export const Sigmoid = unaryOp({ name: "Sigmoid", types: FLOATS, attrs: noAttrs, kernel: sigmoidKernel });
