// PRelu: x for x >= 0, slope * x below. The slope broadcasts to X one way (the output has X's shape).
// Opset < 7 takes a 1-D slope of C values per channel (axis 1), as PyTorch's old exports write it.
import { allocData, sizeOf, type NumericArray, type NumTensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import type { Dim } from "../graph/graph.ts";
import type { OpCtx } from "./op.ts";
import { SIGNED, applyBinary, broadcastInfo, checkType, finish, foldable, numInput, required } from "./util/elementwise.ts";

/** x < 0 ? slope * x : x over one run. */
function preluRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) {
    const v = a[ao + i * as];
    out[oo + i] = v < 0 ? v * b[bo + i * bs] : v;
  }
}

/** The slope's shape as it broadcasts against X: opset < 7 puts a per-channel vector on axis 1. */
function slopeShape<D extends Dim>(ctx: OpCtx, xShape: readonly D[], slope: readonly D[]): D[] {
  if (ctx.opset >= 7 || slope.length !== 1 || xShape.length < 2 || slope[0] === 1) return [...slope];
  return [slope[0], ...new Array<D>(xShape.length - 2).fill(1 as D)];
}

/** Fail unless broadcasting the slope leaves X's shape unchanged. */
function checkUnidirectional(ctx: OpCtx, x: readonly Dim[], out: readonly Dim[] | null): void {
  if (out && (out.length !== x.length || out.some((d, i) => typeof d === "number" && typeof x[i] === "number" && d !== x[i]))) {
    throw new OpError(ctx.node, `slope must broadcast to X's shape [${x.join(", ")}] without changing it`);
  }
}

export const PRelu = foldable({
  name: "PRelu",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    const s = required(ctx.node, infos, 1);
    checkType(ctx.node, x.dtype, SIGNED, "input 0");
    if (s.dtype !== x.dtype) throw new OpError(ctx.node, `slope has type ${s.dtype}, expected ${x.dtype} like the input`);
    if (x.shape && s.shape) checkUnidirectional(ctx, x.shape, broadcastInfo(ctx.node, x.shape, slopeShape(ctx, x.shape, s.shape)));
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, SIGNED);
    const s = numInput(ctx.node, inputs, 1, [x.dtype]) as NumTensor;
    const sShape = slopeShape(ctx, x.shape, s.shape);
    checkUnidirectional(ctx, x.shape, broadcastInfo(ctx.node, x.shape, sShape));
    const y = allocData(x.dtype, sizeOf(x.shape)) as NumericArray;
    applyBinary(x.shape, x.data, x.shape, s.data, sShape, y, preluRun);
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape: [...x.shape], data: y }];
  },
});
