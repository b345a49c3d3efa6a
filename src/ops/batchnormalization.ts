// BatchNormalization: y = (x - mean) / sqrt(var + epsilon) * scale + B per channel (axis 1).
// Inference by default. Training (training_mode=1 from opset 14; before 14, a node with more than one output)
// normalises with the batch's own mean and population variance and also returns the running statistics
// mean * momentum + batch * (1 - momentum) (opset < 14 then also the batch mean and variance).
// Before opset 9, spatial=0 gives one statistic per feature (C x D1 x ...) instead of per channel.
import type { Dim } from "../graph/graph.ts";
import { allocData, sizeOf, type NumericArray, type NumTensor, type Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrFloat, attrInt, type OpCtx, type ShapeInfo } from "./op.ts";
import { FLOATS, checkType, finish, foldable, numInput, required } from "./util/elementwise.ts";

export interface BatchNormAttrs {
  epsilon: number;
  momentum: number;
  /** Statistics per channel (true) or per feature C x D1 x ... (spatial=0, opset < 9). */
  spatial: boolean;
  training: boolean;
}

/** Read BatchNormalization's attributes; training follows training_mode (14+) or the output count (< 14). */
export function batchNormAttrs(ctx: OpCtx): BatchNormAttrs {
  const outs = ctx.node.outputs.filter((o) => o !== "").length;
  return {
    epsilon: attrFloat(ctx.node, "epsilon", 1e-5),
    momentum: attrFloat(ctx.node, "momentum", 0.9),
    spatial: ctx.opset >= 9 || attrInt(ctx.node, "spatial", 1) !== 0,
    training: ctx.opset >= 14 ? attrInt(ctx.node, "training_mode", 0) !== 0 : outs > 1,
  };
}

/** How many statistics the parameters hold for an input shape (N x C x D1 x ..., rank >= 2). */
function statCount<D extends Dim>(ctx: OpCtx, shape: readonly D[], spatial: boolean): D | number | null {
  if (shape.length < 2) throw new OpError(ctx.node, `input has rank ${shape.length}; expected N x C x ... (rank >= 2)`);
  if (spatial) return shape[1];
  const rest = shape.slice(1);
  return rest.every((d) => typeof d === "number") ? sizeOf(rest as number[]) : null;
}

/** Check that every parameter input is a vector of the statistic count. */
function checkParams(ctx: OpCtx, params: readonly (ShapeInfo | Tensor)[], count: Dim | number | null): void {
  for (const [k, p] of params.entries()) {
    checkType(ctx.node, p.dtype, FLOATS, `input ${k + 1}`);
    const s = p.shape;
    if (!s || typeof count !== "number") continue;
    const n = s.every((d) => typeof d === "number") ? sizeOf(s as number[]) : null;
    if (n !== null && n !== count) {
      throw new OpError(ctx.node, `input ${k + 1} has ${n} values, expected ${count} (one per ${ctx.opset < 9 ? "channel or feature" : "channel"})`);
    }
  }
}

/** Per-statistic batch mean and population variance of x viewed as [N, P, inner]. */
function batchStats(x: NumericArray, n: number, p: number, inner: number): [Float64Array, Float64Array] {
  const mean = new Float64Array(p);
  const vari = new Float64Array(p);
  const m = n * inner;
  for (let c = 0; c < p; c++) {
    let s = 0;
    for (let b = 0; b < n; b++) for (let i = 0, o = (b * p + c) * inner; i < inner; i++) s += x[o + i];
    const mu = s / m;
    let v = 0;
    for (let b = 0; b < n; b++) for (let i = 0, o = (b * p + c) * inner; i < inner; i++) v += (x[o + i] - mu) ** 2;
    mean[c] = mu;
    vari[c] = v / m;
  }
  return [mean, vari];
}

/** y = x * a[c] + b[c] over x viewed as [N, P, inner]. */
function affinePerStat(x: NumericArray, y: NumericArray, a: Float64Array, b: Float64Array, n: number, inner: number): void {
  const p = a.length;
  for (let k = 0; k < n; k++) {
    for (let c = 0; c < p; c++) {
      const o = (k * p + c) * inner;
      const ac = a[c];
      const bc = b[c];
      for (let i = 0; i < inner; i++) y[o + i] = x[o + i] * ac + bc;
    }
  }
}

/** A tensor of the given dtype holding values. */
function vec(like: Tensor, values: ArrayLike<number>): NumTensor {
  const data = allocData(like.dtype, values.length) as NumericArray;
  data.set(values);
  finish(like.dtype, data);
  return { dtype: like.dtype, shape: [...like.shape], data };
}

export const BatchNormalization = foldable({
  name: "BatchNormalization",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    checkType(ctx.node, x.dtype, FLOATS, "input 0");
    const attrs = batchNormAttrs(ctx);
    const params = [1, 2, 3, 4].map((i) => required(ctx.node, infos, i));
    checkParams(ctx, params, x.shape ? statCount(ctx, x.shape, attrs.spatial) : null);
    const out: ShapeInfo[] = [{ dtype: x.dtype, shape: x.shape }];
    if (attrs.training) {
      const stat = { dtype: params[2].dtype, shape: params[2].shape };
      out.push(stat, stat, stat, stat);
    }
    return out.slice(0, Math.max(1, ctx.node.outputs.length));
  },
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, FLOATS);
    const attrs = batchNormAttrs(ctx);
    const [scale, bias, mean, vari] = [1, 2, 3, 4].map((i) => numInput(ctx.node, inputs, i, FLOATS));
    const count = statCount(ctx, x.shape, attrs.spatial) as number;
    checkParams(ctx, [scale, bias, mean, vari], count);
    const n = x.shape[0];
    const inner = n * count === 0 ? 0 : x.data.length / (n * count);
    const [mu, v] = attrs.training ? batchStats(x.data, n, count, inner) : [mean.data, vari.data];
    const a = new Float64Array(count);
    const b = new Float64Array(count);
    for (let c = 0; c < count; c++) {
      a[c] = scale.data[c] / Math.sqrt(v[c] + attrs.epsilon);
      b[c] = bias.data[c] - mu[c] * a[c];
    }
    const y = allocData(x.dtype, x.data.length) as NumericArray;
    affinePerStat(x.data, y, a, b, n, inner);
    finish(x.dtype, y);
    const outs: Tensor[] = [{ dtype: x.dtype, shape: [...x.shape], data: y }];
    if (attrs.training) {
      const m = attrs.momentum;
      const running = (old: NumericArray, batch: ArrayLike<number>) => Array.from(old, (o, c) => o * m + batch[c] * (1 - m));
      outs.push(vec(mean, running(mean.data, mu)), vec(vari, running(vari.data, v)), vec(mean, mu), vec(vari, v));
    }
    return outs.slice(0, Math.max(1, ctx.node.outputs.length));
  },
});
