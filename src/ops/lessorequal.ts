// LessOrEqual: a <= b -> bool, numpy broadcasting. NaN compares false.
import type { NumericArray } from "../graph/tensor.ts";
import { binaryOp, NUMERIC } from "./util/elementwise.ts";

/** a <= b over one run, as 1/0. */
function lessOrEqualRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as] <= b[bo + i * bs] ? 1 : 0;
}

export const LessOrEqual = binaryOp({ name: "LessOrEqual", types: NUMERIC, bool: true, kernel: () => lessOrEqualRun });
