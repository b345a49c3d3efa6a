// Tanh: hyperbolic tangent elementwise.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Tanh over a whole tensor. */
function tanhKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
}

export const Tanh = unaryOp({ name: "Tanh", types: FLOATS, attrs: noAttrs, kernel: tanhKernel });
