// Acos: the arccosine (NaN outside [-1, 1]), elementwise; float types only, as the spec says.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Acos over a whole tensor. */
function acosKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.acos(x[i]);
}

export const Acos = unaryOp({ name: "Acos", types: FLOATS, attrs: noAttrs, kernel: acosKernel });
