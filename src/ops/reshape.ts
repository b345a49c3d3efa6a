// Reshape: same data, new dims; 0 copies an input dim (unless allowzero), -1 is inferred.
import type { Dim, Node } from "../graph/graph.ts";
import { OpError } from "../errors.ts";
import { sizeOf } from "../graph/tensor.ts";
import { attrInt, attrInts, type Op, type OpCtx } from "./op.ts";
import { foldable, info, intsOf, need, view } from "./util/shaping.ts";

/** The requested shape: the `shape` attribute before opset 5, else the second input's values (if known). */
function spec(ctx: OpCtx, fromInput: number[] | undefined): number[] | undefined {
  if (ctx.opset >= 5) return fromInput;
  const s = attrInts(ctx.node, "shape");
  if (!s) throw new OpError(ctx.node, "the 'shape' attribute is required before opset 5");
  return s;
}

/** Output dims from input dims and the shape spec; symbolic dims pass through 0 entries and cancel for -1. */
export function reshapeDims(node: Node, inDims: readonly Dim[], shape: readonly number[], allowzero: boolean): Dim[] {
  const used = new Array<boolean>(inDims.length).fill(false);
  let infer = -1;
  const out: Dim[] = shape.map((s, i) => {
    if (s === 0 && !allowzero) {
      if (i >= inDims.length) {
        throw new OpError(node, `shape[${i}] = 0 copies input dim ${i}, but the input has rank ${inDims.length}`);
      }
      used[i] = true;
      return inDims[i];
    }
    if (s === -1) {
      if (infer >= 0) throw new OpError(node, `shape [${shape.join(", ")}] has more than one -1`);
      infer = i;
      return null;
    }
    if (s < 0 || !Number.isInteger(s)) throw new OpError(node, `shape [${shape.join(", ")}] has an invalid entry ${s}`);
    return s;
  });
  // Cancel equal dims (numbers or symbols) between input and output, then divide what is left.
  let outKnown = 1;
  shape.forEach((s, i) => {
    if (i === infer || (s === 0 && !allowzero)) return;
    const j = s === 0 ? -1 : inDims.findIndex((d, k) => !used[k] && d === s);
    if (j >= 0) used[j] = true;
    else outKnown *= s;
  });
  const rest = inDims.filter((_, k) => !used[k]);
  if (!rest.every((d) => typeof d === "number")) return out;
  const total = sizeOf(rest as number[]);
  const where = `cannot reshape [${inDims.join(", ")}] to [${shape.join(", ")}]`;
  if (infer >= 0) {
    if (outKnown === 0 || total % outKnown !== 0) throw new OpError(node, `${where}: the sizes do not divide`);
    out[infer] = total / outKnown;
  } else if (total !== outKnown) {
    throw new OpError(node, `${where}: the element counts differ`);
  }
  return out;
}

export const reshape: Op = foldable({
  name: "Reshape",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    const allowzero = ctx.opset >= 14 && attrInt(ctx.node, "allowzero", 0) !== 0;
    const sInfo = ctx.opset < 5 ? undefined : need(ctx.node, inputs, 1, "shape");
    const s = spec(ctx, sInfo?.value ? intsOf(ctx.node, sInfo.value, "shape") : undefined);
    if (!s) {
      const n = sInfo?.shape?.[0];
      return [info(x.dtype, typeof n === "number" ? new Array<Dim>(n).fill(null) : null)];
    }
    if (!x.shape) return [info(x.dtype, s.map((d) => (d > 0 || (d === 0 && allowzero) ? d : null)))];
    return [info(x.dtype, reshapeDims(ctx.node, x.shape, s, allowzero))];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    const allowzero = ctx.opset >= 14 && attrInt(ctx.node, "allowzero", 0) !== 0;
    const sT = ctx.opset < 5 ? undefined : need(ctx.node, inputs, 1, "shape");
    const s = spec(ctx, sT ? intsOf(ctx.node, sT, "shape") : undefined)!;
    return [view(x, reshapeDims(ctx.node, x.shape, s, allowzero) as number[])];
  },
});
