// Mish: (opset 18) x * tanh(softplus(x)).
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Mish over a whole tensor. */
function mishKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v * Math.tanh(v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));
  }
}

export const Mish = unaryOp({ name: "Mish", types: FLOATS, attrs: noAttrs, kernel: mishKernel });
