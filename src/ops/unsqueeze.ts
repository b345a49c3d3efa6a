// Unsqueeze: insert size-1 axes at the listed positions of the output.
import type { Dim, Node } from "../graph/graph.ts";
import { OpError } from "../errors.ts";
import type { Op } from "./op.ts";
import { axesArg } from "./squeeze.ts";
import { foldable, info, need, normAxes, view } from "./util/shaping.ts";

/** Dims with 1 inserted at each axis (axes index the output, negative from its end). */
function unsqueezed<D extends Dim>(node: Node, shape: readonly D[], axes: number[] | undefined): (D | 1)[] {
  if (!axes) throw new OpError(node, "axes are required");
  const rank = shape.length + axes.length;
  const ax = normAxes(node, axes, rank);
  const out: (D | 1)[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(ax.includes(i) ? 1 : shape[k++]);
  return out;
}

export const unsqueeze: Op = foldable({
  name: "Unsqueeze",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    if (ctx.opset >= 13) need(ctx.node, inputs, 1, "axes");
    const axes = axesArg(ctx, inputs[1]?.value);
    if (!axes) {
      const n = inputs[1]?.shape?.[0];
      return [info(x.dtype, x.shape && typeof n === "number" ? new Array<Dim>(x.shape.length + n).fill(null) : null)];
    }
    return [info(x.dtype, x.shape ? unsqueezed(ctx.node, x.shape, axes) : null)];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    if (ctx.opset >= 13) need(ctx.node, inputs, 1, "axes");
    return [view(x, unsqueezed(ctx.node, x.shape, axesArg(ctx, inputs[1])))];
  },
});
