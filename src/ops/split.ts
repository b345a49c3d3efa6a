// Split: cut a tensor along an axis into parts (given sizes, num_outputs, or equal parts).
import type { Dim } from "../graph/graph.ts";
import { OpError } from "../errors.ts";
import { allocData, sizeOf, type Tensor } from "../graph/tensor.ts";
import { attrInt, attrInts, type Op, type OpCtx } from "./op.ts";
import { copyRange, foldable, info, intsOf, need, normAxis } from "./util/shaping.ts";

/** Explicit part sizes: the attribute before opset 13 (or opset 1's second input), the input after. */
function explicitSizes(ctx: OpCtx, splitInput: Tensor | undefined): number[] | undefined {
  if (ctx.opset >= 13 || (ctx.opset < 2 && splitInput)) {
    return splitInput ? intsOf(ctx.node, splitInput, "split") : undefined;
  }
  return attrInts(ctx.node, "split");
}

/** The size of every output along the axis, checked against the axis length. */
function partSizes(ctx: OpCtx, dim: number, sizes: number[] | undefined): number[] {
  const node = ctx.node;
  const n = node.outputs.length;
  if (sizes && sizes.length > 0) {
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sizes.length !== n || sum !== dim || sizes.some((s) => s < 0)) {
      throw new OpError(node, `split [${sizes.join(", ")}] must have ${n} non-negative entries summing to ${dim}`);
    }
    return sizes;
  }
  const numOutputs = ctx.opset >= 18 ? attrInt(node, "num_outputs") : undefined;
  if (numOutputs !== undefined) {
    if (numOutputs !== n) throw new OpError(node, `num_outputs is ${numOutputs} but the node has ${n} outputs`);
    // Opset 18: chunks of ceil(dim / n), the last one smaller.
    const chunk = Math.ceil(dim / n);
    const last = dim - chunk * (n - 1);
    if (last < 0) throw new OpError(node, `cannot split ${dim} elements into ${n} chunks of ${chunk}`);
    return Array.from({ length: n }, (_, i) => (i === n - 1 ? last : chunk));
  }
  if (dim % n !== 0) throw new OpError(node, `axis length ${dim} does not split into ${n} equal parts`);
  return new Array<number>(n).fill(dim / n);
}

export const split: Op = foldable({
  name: "Split",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "input");
    const n = ctx.node.outputs.length;
    if (!x.shape) return Array.from({ length: n }, () => info(x.dtype, null));
    const shape = x.shape;
    const axis = normAxis(ctx.node, attrInt(ctx.node, "axis", 0), shape.length);
    const dim = shape[axis];
    // A split input whose value is not known leaves every part size unknown.
    const unknownSizes = ctx.opset >= 13 && inputs[1] !== undefined && !inputs[1].value;
    const sizes = unknownSizes ? undefined : explicitSizes(ctx, inputs[1]?.value);
    let parts: Dim[] = new Array<Dim>(n).fill(null);
    if (typeof dim === "number" && !unknownSizes) parts = partSizes(ctx, dim, sizes);
    else if (sizes && sizes.length === n) parts = sizes;
    return parts.map((p) => info(x.dtype, shape.map((d, i) => (i === axis ? p : d))));
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "input");
    const axis = normAxis(ctx.node, attrInt(ctx.node, "axis", 0), x.shape.length);
    const sizes = partSizes(ctx, x.shape[axis], explicitSizes(ctx, inputs[1]));
    const outer = sizeOf(x.shape.slice(0, axis));
    const inner = sizeOf(x.shape.slice(axis + 1));
    const rowLen = x.shape[axis] * inner;
    let col = 0;
    return sizes.map((s) => {
      const shape = x.shape.map((d, i) => (i === axis ? s : d));
      const data = allocData(x.dtype, sizeOf(shape));
      const block = s * inner;
      for (let o = 0; o < outer; o++) copyRange(x.data, o * rowLen + col, data, o * block, block);
      col += block;
      return { dtype: x.dtype, shape, data };
    });
  },
});
