// Transpose: permute axes (default: reverse them).
import type { Node } from "../graph/graph.ts";
import { OpError } from "../errors.ts";
import { stridesOf } from "../graph/tensor.ts";
import { attrInts, type Op } from "./op.ts";
import { foldable, gatherStrided, info, need } from "./util/shaping.ts";

/** The permutation, checked to be one of 0..rank-1. */
function permOf(node: Node, rank: number): number[] {
  const perm = attrInts(node, "perm") ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const seen = new Set(perm);
  if (perm.length !== rank || seen.size !== rank || perm.some((p) => p < 0 || p >= rank || !Number.isInteger(p))) {
    throw new OpError(node, `perm [${perm.join(", ")}] is not a permutation of the ${rank} input axes`);
  }
  return perm;
}

export const transpose: Op = foldable({
  name: "Transpose",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    if (!x.shape) {
      const perm = attrInts(ctx.node, "perm");
      return [info(x.dtype, perm ? perm.map(() => null) : null)];
    }
    const shape = x.shape;
    return [info(x.dtype, permOf(ctx.node, shape.length).map((p) => shape[p]))];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    const perm = permOf(ctx.node, x.shape.length);
    const st = stridesOf(x.shape);
    return [gatherStrided(x, 0, perm.map((p) => st[p]), perm.map((p) => x.shape[p]))];
  },
});
