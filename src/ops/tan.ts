// Tan: the tangent, in radians, elementwise; float types only, as the spec says.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Tan over a whole tensor. */
function tanKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.tan(x[i]);
}

export const Tan = unaryOp({ name: "Tan", types: FLOATS, attrs: noAttrs, kernel: tanKernel });
