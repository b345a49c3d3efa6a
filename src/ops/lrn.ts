// LRN (local response normalisation, AlexNet/GoogLeNet): across channels of X (N x C x D1 x ...),
// y = x / (bias + alpha / size * sum of x^2 over the `size` neighbouring channels)^beta.
// The window for channel c is [c - floor((size-1)/2), c + ceil((size-1)/2)], clipped to the channels.
import { allocData, sizeOf, type NumericArray } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrFloat, attrInt, type OpCtx } from "./op.ts";
import { FLOATS, checkType, finish, foldable, numInput, required } from "./util/elementwise.ts";

export interface LrnAttrs {
  alpha: number;
  beta: number;
  bias: number;
  /** Number of channels summed over (required, odd in practice). */
  size: number;
}

/** Read LRN's attributes; `size` is required and positive. */
export function lrnAttrs(ctx: OpCtx): LrnAttrs {
  const size = attrInt(ctx.node, "size");
  if (size === undefined || size < 1) throw new OpError(ctx.node, "attribute 'size' is required and must be >= 1");
  return {
    alpha: attrFloat(ctx.node, "alpha", 1e-4),
    beta: attrFloat(ctx.node, "beta", 0.75),
    bias: attrFloat(ctx.node, "bias", 1),
    size,
  };
}

/** LRN over x viewed as [n, c, inner]; computed in float64. */
function lrn(x: NumericArray, y: NumericArray, n: number, c: number, inner: number, a: LrnAttrs): void {
  const before = Math.floor((a.size - 1) / 2);
  const after = Math.ceil((a.size - 1) / 2);
  const k = a.alpha / a.size;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const lo = Math.max(0, ch - before);
      const hi = Math.min(c - 1, ch + after);
      const o = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (let q = lo; q <= hi; q++) {
          const v = x[(b * c + q) * inner + i];
          s += v * v;
        }
        y[o + i] = x[o + i] / Math.pow(a.bias + k * s, a.beta);
      }
    }
  }
}

export const LRN = foldable({
  name: "LRN",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    checkType(ctx.node, x.dtype, FLOATS, "input 0");
    lrnAttrs(ctx);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, FLOATS);
    if (x.shape.length < 2) throw new OpError(ctx.node, `input has rank ${x.shape.length}; expected N x C x ... (rank >= 2)`);
    const y = allocData(x.dtype, x.data.length) as NumericArray;
    lrn(x.data, y, x.shape[0], x.shape[1], sizeOf(x.shape.slice(2)), lrnAttrs(ctx));
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape: [...x.shape], data: y }];
  },
});
