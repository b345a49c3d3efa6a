// HardSigmoid: max(0, min(1, alpha * x + beta)) (alpha 0.2, beta 0.5 by default).
import type { NumericArray } from "../graph/tensor.ts";
import { attrFloat, type OpCtx } from "./op.ts";
import { FLOATS, unaryOp } from "./util/elementwise.ts";

export interface HardSigmoidAttrs {
  alpha: number;
  beta: number;
}

/** Read HardSigmoid's attributes (ONNX defaults). */
export function hardsigmoidAttrs(ctx: OpCtx): HardSigmoidAttrs {
  return { alpha: attrFloat(ctx.node, "alpha", 0.2), beta: attrFloat(ctx.node, "beta", 0.5) };
}

/** HardSigmoid over a whole tensor. */
function hardsigmoidKernel(x: NumericArray, y: NumericArray, a: HardSigmoidAttrs): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const h = a.alpha * v + a.beta;
    y[i] = h < 0 ? 0 : h > 1 ? 1 : h;
  }
}

export const HardSigmoid = unaryOp({ name: "HardSigmoid", types: FLOATS, attrs: hardsigmoidAttrs, kernel: hardsigmoidKernel });
