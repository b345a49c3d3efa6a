// And: logical and of two bool tensors (both true), numpy broadcasting.
import type { NumericArray } from "../graph/tensor.ts";
import { binaryOp, BOOL } from "./util/elementwise.ts";

/** a & b over one run; bools are stored as 0/1, so the bitwise operator is the logical one. */
function andRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as] & b[bo + i * bs];
}

export const And = binaryOp({ name: "And", types: BOOL, bool: true, kernel: () => andRun });
