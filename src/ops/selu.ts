// Selu: gamma * x for x > 0, gamma * alpha * (e^x - 1) otherwise (the self-normalising constants by default).
import type { NumericArray } from "../graph/tensor.ts";
import { attrFloat, type OpCtx } from "./op.ts";
import { FLOATS, unaryOp } from "./util/elementwise.ts";

export interface SeluAttrs {
  alpha: number;
  gamma: number;
}

/** Read Selu's attributes (ONNX defaults). */
export function seluAttrs(ctx: OpCtx): SeluAttrs {
  return { alpha: attrFloat(ctx.node, "alpha", 1.67326319217681884765625), gamma: attrFloat(ctx.node, "gamma", 1.05070102214813232421875) };
}

/** Selu over a whole tensor. */
function seluKernel(x: NumericArray, y: NumericArray, a: SeluAttrs): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > 0 ? a.gamma * v : a.gamma * a.alpha * Math.expm1(v);
  }
}

export const Selu = unaryOp({ name: "Selu", types: FLOATS, attrs: seluAttrs, kernel: seluKernel });
