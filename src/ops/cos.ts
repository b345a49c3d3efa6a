// Cos: the cosine, in radians, elementwise; float types only, as the spec says.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Cos over a whole tensor. */
function cosKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.cos(x[i]);
}

export const Cos = unaryOp({ name: "Cos", types: FLOATS, attrs: noAttrs, kernel: cosKernel });
