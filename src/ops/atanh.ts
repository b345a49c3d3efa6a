// Atanh: the inverse hyperbolic tangent (NaN outside [-1, 1]), elementwise; float types only, as the spec says.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Atanh over a whole tensor. */
function atanhKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.atanh(x[i]);
}

export const Atanh = unaryOp({ name: "Atanh", types: FLOATS, attrs: noAttrs, kernel: atanhKernel });
