// Softmax: exp(x - max) / sum(exp(x - max)) along an axis. Opset < 13 normalises over all dims from `axis`
// (default 1) on, as one 2-D row; opset 13+ over the single axis `axis` (default -1).
import type { NumericArray } from "../graph/tensor.ts";
import { softmaxLikeOp, type AxisLayout } from "./util/reduce.ts";

/** Softmax (with `log`: LogSoftmax, x - max - log(sum)) of every (outer, inner) line of length len; computed in float64. */
export function softmaxKernel(x: NumericArray, y: NumericArray, { outer, len, inner }: AxisLayout, log = false): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let max = -Infinity;
      for (let k = 0; k < len; k++) max = Math.max(max, x[base + k * inner]);
      let sum = 0;
      for (let k = 0; k < len; k++) sum += Math.exp(x[base + k * inner] - max);
      if (log) {
        const shift = max + Math.log(sum);
        for (let k = 0; k < len; k++) y[base + k * inner] = x[base + k * inner] - shift;
      } else {
        for (let k = 0; k < len; k++) y[base + k * inner] = Math.exp(x[base + k * inner] - max) / sum;
      }
    }
  }
}

export const Softmax = softmaxLikeOp("Softmax", (x, y, layout) => softmaxKernel(x, y, layout));
