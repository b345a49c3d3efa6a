// GatherND: index the leading dims of data with tuples from the last axis of indices.
import { OpError } from "../errors.ts";
import { allocData, sizeOf, stridesOf } from "../graph/tensor.ts";
import { attrInt, type Op } from "./op.ts";
import { copyRange, foldable, info, need } from "./util/shaping.ts";

export const gatherND: Op = foldable({
  name: "GatherND",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    const idx = need(ctx.node, inputs, 1, "indices");
    const b = attrInt(ctx.node, "batch_dims", 0);
    if (!x.shape || !idx.shape) return [info(x.dtype, null)];
    const m = idx.shape[idx.shape.length - 1];
    if (typeof m !== "number") return [info(x.dtype, null)];
    return [info(x.dtype, [...idx.shape.slice(0, -1), ...x.shape.slice(b + m)])];
  },
  run(inputs, ctx) {
    const node = ctx.node;
    const x = need(node, inputs, 0, "data");
    const idxT = need(node, inputs, 1, "indices");
    const b = attrInt(node, "batch_dims", 0);
    const r = x.shape.length;
    const q = idxT.shape.length;
    const m = idxT.shape[q - 1];
    if (q < 1 || b < 0 || b >= Math.min(r, q) || b + m > r || x.shape.slice(0, b).some((d, i) => d !== idxT.shape[i])) {
      throw new OpError(node, `indices [${idxT.shape.join(", ")}] with batch_dims ${b} do not fit data [${x.shape.join(", ")}]`);
    }
    const shape = [...idxT.shape.slice(0, -1), ...x.shape.slice(b + m)];
    const batches = sizeOf(x.shape.slice(0, b));
    const perBatch = sizeOf(idxT.shape.slice(b, -1));
    const slice = sizeOf(x.shape.slice(b + m));
    const batchStride = sizeOf(x.shape.slice(b));
    const st = stridesOf(x.shape);
    const ind = idxT.data as ArrayLike<number>;
    const data = allocData(x.dtype, sizeOf(shape));
    for (let B = 0; B < batches; B++) {
      for (let j = 0; j < perBatch; j++) {
        const t = (B * perBatch + j) * m;
        let off = B * batchStride;
        for (let k = 0; k < m; k++) {
          const dim = x.shape[b + k];
          const v = ind[t + k];
          if (v < -dim || v >= dim) throw new OpError(node, `index ${v} is out of range for axis ${b + k} of length ${dim}`);
          off += (v < 0 ? v + dim : v) * st[b + k];
        }
        copyRange(x.data, off, data, (B * perBatch + j) * slice, slice);
      }
    }
    return [{ dtype: x.dtype, shape, data }];
  },
});
