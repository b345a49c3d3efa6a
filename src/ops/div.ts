// Div: a / b, numpy broadcasting (opset < 7: the legacy broadcast/axis attributes).
// Integer division truncates toward zero (the ONNX test test_div_int32_trunc: -3 / 2 = -1).
import type { NumericArray } from "../graph/tensor.ts";
import { binaryOp, FLOATS, NUMERIC } from "./util/elementwise.ts";

/** Float a / b over one run. */
function divRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as] / b[bo + i * bs];
}

/** Integer a / b truncated toward zero (+ 0 drops the -0 of -1/2); by zero gives 0 (numpy's; ONNX leaves it undefined). */
function intDivRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) {
    const d = b[bo + i * bs];
    out[oo + i] = d === 0 ? 0 : Math.trunc(a[ao + i * as] / d) + 0;
  }
}

export const Div = binaryOp({
  name: "Div",
  types: NUMERIC,
  kernel: (dtype) => (FLOATS.includes(dtype) ? divRun : intDivRun),
});
