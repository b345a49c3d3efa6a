// Conv: N-D convolution (1-D to 3-D kernels) with groups, strides, dilations, pads or auto_pad and an
// optional bias; kernel_shape defaults to the weight's spatial shape. im2col + gemm (util/conv.ts).
import type { Dim, Node } from "../graph/graph.ts";
import { allocData, sizeOf, type NumTensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrInt, type Op, type ShapeInfo } from "./op.ts";
import { convForward } from "./util/conv.ts";
import { checkType, finish, FLOATS } from "./util/elementwise.ts";
import type { FloatArray } from "./util/gemm.ts";
import { info, need } from "./util/shaping.ts";
import { dimsAgree, fmtShape, geom3, outDims, planAxes, readWindow } from "./util/spatial.ts";

/** Check X [N, C, ...], W [M, C/group, ...], B [M] against each other; returns the group count. */
export function checkConvShapes(node: Node, x: readonly Dim[], w: readonly Dim[], b: readonly Dim[] | null, what = "X"): number {
  const group = attrInt(node, "group", 1);
  if (!Number.isInteger(group) || group < 1) throw new OpError(node, `group must be a positive integer, got ${group}`);
  if (x.length < 3) throw new OpError(node, `${what} must be [N, C, spatial...] (rank 3 or more), got shape ${fmtShape(x)}`);
  if (w.length !== x.length) throw new OpError(node, `W has rank ${w.length} (shape ${fmtShape(w)}) but ${what} has rank ${x.length} (shape ${fmtShape(x)})`);
  const c = x[1], wc = w[1], m = w[0];
  if (typeof c === "number" && typeof wc === "number" && c !== wc * group) {
    throw new OpError(node, `${what} has ${c} channels but W ${fmtShape(w)} expects ${wc} x group ${group} = ${wc * group}`);
  }
  if (typeof m === "number" && m % group !== 0) throw new OpError(node, `W has ${m} output channels, not divisible by group ${group}`);
  if (b && (b.length !== 1 || !dimsAgree(b[0], m))) throw new OpError(node, `bias B must have shape [${m}], got ${fmtShape(b)}`);
  return group;
}

/** Spatial dims of the weight when all known (the default kernel_shape). */
export function knownKernel(w: readonly Dim[]): number[] | undefined {
  const k = w.slice(2);
  return k.every((d) => typeof d === "number") ? (k as number[]) : undefined;
}

/** Output shape info of a Conv-like op (Conv, ConvInteger) given the output dtype. */
export function convShape(node: Node, x: ShapeInfo, w: ShapeInfo, b: ShapeInfo | undefined, dtype: ShapeInfo["dtype"]): ShapeInfo {
  if (!x.shape || !w.shape) return info(dtype, x.shape ? x.shape.map(() => null) : null);
  checkConvShapes(node, x.shape, w.shape, b?.shape ?? null);
  const nSpatial = x.shape.length - 2;
  const kernel = knownKernel(w.shape);
  if (!kernel && !node.attrs.kernel_shape) return info(dtype, [x.shape[0], w.shape[0], ...new Array<Dim>(nSpatial).fill(null)]);
  const win = readWindow(node, nSpatial, kernel);
  return info(dtype, [x.shape[0], w.shape[0], ...outDims(node, win, x.shape.slice(2))]);
}

export const conv: Op = {
  name: "Conv",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "X");
    const w = need(ctx.node, inputs, 1, "W");
    checkType(ctx.node, x.dtype, FLOATS, "X");
    for (const t of [w, inputs[2]]) {
      if (t && t.dtype !== x.dtype) throw new OpError(ctx.node, `inputs must share one type, got X ${x.dtype} and ${t.dtype}`);
    }
    return [convShape(ctx.node, x, w, inputs[2], x.dtype)];
  },
  run(inputs, ctx) {
    const node = ctx.node;
    const x = need(node, inputs, 0, "X") as NumTensor;
    const w = need(node, inputs, 1, "W") as NumTensor;
    const b = inputs[2] as NumTensor | undefined;
    checkType(node, x.dtype, FLOATS, "X");
    if (w.dtype !== x.dtype || (b && b.dtype !== x.dtype)) {
      throw new OpError(node, `inputs must share one type, got X ${x.dtype}, W ${w.dtype}${b ? `, B ${b.dtype}` : ""}`);
    }
    const group = checkConvShapes(node, x.shape, w.shape, b?.shape ?? null);
    const spatial = x.shape.slice(2);
    const win = readWindow(node, spatial.length, w.shape.slice(2));
    const plans = planAxes(node, win, spatial);
    const g = geom3(node, spatial, plans, win);
    const [n, c] = x.shape, m = w.shape[0];
    const shape = [n, m, ...plans.map((p) => p.out)];
    const y = allocData(x.dtype, sizeOf(shape)) as FloatArray;
    if (sizeOf(shape) > 0) {
      convForward(x.data as FloatArray, w.data as FloatArray, b?.data as FloatArray | undefined, { n, c, m, group, g }, y);
    }
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape, data: y }];
  },
};
