// Relu: max(x, 0) elementwise (NaN stays NaN). Floats, and signed ints since opset 14.
import type { NumericArray } from "../graph/tensor.ts";
import { SIGNED, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Relu over a whole tensor. */
function reluKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i] < 0 ? 0 : x[i];
}

export const Relu = unaryOp({ name: "Relu", types: SIGNED, attrs: noAttrs, kernel: reluKernel });
