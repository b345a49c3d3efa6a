// Sub: a - b, numpy broadcasting (opset < 7: the legacy broadcast/axis attributes).
import type { NumericArray } from "../graph/tensor.ts";
import { binaryOp, NUMERIC } from "./util/elementwise.ts";

/** a - b over one run; narrow integers wrap through the typed-array store. */
function subRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as] - b[bo + i * bs];
}

/** uint64 lives in a Float64Array, which does not wrap: add 2^64 to negative differences like numpy does. */
function subRunU64(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) {
    const d = a[ao + i * as] - b[bo + i * bs];
    out[oo + i] = d < 0 ? d + 2 ** 64 : d;
  }
}

export const Sub = binaryOp({
  name: "Sub",
  types: NUMERIC,
  kernel: (dtype) => (dtype === "uint64" ? subRunU64 : subRun),
});
