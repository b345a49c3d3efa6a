// Gelu (opset 20): x * Phi(x), exactly with erf or with the tanh approximation (approximate="tanh").
import type { NumericArray } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrString, type OpCtx } from "./op.ts";
import { erf } from "./erf.ts";
import { FLOATS, unaryOp } from "./util/elementwise.ts";

export interface GeluAttrs {
  approximate: "none" | "tanh";
}

/** Read Gelu's attributes, rejecting unknown approximations. */
export function geluAttrs(ctx: OpCtx): GeluAttrs {
  const a = attrString(ctx.node, "approximate", "none");
  if (a !== "none" && a !== "tanh") throw new OpError(ctx.node, `approximate must be "none" or "tanh", got "${a}"`);
  return { approximate: a };
}

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Gelu over a whole tensor. */
function geluKernel(x: NumericArray, y: NumericArray, { approximate }: GeluAttrs): void {
  if (approximate === "tanh") {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      y[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
    }
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      y[i] = 0.5 * v * (1 + erf(v * SQRT1_2));
    }
  }
}

export const Gelu = unaryOp({ name: "Gelu", types: FLOATS, attrs: geluAttrs, kernel: geluKernel });
