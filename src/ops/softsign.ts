// Softsign: x / (1 + |x|).
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Softsign over a whole tensor. */
function softsignKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v / (1 + Math.abs(v));
  }
}

export const Softsign = unaryOp({ name: "Softsign", types: FLOATS, attrs: noAttrs, kernel: softsignKernel });
