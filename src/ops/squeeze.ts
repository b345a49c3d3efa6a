// Squeeze: drop size-1 axes (the listed ones, or all of them).
import type { Dim, Node } from "../graph/graph.ts";
import { OpError } from "../errors.ts";
import type { Tensor } from "../graph/tensor.ts";
import { attrInts, type Op, type OpCtx } from "./op.ts";
import { foldable, info, intsOf, need, normAxes, view } from "./util/shaping.ts";

/** The axes list: an attribute before opset 13, an optional input from 13; undefined = all size-1 axes. */
export function axesArg(ctx: OpCtx, input: Tensor | undefined): number[] | undefined {
  if (ctx.opset < 13) return attrInts(ctx.node, "axes");
  return input ? intsOf(ctx.node, input, "axes") : undefined;
}

/** Dims left after squeezing `axes` (all size-1 dims when absent or empty); null when that depends on unknown dims. */
function squeezed(node: Node, shape: readonly Dim[], axes: number[] | undefined): Dim[] | null {
  // An empty axes list means "all size-1 axes", as onnxruntime reads it.
  if (axes === undefined || axes.length === 0) {
    if (shape.some((d) => typeof d !== "number")) return null;
    return shape.filter((d) => d !== 1);
  }
  const ax = normAxes(node, axes, shape.length);
  for (const a of ax) {
    const d = shape[a];
    if (typeof d === "number" && d !== 1) throw new OpError(node, `cannot squeeze axis ${a} of size ${d}`);
  }
  return shape.filter((_, i) => !ax.includes(i));
}

export const squeeze: Op = foldable({
  name: "Squeeze",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    if (!x.shape || (ctx.opset >= 13 && inputs[1] && !inputs[1].value)) return [info(x.dtype, null)];
    return [info(x.dtype, squeezed(ctx.node, x.shape, axesArg(ctx, inputs[1]?.value)))];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    return [view(x, squeezed(ctx.node, x.shape, axesArg(ctx, inputs[1])) as number[])];
  },
});
