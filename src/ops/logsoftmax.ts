// LogSoftmax: x - max - log(sum(exp(x - max))) along an axis. Opset < 13 normalises over all dims from
// `axis` (default 1) on, as one 2-D row; opset 13+ over the single axis `axis` (default -1).
import { allocData, type NumericArray } from "../graph/tensor.ts";
import { FLOATS, finish, foldable, numInput } from "./util/elementwise.ts";
import { softmaxLayout, softmaxShape, type AxisLayout } from "./util/reduce.ts";

/** LogSoftmax of every (outer, inner) line of length len; computed in float64. */
function logSoftmaxKernel(x: NumericArray, y: NumericArray, { outer, len, inner }: AxisLayout): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let max = -Infinity;
      for (let k = 0; k < len; k++) max = Math.max(max, x[base + k * inner]);
      let sum = 0;
      for (let k = 0; k < len; k++) sum += Math.exp(x[base + k * inner] - max);
      const shift = max + Math.log(sum);
      for (let k = 0; k < len; k++) y[base + k * inner] = x[base + k * inner] - shift;
    }
  }
}

export const LogSoftmax = foldable({
  name: "LogSoftmax",
  shape: (infos, ctx) => softmaxShape(infos, ctx, FLOATS),
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, FLOATS);
    const y = allocData(x.dtype, x.data.length) as NumericArray;
    logSoftmaxKernel(x.data, y, softmaxLayout(ctx, x.shape));
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape: [...x.shape], data: y }];
  },
});
