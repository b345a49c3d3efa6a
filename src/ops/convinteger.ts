// ConvInteger: Conv over (u)int8 inputs minus their zero points (x: per tensor; w: per tensor or per output
// channel), accumulated exactly into int32. Padding contributes 0 after the zero point is subtracted.
import type { Node } from "../graph/graph.ts";
import { sizeOf, type DType, type NumTensor, type Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import type { Op } from "./op.ts";
import { checkConvShapes, convShape } from "./conv.ts";
import { convForward } from "./util/conv.ts";
import { checkType } from "./util/elementwise.ts";
import { need } from "./util/shaping.ts";
import { fmtShape, geom3, planAxes, readWindow } from "./util/spatial.ts";

const Q8: readonly DType[] = ["int8", "uint8"];

/** The zero point values: one (per tensor) or `perChannel` of them; absent means 0. */
export function zeroPoints(node: Node, zp: Tensor | undefined, of: Tensor, what: string, perChannel: number): ArrayLike<number> {
  if (!zp) return [0];
  if (zp.dtype !== of.dtype) throw new OpError(node, `${what} has type ${zp.dtype} but its input has type ${of.dtype}`);
  const n = sizeOf(zp.shape);
  if (n !== 1 && n !== perChannel) throw new OpError(node, `${what} ${fmtShape(zp.shape)} must hold 1 or ${perChannel} values`);
  return zp.data as ArrayLike<number>;
}

export const convInteger: Op = {
  name: "ConvInteger",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "x");
    const w = need(ctx.node, inputs, 1, "w");
    checkType(ctx.node, x.dtype, Q8, "x");
    checkType(ctx.node, w.dtype, Q8, "w");
    return [convShape(ctx.node, x, w, undefined, "int32")];
  },
  run(inputs, ctx) {
    const node = ctx.node;
    const x = need(node, inputs, 0, "x") as NumTensor;
    const w = need(node, inputs, 1, "w") as NumTensor;
    checkType(node, x.dtype, Q8, "x");
    checkType(node, w.dtype, Q8, "w");
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
