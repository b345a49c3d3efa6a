// Xor: logical xor of two bool tensors (exactly one true), numpy broadcasting.
import type { NumericArray } from "../graph/tensor.ts";
import { binaryOp, BOOL } from "./util/elementwise.ts";

/** a ^ b over one run; bools are stored as 0/1, so the bitwise operator is the logical one. */
function xorRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as] ^ b[bo + i * bs];
}

export const Xor = binaryOp({ name: "Xor", types: BOOL, bool: true, kernel: () => xorRun });
