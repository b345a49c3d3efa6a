// HardSwish: (opset 14) x * max(0, min(1, x / 6 + 1/2)).
import type { NumericArray } from "../graph/tensor.ts";
import { FLOATS, noAttrs, unaryOp } from "./util/elementwise.ts";

/** HardSwish over a whole tensor. */
function hardswishKernel(x: NumericArray, y: NumericArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const h = v / 6 + 0.5;
    y[i] = v * (h < 0 ? 0 : h > 1 ? 1 : h);
  }
}

export const HardSwish = unaryOp({ name: "HardSwish", types: FLOATS, attrs: noAttrs, kernel: hardswishKernel });
