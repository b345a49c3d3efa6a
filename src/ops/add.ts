// Add: a + b, numpy broadcasting (opset < 7: the legacy broadcast/axis attributes). No attributes otherwise.
import type { NumericArray } from "../graph/tensor.ts";
import { binaryOp, NUMERIC } from "./util/elementwise.ts";

/** a + b over one run; integer results wrap through the typed-array store, as in numpy. */
export function addRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as] + b[bo + i * bs];
}

export const Add = binaryOp({ name: "Add", types: NUMERIC, kernel: () => addRun });
