// Shape: the input's dims as an int64 vector (optionally a [start, end) window, opset 15).
import type { Dim } from "../graph/graph.ts";
import { attrInt, type Op, type OpCtx } from "./op.ts";
import { clamp, concrete, info, int64s, need } from "./util/shaping.ts";

/** The [start, end) window of dims to report, clamped to the rank. */
function window(ctx: OpCtx, rank: number): [number, number] {
  if (ctx.opset < 15) return [0, rank];
  let start = attrInt(ctx.node, "start", 0);
  let end = attrInt(ctx.node, "end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = clamp(start, 0, rank);
  end = clamp(end, 0, rank);
  return [start, Math.max(start, end)];
}

export const shape: Op = {
  name: "Shape",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    if (!x.shape) return [info("int64", [null])];
    const [s, e] = window(ctx, x.shape.length);
    const dims: Dim[] = x.shape.slice(s, e);
    // Known dims make a known value: this is what lets shape plumbing fold to constants.
    const known = concrete(dims);
    return [known ? { dtype: "int64", shape: [known.length], value: int64s(known) } : info("int64", [dims.length])];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    const [s, e] = window(ctx, x.shape.length);
    return [int64s(x.shape.slice(s, e))];
  },
};
