// Min: elementwise minimum of one or more inputs, numpy broadcasting; NaN wins, as in np.minimum.
import type { NumericArray } from "../graph/tensor.ts";
import { NUMERIC } from "./util/elementwise.ts";
import { variadicOp } from "./util/variadic.ts";

/** out = min(a, b) over one run. */
function minRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) {
    const x = a[ao + i * as];
    const y = b[bo + i * bs];
    out[oo + i] = x < y || x !== x ? x : y;
  }
}

export const Min = variadicOp({ name: "Min", types: NUMERIC, kernel: () => minRun });
