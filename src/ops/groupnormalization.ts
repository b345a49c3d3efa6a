// GroupNormalization: split the C channels of X (N x C x D1 x ...) into num_groups groups, normalise each
// (sample, group) over its channels and spatial positions, then y = scale * x_hat + bias per channel.
// Opset 18 gives scale and bias one value per group; opset 21 one per channel (the form PyTorch's GroupNorm
// has). epsilon defaults to 1e-5; statistics are computed in float64 (stash_type only names a precision).
import { allocData, sizeOf, type NumericArray } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrFloat, attrInt, type OpCtx } from "./op.ts";
import { FLOATS, checkType, finish, foldable, numInput, required } from "./util/elementwise.ts";

/** num_groups, checked against the channel count when known. */
function groups(ctx: OpCtx, channels: number | null): number {
  const g = attrInt(ctx.node, "num_groups");
  if (g === undefined) throw new OpError(ctx.node, "missing required attribute 'num_groups'");
  if (g < 1 || (channels !== null && channels % g !== 0)) {
    throw new OpError(ctx.node, `num_groups = ${g} must be positive and divide the ${channels ?? "?"} channels`);
  }
  return g;
}

/** How many scale/bias values the opset expects: one per group (18) or per channel (21). */
const paramCount = (ctx: OpCtx, g: number, c: number): number => (ctx.opset >= 21 ? c : g);

/** Normalise each (sample, group) block and apply the per-channel affine (scale and bias per channel); in float64.
 *  InstanceNormalization is the case g = c. */
export function groupNorm(x: NumericArray, y: NumericArray, scale: NumericArray, bias: NumericArray, n: number, c: number, g: number, spatial: number, epsilon: number): void {
  const block = (c / g) * spatial;
  for (let b = 0; b < n * g; b++) {
    const o = b * block;
    let s = 0;
    for (let i = 0; i < block; i++) s += x[o + i];
    const mu = s / block;
    let v = 0;
    for (let i = 0; i < block; i++) v += (x[o + i] - mu) ** 2;
    const inv = 1 / Math.sqrt(v / block + epsilon);
    const firstChannel = (b % g) * (c / g);
    for (let ch = 0; ch < c / g; ch++) {
      const k = scale[firstChannel + ch] * inv;
      const shift = bias[firstChannel + ch] - mu * k;
      const base = o + ch * spatial;
      for (let i = 0; i < spatial; i++) y[base + i] = x[base + i] * k + shift;
    }
  }
}

export const GroupNormalization = foldable({
  name: "GroupNormalization",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    checkType(ctx.node, x.dtype, FLOATS, "input 0");
    const c = x.shape && typeof x.shape[1] === "number" ? x.shape[1] : null;
    const g = groups(ctx, c);
    for (const i of [1, 2]) {
      const p = required(ctx.node, infos, i);
      checkType(ctx.node, p.dtype, FLOATS, `input ${i}`);
      const len = p.shape?.length === 1 ? p.shape[0] : null;
      if (c !== null && typeof len === "number" && len !== paramCount(ctx, g, c)) {
        throw new OpError(ctx.node, `input ${i} has ${len} values, expected ${paramCount(ctx, g, c)}`);
      }
    }
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, FLOATS);
    if (x.shape.length < 2) throw new OpError(ctx.node, `input has rank ${x.shape.length}; expected N x C x ... (rank >= 2)`);
    const [n, c] = x.shape;
    const g = groups(ctx, c);
    const want = paramCount(ctx, g, c);
    const [scale, bias] = [1, 2].map((i) => {
      const p = numInput(ctx.node, inputs, i, FLOATS);
      if (p.data.length !== want) throw new OpError(ctx.node, `input ${i} has ${p.data.length} values, expected ${want}`);
      // Per channel from here on: opset 18's per-group values repeat over each group's channels.
      return Float64Array.from({ length: c }, (_, ch) => p.data[want === c ? ch : Math.floor(ch / (c / g))]);
    });
    const y = allocData(x.dtype, x.data.length) as NumericArray;
    groupNorm(x.data, y, scale, bias, n, c, g, sizeOf(x.shape.slice(2)), attrFloat(ctx.node, "epsilon", 1e-5));
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape: [...x.shape], data: y }];
  },
});
