// Not: logical negation of a bool tensor.
import type { NumericArray } from "../graph/tensor.ts";
import { BOOL, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Not over a whole tensor (bools are stored as 0/1). */
function notKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i] ? 0 : 1;
}

export const Not = unaryOp({ name: "Not", types: BOOL, attrs: noAttrs, kernel: notKernel });
