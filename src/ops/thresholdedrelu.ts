// ThresholdedRelu: (opset 10) x where x > alpha (default 1), else 0.
import type { NumericArray } from "../graph/tensor.ts";
import { attrFloat, type OpCtx } from "./op.ts";
import { FLOATS, unaryOp } from "./util/elementwise.ts";

export interface ThresholdedReluAttrs {
  alpha: number;
}

/** Read ThresholdedRelu's attributes (ONNX defaults). */
export function thresholdedreluAttrs(ctx: OpCtx): ThresholdedReluAttrs {
  return { alpha: attrFloat(ctx.node, "alpha", 1) };
}

/** ThresholdedRelu over a whole tensor. */
function thresholdedreluKernel(x: NumericArray, y: NumericArray, a: ThresholdedReluAttrs): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > a.alpha ? v : 0;
  }
}

export const ThresholdedRelu = unaryOp({ name: "ThresholdedRelu", types: FLOATS, attrs: thresholdedreluAttrs, kernel: thresholdedreluKernel });
