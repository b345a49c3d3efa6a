// LayerNormalization (opset 17): normalise over the dims from `axis` (default -1) on, then scale and shift:
// y = (x - mean) / sqrt(var + epsilon) * Scale + B (B optional). Optional outputs Mean and InvStdDev have
// shape X.shape[:axis] + [1, ...] and the dtype of `stash_type` (default 1 = float32).
import type { Dim } from "../graph/graph.ts";
import { allocData, sizeOf, type DType, type NumericArray, type NumTensor, type Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrFloat, attrInt, type OpCtx } from "./op.ts";
import { storedDtype } from "./cast.ts";
import { broadcastIndex } from "./util/broadcast.ts";
import { FLOATS, checkType, finish, foldable, numInput, required } from "./util/elementwise.ts";
import { normAxis } from "./util/reduce.ts";

export interface LayerNormAttrs {
  /** First normalised axis, in [0, rank). */
  axis: number;
  epsilon: number;
  /** Dtype of the Mean and InvStdDev outputs. */
  stash: DType;
}

/** Read LayerNormalization's attributes for an input of the given rank. */
export function layerNormAttrs(ctx: OpCtx, rank: number): LayerNormAttrs {
  return {
    axis: normAxis(ctx.node, attrInt(ctx.node, "axis", -1), rank),
    epsilon: attrFloat(ctx.node, "epsilon", 1e-5),
    stash: storedDtype(ctx.node, attrInt(ctx.node, "stash_type", 1)),
  };
}

/** Shape of the Mean / InvStdDev outputs. */
function statShape<D extends Dim>(shape: readonly D[], axis: number): D[] {
  return shape.map((d, i) => (i < axis ? d : (1 as D)));
}

/** Index of each normalised position into a Scale/B tensor broadcast to normShape; null for identity. */
function paramIndex(ctx: OpCtx, p: Tensor, normShape: number[], what: string): Int32Array | null {
  const s = [...p.shape];
  while (s.length > normShape.length && s[0] === 1) s.shift();
  const ok = s.length <= normShape.length && s.every((d, i) => d === 1 || d === normShape[normShape.length - s.length + i]);
  if (!ok) throw new OpError(ctx.node, `${what} of shape [${p.shape.join(", ")}] does not broadcast to the normalised shape [${normShape.join(", ")}]`);
  return broadcastIndex(normShape, s);
}

export const LayerNormalization = foldable({
  name: "LayerNormalization",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    checkType(ctx.node, x.dtype, FLOATS, "input 0");
    checkType(ctx.node, required(ctx.node, infos, 1).dtype, FLOATS, "Scale");
    if (!x.shape) {
      const stash = storedDtype(ctx.node, attrInt(ctx.node, "stash_type", 1));
      return [{ dtype: x.dtype, shape: null }, { dtype: stash, shape: null }, { dtype: stash, shape: null }];
    }
    const a = layerNormAttrs(ctx, x.shape.length);
    const stat = { dtype: a.stash, shape: statShape(x.shape, a.axis) };
    return [{ dtype: x.dtype, shape: x.shape }, stat, stat];
  },
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, FLOATS);
    const scale = numInput(ctx.node, inputs, 1, FLOATS);
    const bias = inputs[2] ? numInput(ctx.node, inputs, 2, FLOATS) : undefined;
    const a = layerNormAttrs(ctx, x.shape.length);
    const normShape = x.shape.slice(a.axis);
    const norm = sizeOf(normShape);
    const rows = norm === 0 ? 0 : x.data.length / norm;
    const si = paramIndex(ctx, scale, normShape, "Scale");
    const bi = bias ? paramIndex(ctx, bias, normShape, "B") : null;
    const y = allocData(x.dtype, x.data.length) as NumericArray;
    const means = allocData(a.stash, rows) as NumericArray;
    const invs = allocData(a.stash, rows) as NumericArray;
    const xd = x.data;
    const sd = scale.data;
    const bd = bias?.data;
    for (let r = 0; r < rows; r++) {
      const o = r * norm;
      let s = 0;
      for (let j = 0; j < norm; j++) s += xd[o + j];
      const mu = s / norm;
      let v = 0;
      for (let j = 0; j < norm; j++) v += (xd[o + j] - mu) ** 2;
      const inv = 1 / Math.sqrt(v / norm + a.epsilon);
      for (let j = 0; j < norm; j++) {
        const g = sd[si ? si[j] : j];
        const b = bd ? bd[bi ? bi[j] : j] : 0;
        y[o + j] = (xd[o + j] - mu) * inv * g + b;
      }
      means[r] = mu;
      invs[r] = inv;
    }
    finish(x.dtype, y);
    finish(a.stash, means);
    finish(a.stash, invs);
    const stat = statShape(x.shape, a.axis);
    const outs: NumTensor[] = [
      { dtype: x.dtype, shape: [...x.shape], data: y },
      { dtype: a.stash, shape: stat, data: means },
      { dtype: a.stash, shape: [...stat], data: invs },
    ];
    return outs.slice(0, Math.max(1, ctx.node.outputs.length));
  },
});
