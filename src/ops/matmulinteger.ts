// MatMulInteger: numpy matmul of (u)int8 operands minus their zero points, exact in int32.
// a_zero_point: scalar, per row ([M]) or broadcastable N-D ([..., M, 1]); b_zero_point: scalar, per
// column ([N]) or N-D ([..., 1, N]).
import type { Node } from "../graph/graph.ts";
import { sizeOf, type NumTensor, type Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import type { Op } from "./op.ts";
import { broadcastIndex, broadcastShapes } from "./util/broadcast.ts";
import { matmulDims, matmulRun } from "./util/matmul.ts";
import { q8Operands, zeroPointOf } from "./util/quant.ts";
import { info } from "./util/shaping.ts";
import { fmtShape } from "./util/spatial.ts";

/** t - zp as Float64, zp broadcast to t's shape; a 1-D zero point of A is per row ([M] read as [M, 1]). */
function shifted(node: Node, t: NumTensor, input: Tensor | undefined, what: string, isA: boolean): Float64Array {
  const out = Float64Array.from(t.data);
  const zp = zeroPointOf(node, input, t, what);
  if (!zp) return out;
  const z = zp.data as ArrayLike<number>;
  if (sizeOf(zp.shape) === 1) {
    for (let i = 0; i < out.length; i++) out[i] -= z[0];
    return out;
  }
  const zShape = isA && zp.shape.length === 1 ? [zp.shape[0], 1] : zp.shape;
  const b = broadcastShapes(t.shape, zShape);
  if (!b || b.length !== t.shape.length || b.some((d, i) => d !== t.shape[i])) {
    throw new OpError(node, `${what} ${fmtShape(zp.shape)} does not broadcast to its input ${fmtShape(t.shape)}`);
  }
  const idx = broadcastIndex(t.shape, zShape);
  for (let i = 0; i < out.length; i++) out[i] -= z[idx ? idx[i] : i];
  return out;
}

export const matMulInteger: Op = {
  name: "MatMulInteger",
  shape(inputs, ctx) {
    const [a, b] = q8Operands(ctx.node, inputs, ["A", "B"]);
    return [info("int32", matmulDims(ctx.node, a.shape, b.shape))];
  },
  run(inputs, ctx) {
    const node = ctx.node;
    const [a, b] = q8Operands(node, inputs as (NumTensor | undefined)[], ["A", "B"]);
    const r = matmulRun(node, shifted(node, a, inputs[2], "a_zero_point", true), a.shape, shifted(node, b, inputs[3], "b_zero_point", false), b.shape);
    return [{ dtype: "int32", shape: r.shape, data: Int32Array.from(r.data) }];
  },
};
