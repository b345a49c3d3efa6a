// CumSum: running sum along the axis given by input 1 (a scalar, or 1-element tensor, int32/int64).
// exclusive = 1 leaves out the element itself (the first sum is 0); reverse = 1 sums from the end.
// Sums run in float64 and are stored in the input's dtype (integers wrap through the typed-array store).
import { allocData, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrInt, type OpCtx } from "./op.ts";
import { checkType, finish, foldable, numInput, required } from "./util/elementwise.ts";
import { axisLayout, normAxis, type AxisLayout } from "./util/reduce.ts";

/** ONNX's CumSum types: float16/32/64, int32/64, uint32/64. */
const TYPES = ["float32", "float64", "float16", "int32", "int64", "uint32", "uint64"] as const;

/** The axis from input 1, checked against the rank. */
function cumAxis(ctx: OpCtx, axis: Tensor | undefined, rank: number): number {
  if (!axis) throw new OpError(ctx.node, "required input 1 (axis) is missing");
  if (axis.dtype !== "int32" && axis.dtype !== "int64") throw new OpError(ctx.node, `axis must be int32 or int64, got ${axis.dtype}`);
  if (axis.data.length !== 1) throw new OpError(ctx.node, `axis must hold one value, got [${axis.shape.join(", ")}]`);
  return normAxis(ctx.node, (axis.data as NumericArray)[0], rank);
}

/** Running sums of every (outer, inner) line of x into y. */
function cumsumKernel(x: NumericArray, y: NumericArray, { outer, len, inner }: AxisLayout, exclusive: boolean, reverse: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let sum = 0;
      for (let t = 0; t < len; t++) {
        const idx = base + (reverse ? len - 1 - t : t) * inner;
        const v = x[idx];
        if (!exclusive) sum += v;
        y[idx] = sum;
        if (exclusive) sum += v;
      }
    }
  }
}

export const CumSum = foldable({
  name: "CumSum",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    checkType(ctx.node, x.dtype, TYPES, "input 0");
    const axis = required(ctx.node, infos, 1);
    checkType(ctx.node, axis.dtype, ["int32", "int64"], "input 1 (axis)");
    if (axis.value && x.shape) cumAxis(ctx, axis.value, x.shape.length);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, TYPES);
    const axis = cumAxis(ctx, inputs[1], x.shape.length);
    const y = allocData(x.dtype, x.data.length) as NumericArray;
    const exclusive = attrInt(ctx.node, "exclusive", 0) !== 0;
    const reverse = attrInt(ctx.node, "reverse", 0) !== 0;
    cumsumKernel(x.data, y, axisLayout(x.shape, axis), exclusive, reverse);
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape: [...x.shape], data: y }];
  },
});
