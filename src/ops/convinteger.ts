// ConvInteger: Conv over (u)int8 inputs minus their zero points (x: per tensor; w: per tensor or per output
// channel), accumulated exactly into int32. Padding contributes 0 after the zero point is subtracted.
import type { Node } from "../graph/graph.ts";
import { sizeOf, type NumTensor, type Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import type { Op } from "./op.ts";
import { checkConvShapes, convShape } from "./conv.ts";
import { convForward } from "./util/conv.ts";
import { q8Operands, zeroPointOf } from "./util/quant.ts";
import { fmtShape, geom3, planAxes, readWindow } from "./util/spatial.ts";

/** The zero point values: one (per tensor) or `perChannel` of them; absent means 0. */
function zeroPoints(node: Node, input: Tensor | undefined, of: Tensor, what: string, perChannel: number): ArrayLike<number> {
  const zp = zeroPointOf(node, input, of, what);
  if (!zp) return [0];
  const n = sizeOf(zp.shape);
  if (n !== 1 && n !== perChannel) throw new OpError(node, `${what} ${fmtShape(zp.shape)} must hold 1 or ${perChannel} values`);
  return zp.data as ArrayLike<number>;
}

export const convInteger: Op = {
  name: "ConvInteger",
  shape(inputs, ctx) {
    const [x, w] = q8Operands(ctx.node, inputs, ["x", "w"]);
    return [convShape(ctx.node, x, w, undefined, "int32")];
  },
  run(inputs, ctx) {
    const node = ctx.node;
    const [x, w] = q8Operands(node, inputs as (NumTensor | undefined)[], ["x", "w"]);
    const group = checkConvShapes(node, x.shape, w.shape, null, "x");
    const [n, c] = x.shape, m = w.shape[0];
    const xz = zeroPoints(node, inputs[2], x, "x_zero_point", 1)[0];
    const wz = zeroPoints(node, inputs[3], w, "w_zero_point", m);
    // Shift to exact Float64 values; the gemm's Float64 path keeps integer sums exact.
    const xf = Float64Array.from(x.data, (v) => v - xz);
    const perM = sizeOf(w.shape) / Math.max(m, 1);
    const wf = Float64Array.from(w.data, (v, i) => v - wz[wz.length === 1 ? 0 : Math.floor(i / perM)]);
    const spatial = x.shape.slice(2);
    const win = readWindow(node, spatial.length, w.shape.slice(2));
    const plans = planAxes(node, win, spatial);
    const shape = [n, m, ...plans.map((p) => p.out)];
    const acc = new Float64Array(sizeOf(shape));
    if (acc.length > 0) convForward(xf, wf, undefined, { n, c, m, group, g: geom3(node, spatial, plans, win) }, acc);
    return [{ dtype: "int32", shape, data: Int32Array.from(acc) }];
  },
};
