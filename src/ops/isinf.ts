// IsInf: which elements are infinite, as a bool tensor; detect_negative / detect_positive (default 1) choose
// which infinities count.
import type { NumericArray } from "../graph/tensor.ts";
import { attrInt, type OpCtx } from "./op.ts";
import { FLOATS, unaryOp } from "./util/elementwise.ts";

export interface IsInfAttrs {
  negative: boolean;
  positive: boolean;
}

/** Read IsInf's attributes. */
function isInfAttrs(ctx: OpCtx): IsInfAttrs {
  return { negative: attrInt(ctx.node, "detect_negative", 1) !== 0, positive: attrInt(ctx.node, "detect_positive", 1) !== 0 };
}

/** 1 where x is an infinity that the attributes ask for. */
function isInfKernel(x: NumericArray, y: NumericArray, { negative, positive }: IsInfAttrs): void {
  for (let i = 0; i < x.length; i++) y[i] = (positive && x[i] === Infinity) || (negative && x[i] === -Infinity) ? 1 : 0;
}

export const IsInf = unaryOp({ name: "IsInf", types: FLOATS, attrs: isInfAttrs, kernel: isInfKernel, bool: true });
