// ReduceMean: mean over axes (attribute before opset 18, optional input 1 from 18), keepdims (default 1),
// noop_with_empty_axes (opset 18+). The empty set gives NaN (0/0).
import { sumStep } from "./reducesum.ts";
import { NUMERIC } from "./util/elementwise.ts";
import { reduceOp } from "./util/reduce.ts";

/** Divide each sum by the number of elements it reduced. */
function divide(acc: Float64Array, count: number): void {
  for (let i = 0; i < acc.length; i++) acc[i] /= count;
}

export const ReduceMean = reduceOp({ name: "ReduceMean", types: NUMERIC, axesInputSince: 18, init: () => 0, step: sumStep, final: divide });
