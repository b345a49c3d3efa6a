// Celu: (opset 12) max(0, x) + min(0, alpha * (e^(x/alpha) - 1)) (alpha default 1).
import type { NumericArray } from "../graph/tensor.ts";
import { attrFloat, type OpCtx } from "./op.ts";
import { FLOATS, unaryOp } from "./util/elementwise.ts";

export interface CeluAttrs {
  alpha: number;
}

/** Read Celu's attributes (ONNX defaults). */
export function celuAttrs(ctx: OpCtx): CeluAttrs {
  return { alpha: attrFloat(ctx.node, "alpha", 1) };
}

/** Celu over a whole tensor. */
function celuKernel(x: NumericArray, y: NumericArray, a: CeluAttrs): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v < 0 ? a.alpha * Math.expm1(v / a.alpha) : v;
  }
}

export const Celu = unaryOp({ name: "Celu", types: FLOATS, attrs: celuAttrs, kernel: celuKernel });
