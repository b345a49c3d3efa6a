// AveragePool: mean over windows (1-D to 3-D) with strides, pads or auto_pad, ceil_mode, dilations
// (opset 19) and count_include_pad (whether padding counts in the divisor).
import { allocData, sizeOf, type NumericArray, type NumTensor } from "../graph/tensor.ts";
import { attrInt, type Op } from "./op.ts";
import { checkType, finish, FLOATS } from "./util/elementwise.ts";
import { avgPool, poolDims, poolSetup } from "./util/pool.ts";
import { info, need } from "./util/shaping.ts";

export const averagePool: Op = {
  name: "AveragePool",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "X");
    checkType(ctx.node, x.dtype, FLOATS, "X");
    return [info(x.dtype, poolDims(ctx.node, x.shape))];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "X") as NumTensor;
    checkType(ctx.node, x.dtype, FLOATS, "X");
    const p = poolSetup(ctx.node, x.shape);
    const y = allocData(x.dtype, sizeOf(p.shape)) as NumericArray;
    avgPool(x.data, p.planes, p.g, y, attrInt(ctx.node, "count_include_pad", 0) !== 0);
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape: p.shape, data: y }];
  },
};
