// IsNaN: which elements are NaN, as a bool tensor of the same shape.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs } from "./util/elementwise.ts";
import { predicateOp } from "./util/predicate.ts";

/** 1 where x is NaN. */
function isNaNKernel(x: NumericArray, y: Uint8Array): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i] !== x[i] ? 1 : 0;
}

export const IsNaN = predicateOp({ name: "IsNaN", types: FLOATS, attrs: noAttrs, kernel: isNaNKernel });
