// Asinh: the inverse hyperbolic sine, elementwise; float types only, as the spec says.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Asinh over a whole tensor. */
function asinhKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.asinh(x[i]);
}

export const Asinh = unaryOp({ name: "Asinh", types: FLOATS, attrs: noAttrs, kernel: asinhKernel });
