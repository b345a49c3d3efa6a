// Mul: a * b, numpy broadcasting (opset < 7: the legacy broadcast/axis attributes).
import type { NumericArray } from "../graph/tensor.ts";
import { binaryOp, NUMERIC } from "./util/elementwise.ts";

/** a * b over one run. */
function mulRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as] * b[bo + i * bs];
}

/** 32-bit products can exceed 2^53, where doubles lose the low bits the wrap keeps: multiply mod 2^32. */
function mulRun32(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = Math.imul(a[ao + i * as], b[bo + i * bs]);
}

export const Mul = binaryOp({
  name: "Mul",
  types: NUMERIC,
  kernel: (dtype) => (dtype === "int32" || dtype === "uint32" ? mulRun32 : mulRun),
});
