// ReduceLogSum: log of the sum over axes (attribute before opset 18, optional input 1 from 18), keepdims
// (default 1), noop_with_empty_axes (opset 18+). The empty set gives log 0 = -inf.
import { sumStep } from "./reducesum.ts";
import { FLOATS } from "./util/elementwise.ts";
import { reduceOp } from "./util/reduce.ts";

/** Logs of the accumulated sums. */
function logAll(acc: Float64Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] = Math.log(acc[i]);
}

export const ReduceLogSum = reduceOp({ name: "ReduceLogSum", types: FLOATS, axesInputSince: 18, init: () => 0, step: sumStep, final: logAll });
