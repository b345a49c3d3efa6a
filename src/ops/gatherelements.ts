// GatherElements: out[i] = data[i with its axis coordinate replaced by indices[i]].
import { OpError } from "../errors.ts";
import { allocData, sizeOf, stridesOf } from "../graph/tensor.ts";
import { attrInt, type Op } from "./op.ts";
import { indexList } from "./gather.ts";
import { foldable, info, need, normAxis, type Cells } from "./util/shaping.ts";

export const gatherElements: Op = foldable({
  name: "GatherElements",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    const idx = need(ctx.node, inputs, 1, "indices");
    return [info(x.dtype, idx.shape ? [...idx.shape] : null)];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    const idxT = need(ctx.node, inputs, 1, "indices");
    const rank = x.shape.length;
    const axis = normAxis(ctx.node, attrInt(ctx.node, "axis", 0), rank);
    if (idxT.shape.length !== rank || idxT.shape.some((d, i) => i !== axis && d > x.shape[i])) {
      throw new OpError(ctx.node, `indices [${idxT.shape.join(", ")}] do not fit data [${x.shape.join(", ")}] on axis ${axis}`);
    }
    const idx = indexList(ctx.node, idxT, x.shape[axis]);
    const shape = [...idxT.shape];
    const n = sizeOf(shape);
    const data = allocData(x.dtype, n);
    const src: Cells = x.data;
    const dst: Cells = data;
    const st = stridesOf(x.shape);
    const counter = new Array<number>(rank).fill(0);
    let off = 0; // data offset of the current index with its axis coordinate zeroed
    for (let k = 0; k < n; k++) {
      dst[k] = src[off + idx[k] * st[axis]];
      for (let a = rank - 1; a >= 0; a--) {
        counter[a]++;
        if (a !== axis) off += st[a];
        if (counter[a] < shape[a]) break;
        if (a !== axis) off -= st[a] * shape[a];
        counter[a] = 0;
      }
    }
    return [{ dtype: x.dtype, shape, data }];
  },
});
