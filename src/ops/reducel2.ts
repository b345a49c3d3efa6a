// ReduceL2: sqrt of the sum of squares over axes (attribute before opset 18, optional input 1 from 18),
// keepdims (default 1), noop_with_empty_axes (opset 18+). The empty set gives 0.
import { NUMERIC } from "./util/elementwise.ts";
import { reduceOp } from "./util/reduce.ts";
import { sumSquareStep } from "./reducesumsquare.ts";

/** Square roots of the accumulated sums of squares. */
function sqrtAll(acc: Float64Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] = Math.sqrt(acc[i]);
}

export const ReduceL2 = reduceOp({ name: "ReduceL2", types: NUMERIC, axesInputSince: 18, init: () => 0, step: sumSquareStep, final: sqrtAll });
