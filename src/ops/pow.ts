// Pow: a ^ b with numpy broadcasting. Since opset 12 the exponent may have its own type (float base with
// int exponent, int base with float exponent); the result always has the base's type.
import type { NumericArray } from "../graph/tensor.ts";
import { binaryOp, FLOATS, NUMERIC } from "./util/elementwise.ts";

/** a ^ b over one run, for float bases. */
function powRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = Math.pow(a[ao + i * as], b[bo + i * bs]);
}

/** Integer bases: the power truncated toward zero (int64 is stored in a Float64Array, which would not truncate; + 0 drops -0). */
function intPowRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = Math.trunc(Math.pow(a[ao + i * as], b[bo + i * bs])) + 0;
}

export const Pow = binaryOp({
  name: "Pow",
  types: NUMERIC,
  exponentTypes: NUMERIC,
  kernel: (dtype) => (FLOATS.includes(dtype) ? powRun : intPowRun),
});
