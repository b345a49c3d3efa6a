// LeakyRelu: x for x >= 0, alpha * x below.
import type { NumericArray } from "../graph/tensor.ts";
import { attrFloat, type OpCtx } from "./op.ts";
import { FLOATS, unaryOp } from "./util/elementwise.ts";

export interface LeakyReluAttrs {
  /** Slope below zero; default 0.01. */
  alpha: number;
}

/** Read LeakyRelu's attributes. */
export function leakyReluAttrs(ctx: OpCtx): LeakyReluAttrs {
  return { alpha: attrFloat(ctx.node, "alpha", 0.01) };
}

/** LeakyRelu over a whole tensor. */
function leakyReluKernel(x: NumericArray, y: NumericArray, { alpha }: LeakyReluAttrs): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v < 0 ? alpha * v : v;
  }
}

export const LeakyRelu = unaryOp({ name: "LeakyRelu", types: FLOATS, attrs: leakyReluAttrs, kernel: leakyReluKernel });
