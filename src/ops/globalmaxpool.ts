// GlobalMaxPool: max over all spatial axes, kept as size-1 axes: [N, C, H, W] -> [N, C, 1, 1].
import { allocData, sizeOf, type NumericArray, type NumTensor } from "../graph/tensor.ts";
import type { Op } from "./op.ts";
import { checkType, FLOATS } from "./util/elementwise.ts";
import { checkPoolRank, globalMax } from "./util/pool.ts";
import { info, need } from "./util/shaping.ts";

export const globalMaxPool: Op = {
  name: "GlobalMaxPool",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "X");
    checkType(ctx.node, x.dtype, FLOATS, "X");
    if (!x.shape) return [info(x.dtype, null)];
    checkPoolRank(ctx.node, x.shape);
    return [info(x.dtype, x.shape.map((d, i) => (i < 2 ? d : 1)))];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "X") as NumTensor;
    checkType(ctx.node, x.dtype, FLOATS, "X");
    checkPoolRank(ctx.node, x.shape);
    const shape = x.shape.map((d, i) => (i < 2 ? d : 1));
    const y = allocData(x.dtype, sizeOf(shape)) as NumericArray;
    globalMax(x.data, x.shape[0] * x.shape[1], sizeOf(x.shape.slice(2)), y);
    return [{ dtype: x.dtype, shape, data: y }];
  },
};
