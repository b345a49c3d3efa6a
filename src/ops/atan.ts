// Atan: the arctangent, elementwise; float types only, as the spec says.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Atan over a whole tensor. */
function atanKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.atan(x[i]);
}

export const Atan = unaryOp({ name: "Atan", types: FLOATS, attrs: noAttrs, kernel: atanKernel });
