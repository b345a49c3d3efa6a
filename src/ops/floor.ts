// Floor: round toward -inf elementwise.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Floor over a whole tensor. */
function floorKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.floor(x[i]);
}

export const Floor = unaryOp({ name: "Floor", types: FLOATS, attrs: noAttrs, kernel: floorKernel });
