// Gather: pick slices along one axis by index (embedding lookups, shape plumbing).
import { OpError } from "../errors.ts";
import { allocData, sizeOf, type Tensor } from "../graph/tensor.ts";
import { attrInt, type Op } from "./op.ts";
import type { Node } from "../graph/graph.ts";
import { copyRange, foldable, info, need, normAxis } from "./util/shaping.ts";

/** Indices as non-negative positions along an axis of length dim; throws on out-of-range entries. */
export function indexList(node: Node, t: Tensor, dim: number): Int32Array {
  if (t.dtype !== "int64" && t.dtype !== "int32" && t.dtype !== "int16" && t.dtype !== "int8" && !t.dtype.startsWith("uint")) {
    throw new OpError(node, `indices must be an integer tensor, got ${t.dtype}`);
  }
  const src = t.data as ArrayLike<number>;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (v < -dim || v >= dim) throw new OpError(node, `index ${v} is out of range for an axis of length ${dim}`);
    out[i] = v < 0 ? v + dim : v;
  }
  return out;
}

export const gather: Op = foldable({
  name: "Gather",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    const idx = need(ctx.node, inputs, 1, "indices");
    if (!x.shape || !idx.shape) return [info(x.dtype, null)];
    const axis = normAxis(ctx.node, attrInt(ctx.node, "axis", 0), x.shape.length);
    return [info(x.dtype, [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)])];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    const idxT = need(ctx.node, inputs, 1, "indices");
    const axis = normAxis(ctx.node, attrInt(ctx.node, "axis", 0), x.shape.length);
    const dim = x.shape[axis];
    const idx = indexList(ctx.node, idxT, dim);
    const shape = [...x.shape.slice(0, axis), ...idxT.shape, ...x.shape.slice(axis + 1)];
    const outer = sizeOf(x.shape.slice(0, axis));
    const inner = sizeOf(x.shape.slice(axis + 1));
    const n = idx.length;
    const data = allocData(x.dtype, sizeOf(shape));
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < n; j++) copyRange(x.data, (o * dim + idx[j]) * inner, data, (o * n + j) * inner, inner);
    }
    return [{ dtype: x.dtype, shape, data }];
  },
});
