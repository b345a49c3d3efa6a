// Hardmax: 1 at the first maximum of each line, 0 elsewhere. The lines are those of Softmax: before opset 13
// the input coerced to 2-D at `axis` (default 1), from 13 the single axis `axis` (default -1).
import type { NumericArray } from "../graph/tensor.ts";
import { softmaxLikeOp, type AxisLayout } from "./util/reduce.ts";

/** One-hot of the first maximum of every (outer, inner) line; a NaN counts as the maximum, as in argmax. */
function hardmaxKernel(x: NumericArray, y: NumericArray, { outer, len, inner }: AxisLayout): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let best = 0;
      for (let k = 1; k < len; k++) {
        const v = x[base + k * inner];
        const b = x[base + best * inner];
        if (b === b && (v > b || v !== v)) best = k;
      }
      if (len > 0) y[base + best * inner] = 1;
    }
  }
}

export const Hardmax = softmaxLikeOp("Hardmax", hardmaxKernel);
