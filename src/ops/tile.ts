// Tile: repeat the whole input `repeats[i]` times along each axis.
import type { Dim } from "../graph/graph.ts";
import { OpError } from "../errors.ts";
import { stridesOf, type Tensor } from "../graph/tensor.ts";
import { type Op, type OpCtx } from "./op.ts";
import { foldable, gatherStrided, info, intsOf, need, normAxis, scalarOf, view } from "./util/shaping.ts";

/** Repeats per axis: the `repeats` input (opset 6+), or opset 1's scalar `tiles` along `axis`. */
function repeatsOf(ctx: OpCtx, rank: number, vals: (Tensor | undefined)[]): number[] | undefined {
  const node = ctx.node;
  if (ctx.opset < 6 && vals.length > 2) {
    if (!vals[1] || !vals[2]) return undefined;
    const axis = normAxis(node, scalarOf(node, vals[2], "axis"), rank);
    const tiles = scalarOf(node, vals[1], "tiles");
    return Array.from({ length: rank }, (_, i) => (i === axis ? tiles : 1));
  }
  if (!vals[1]) return undefined;
  const r = intsOf(node, vals[1], "repeats");
  if (r.length !== rank || r.some((v) => v < 0)) {
    throw new OpError(node, `repeats [${r.join(", ")}] must have one non-negative entry per input axis (${rank})`);
  }
  return r;
}

export const tile: Op = foldable({
  name: "Tile",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "input");
    need(ctx.node, inputs, 1, "repeats");
    if (!x.shape) return [info(x.dtype, null)];
    const shape = x.shape;
    const reps = repeatsOf(ctx, shape.length, inputs.map((i) => i?.value));
    if (!reps) return [info(x.dtype, shape.map(() => null))];
    return [info(x.dtype, shape.map((d, i): Dim => (typeof d === "number" ? d * reps[i] : reps[i] === 1 ? d : null)))];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "input");
    need(ctx.node, inputs, 1, "repeats");
    const reps = repeatsOf(ctx, x.shape.length, inputs)!;
    // Read the input as [r0, d0, r1, d1, ...] with stride 0 on the repeat axes, then merge pairs.
    const st = stridesOf(x.shape);
    const big = x.shape.flatMap((d, i) => [reps[i], d]);
    const strides = st.flatMap((s) => [0, s]);
    const t = gatherStrided(x, 0, strides, big);
    return [view(t, x.shape.map((d, i) => d * reps[i]))];
  },
});
