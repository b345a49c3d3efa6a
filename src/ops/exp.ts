// Exp: e^x elementwise.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Exp over a whole tensor. */
function expKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.exp(x[i]);
}

export const Exp = unaryOp({ name: "Exp", types: FLOATS, attrs: noAttrs, kernel: expKernel });
