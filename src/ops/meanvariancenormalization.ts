// MeanVarianceNormalization: y = (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9), the moments taken over `axes`
// (default [0, 2, 3]: per channel of an NCHW batch). The formula is the op's ONNX function body, epsilon
// included; computed in float64. A variance that rounds below 0 (constant slices) is taken as 0, not NaN.
import { allocData, sizeOf, type NumericArray } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrInts, type OpCtx } from "./op.ts";
import { FLOATS, checkType, finish, foldable, forEachRun, numInput, planRuns, required } from "./util/elementwise.ts";
import { normAxis, reduce, reducedDims, type ReduceSpec } from "./util/reduce.ts";
import { sumStep } from "./reducesum.ts";
import { sumSquareStep } from "./reducesumsquare.ts";

/** The function body's epsilon (added to the standard deviation, not the variance). */
const EPSILON = 1e-9;

/** The sorted, distinct axes for an input of the given rank. */
function mvnAxes(ctx: OpCtx, rank: number): number[] {
  const raw = attrInts(ctx.node, "axes", [0, 2, 3]);
  const axes = raw.map((a) => normAxis(ctx.node, a, rank)).sort((a, b) => a - b);
  if (axes.some((a, i) => i > 0 && a === axes[i - 1])) throw new OpError(ctx.node, `axes [${raw.join(", ")}] repeat an axis`);
  return axes;
}

const sum = (step: ReduceSpec["step"]): ReduceSpec => ({ name: "MeanVarianceNormalization", types: FLOATS, axesInputSince: Infinity, init: () => 0, step });

export const MeanVarianceNormalization = foldable({
  name: "MeanVarianceNormalization",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    checkType(ctx.node, x.dtype, FLOATS, "input 0");
    if (x.shape) mvnAxes(ctx, x.shape.length);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, FLOATS);
    const axes = mvnAxes(ctx, x.shape.length);
    const momentShape = reducedDims(x.shape, axes, true);
    const count = sizeOf(x.shape) / Math.max(sizeOf(momentShape), 1);
    const mean = reduce(x, axes, sum(sumStep));
    const meanSq = reduce(x, axes, sum(sumSquareStep));
    const inv = new Float64Array(mean.length);
    for (let i = 0; i < mean.length; i++) {
      mean[i] /= count;
      inv[i] = 1 / (Math.sqrt(Math.max(meanSq[i] / count - mean[i] * mean[i], 0)) + EPSILON);
    }
    const y = allocData(x.dtype, x.data.length) as NumericArray;
    const plan = planRuns(x.shape, [momentShape]);
    const ms = plan.steps[0];
    forEachRun(plan, ([mo], yo) => {
      for (let i = 0; i < plan.inner; i++) y[yo + i] = (x.data[yo + i] - mean[mo + i * ms]) * inv[mo + i * ms];
    });
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape: [...x.shape], data: y }];
  },
});
