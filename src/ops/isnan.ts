// IsNaN: which elements are NaN, as a bool tensor of the same shape.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** 1 where x is NaN. */
function isNaNKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i] !== x[i] ? 1 : 0;
}

export const IsNaN = unaryOp({ name: "IsNaN", types: FLOATS, attrs: noAttrs, kernel: isNaNKernel, bool: true });
