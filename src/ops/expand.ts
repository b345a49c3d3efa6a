// Expand: broadcast the input to a shape (numpy rules; the result may have a higher rank).
import type { Dim } from "../graph/graph.ts";
import { OpError } from "../errors.ts";
import type { Op } from "./op.ts";
import { broadcastDims, broadcastShapes } from "./util/broadcast.ts";
import { broadcastStrides, foldable, gatherStrided, info, intsOf, need } from "./util/shaping.ts";

export const expand: Op = foldable({
  name: "Expand",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "input");
    const s = need(ctx.node, inputs, 1, "shape");
    if (!s.value) {
      const n = s.shape?.[0];
      if (!x.shape || typeof n !== "number") return [info(x.dtype, null)];
      return [info(x.dtype, new Array<Dim>(Math.max(n, x.shape.length)).fill(null))];
    }
    const target = intsOf(ctx.node, s.value, "shape");
    if (!x.shape) return [info(x.dtype, target.map((d) => (d === 1 ? null : d)))];
    const out = broadcastDims(x.shape, target);
    if (!out) throw new OpError(ctx.node, `cannot expand [${x.shape.join(", ")}] to [${target.join(", ")}]`);
    return [info(x.dtype, out)];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "input");
    const target = intsOf(ctx.node, need(ctx.node, inputs, 1, "shape"), "shape");
    const out = broadcastShapes(x.shape, target);
    if (!out) throw new OpError(ctx.node, `cannot expand [${x.shape.join(", ")}] to [${target.join(", ")}]`);
    return [gatherStrided(x, 0, broadcastStrides(x.shape, out), out)];
  },
});
