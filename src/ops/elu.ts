// Elu: x for x >= 0, alpha * (e^x - 1) below (alpha default 1).
import type { NumericArray } from "../graph/tensor.ts";
import { attrFloat, type OpCtx } from "./op.ts";
import { FLOATS, unaryOp } from "./util/elementwise.ts";

export interface EluAttrs {
  alpha: number;
}

/** Read Elu's attributes (ONNX defaults). */
export function eluAttrs(ctx: OpCtx): EluAttrs {
  return { alpha: attrFloat(ctx.node, "alpha", 1) };
}

/** Elu over a whole tensor. */
function eluKernel(x: NumericArray, y: NumericArray, a: EluAttrs): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v < 0 ? a.alpha * Math.expm1(v) : v;
  }
}

export const Elu = unaryOp({ name: "Elu", types: FLOATS, attrs: eluAttrs, kernel: eluKernel });
