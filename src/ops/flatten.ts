// Flatten: collapse dims before `axis` into rows and the rest into columns.
import { OpError } from "../errors.ts";
import { sizeOf } from "../graph/tensor.ts";
import { attrInt, type Op, type OpCtx } from "./op.ts";
import { dimProduct, foldable, info, need, view } from "./util/shaping.ts";

/** The split point in [0, rank]; axis == rank is allowed and gives [N, 1]. */
function flattenAxis(ctx: OpCtx, rank: number): number {
  const axis = attrInt(ctx.node, "axis", 1);
  if (axis < -rank || axis > rank) {
    throw new OpError(ctx.node, `axis ${axis} is out of range for a rank-${rank} input (expected ${-rank}..${rank})`);
  }
  return axis < 0 ? axis + rank : axis;
}

export const flatten: Op = foldable({
  name: "Flatten",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "input");
    if (!x.shape) return [info(x.dtype, [null, null])];
    const axis = flattenAxis(ctx, x.shape.length);
    return [info(x.dtype, [dimProduct(x.shape.slice(0, axis)), dimProduct(x.shape.slice(axis))])];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "input");
    const axis = flattenAxis(ctx, x.shape.length);
    return [view(x, [sizeOf(x.shape.slice(0, axis)), sizeOf(x.shape.slice(axis))])];
  },
});
