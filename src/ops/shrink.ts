// Shrink: (opset 9) x + bias below -lambd, x - bias above lambd, 0 between (bias 0, lambd 0.5 by default).
import type { NumericArray } from "../graph/tensor.ts";
import { attrFloat, type OpCtx } from "./op.ts";
import { NUMERIC, unaryOp } from "./util/elementwise.ts";

export interface ShrinkAttrs {
  bias: number;
  lambd: number;
}

/** Read Shrink's attributes (ONNX defaults). */
export function shrinkAttrs(ctx: OpCtx): ShrinkAttrs {
  return { bias: attrFloat(ctx.node, "bias", 0), lambd: attrFloat(ctx.node, "lambd", 0.5) };
}

/** Shrink over a whole tensor. */
function shrinkKernel(x: NumericArray, y: NumericArray, a: ShrinkAttrs): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v < -a.lambd ? v + a.bias : v > a.lambd ? v - a.bias : 0;
  }
}

export const Shrink = unaryOp({ name: "Shrink", types: NUMERIC, attrs: shrinkAttrs, kernel: shrinkKernel });
