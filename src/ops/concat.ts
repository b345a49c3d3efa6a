// Concat: join tensors of equal rank along one axis.
import type { Dim } from "../graph/graph.ts";
import { OpError } from "../errors.ts";
import { allocData, sizeOf, type Tensor } from "../graph/tensor.ts";
import { attrInt, type Op, type OpCtx } from "./op.ts";
import { copyRange, foldable, info, normAxis } from "./util/shaping.ts";

/** The raw axis attribute: required from opset 4, default 1 before. */
function rawAxis(ctx: OpCtx): number {
  const a = attrInt(ctx.node, "axis");
  if (a !== undefined) return a;
  if (ctx.opset < 4) return 1;
  throw new OpError(ctx.node, "the 'axis' attribute is required");
}

export const concat: Op = foldable({
  name: "Concat",
  shape(inputs, ctx) {
    const present = inputs.filter((i) => i !== undefined);
    if (present.length === 0) throw new OpError(ctx.node, "needs at least one input");
    const dtype = present[0].dtype;
    const known = present.filter((i) => i.shape !== null).map((i) => i.shape as Dim[]);
    if (known.length === 0) return [info(dtype, null)];
    const rank = known[0].length;
    if (known.some((s) => s.length !== rank)) {
      throw new OpError(ctx.node, `inputs have different ranks: ${known.map((s) => s.length).join(", ")}`);
    }
    const axis = normAxis(ctx.node, rawAxis(ctx), rank);
    const out: Dim[] = [];
    for (let d = 0; d < rank; d++) {
      if (d === axis) {
        let sum: number | null = known.length === present.length ? 0 : null;
        for (const s of known) sum = sum !== null && typeof s[d] === "number" ? sum + (s[d] as number) : null;
        out.push(sum);
        continue;
      }
      const nums = known.map((s) => s[d]).filter((x) => typeof x === "number");
      if (new Set(nums).size > 1) {
        throw new OpError(ctx.node, `inputs disagree on dim ${d}: ${known.map((s) => `[${s.join(", ")}]`).join(" vs ")}`);
      }
      out.push(nums.length ? nums[0] : known.find((s) => s[d] !== null)?.[d] ?? null);
    }
    return [info(dtype, out)];
  },
  run(inputs, ctx) {
    const xs = inputs.filter((i): i is Tensor => i !== undefined);
    if (xs.length === 0) throw new OpError(ctx.node, "needs at least one input");
    const rank = xs[0].shape.length;
    const axis = normAxis(ctx.node, rawAxis(ctx), rank);
    for (const x of xs) {
      const same = x.shape.length === rank && x.shape.every((d, i) => i === axis || d === xs[0].shape[i]);
      if (!same || x.dtype !== xs[0].dtype) {
        throw new OpError(ctx.node, `cannot concat ${xs.map((t) => `${t.dtype}[${t.shape.join(", ")}]`).join(", ")} on axis ${axis}`);
      }
    }
    const shape = [...xs[0].shape];
    shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
    const outer = sizeOf(shape.slice(0, axis));
    const inner = sizeOf(shape.slice(axis + 1));
    const data = allocData(xs[0].dtype, sizeOf(shape));
    const rowLen = shape[axis] * inner;
    let col = 0;
    for (const x of xs) {
      const block = x.shape[axis] * inner;
      for (let o = 0; o < outer; o++) copyRange(x.data, o * block, data, o * rowLen + col, block);
      col += block;
    }
    return [{ dtype: xs[0].dtype, shape, data }];
  },
});
