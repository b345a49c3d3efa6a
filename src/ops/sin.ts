// Sin: the sine, in radians, elementwise; float types only, as the spec says.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Sin over a whole tensor. */
function sinKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.sin(x[i]);
}

export const Sin = unaryOp({ name: "Sin", types: FLOATS, attrs: noAttrs, kernel: sinKernel });
