// Sinh: the hyperbolic sine, elementwise; float types only, as the spec says.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Sinh over a whole tensor. */
function sinhKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.sinh(x[i]);
}

export const Sinh = unaryOp({ name: "Sinh", types: FLOATS, attrs: noAttrs, kernel: sinhKernel });
