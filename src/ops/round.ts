// Round: (opset 11) round to the nearest integer, halves to even.
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** Round over a whole tensor. */
function roundKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const r = Math.round(v);
    // Math.round sends halves up; ONNX (like numpy) sends them to the even neighbour.
    y[i] = r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }
}

export const Round = unaryOp({ name: "Round", types: FLOATS, attrs: noAttrs, kernel: roundKernel });
