// Softmax: exp(x - max) / sum(exp(x - max)) along an axis. Opset < 13 normalises over all dims from `axis`
// (default 1) on, as one 2-D row; opset 13+ over the single axis `axis` (default -1).
import { allocData, type NumericArray } from "../graph/tensor.ts";
import { FLOATS, finish, foldable, numInput } from "./util/elementwise.ts";
import { softmaxLayout, softmaxShape, type AxisLayout } from "./util/reduce.ts";

/** Softmax of every (outer, inner) line of length len; computed in float64. */
export function softmaxKernel(x: NumericArray, y: NumericArray, { outer, len, inner }: AxisLayout): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let max = -Infinity;
      for (let k = 0; k < len; k++) max = Math.max(max, x[base + k * inner]);
      let sum = 0;
      for (let k = 0; k < len; k++) sum += Math.exp(x[base + k * inner] - max);
      for (let k = 0; k < len; k++) y[base + k * inner] = Math.exp(x[base + k * inner] - max) / sum;
    }
  }
}

export const Softmax = foldable({
  name: "Softmax",
  shape: (infos, ctx) => softmaxShape(infos, ctx, FLOATS),
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, FLOATS);
    const y = allocData(x.dtype, x.data.length) as NumericArray;
    softmaxKernel(x.data, y, softmaxLayout(ctx, x.shape));
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape: [...x.shape], data: y }];
  },
});
