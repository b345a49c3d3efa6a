// MaxPool: max over windows (1-D to 3-D) with strides, pads or auto_pad, dilations, ceil_mode, and the
// optional Indices output (flat input positions, row- or column-major spatial order per storage_order).
import { allocData, sizeOf, type DType, type NumericArray, type NumTensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrInt, type Op } from "./op.ts";
import { checkType, FLOATS, typeRange } from "./util/elementwise.ts";
import { maxPool as maxPoolKernel, poolDims, poolSetup } from "./util/pool.ts";
import { info, need } from "./util/shaping.ts";

const TYPES: readonly DType[] = [...FLOATS, "int8", "uint8"];

export const maxPool: Op = {
  name: "MaxPool",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "X");
    checkType(ctx.node, x.dtype, TYPES, "X");
    const dims = poolDims(ctx.node, x.shape);
    return ctx.node.outputs.length > 1 ? [info(x.dtype, dims), info("int64", dims)] : [info(x.dtype, dims)];
  },
  run(inputs, ctx) {
    const node = ctx.node;
    const x = need(node, inputs, 0, "X") as NumTensor;
    checkType(node, x.dtype, TYPES, "X");
    const order = attrInt(node, "storage_order", 0);
    if (order !== 0 && order !== 1) throw new OpError(node, `storage_order must be 0 or 1, got ${order}`);
    const p = poolSetup(node, x.shape);
    const n = sizeOf(p.shape);
    const y = allocData(x.dtype, n) as NumericArray;
    const wantIndices = node.outputs.length > 1 && node.outputs[1] !== "";
    const indices = wantIndices ? new Float64Array(n) : undefined;
    const empty = x.dtype === "int8" || x.dtype === "uint8" ? typeRange(x.dtype)[0] : -Infinity;
    // Max selects input values, so float16 results need no rounding.
    maxPoolKernel(x.data, p.planes, p.g, { y, indices, columnMajor: order === 1, empty });
    const out = [{ dtype: x.dtype, shape: p.shape, data: y }];
    if (indices) out.push({ dtype: "int64", shape: [...p.shape], data: indices });
    return out;
  },
};
