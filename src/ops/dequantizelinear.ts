// DequantizeLinear: y = (x - zero_point) * scale, per tensor, per axis or per block; y has the scale's type.
import { OpError } from "../errors.ts";
import { allocData, roundTo, type NumericArray, type Tensor } from "../graph/tensor.ts";
import type { Op } from "./op.ts";
import { scaleIndex, zeroPoints } from "./util/quant.ts";
import { info, need } from "./util/shaping.ts";

export const dequantizeLinear: Op = {
  name: "DequantizeLinear",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "x");
    const s = need(ctx.node, inputs, 1, "x_scale");
    return [info(s.dtype, x.shape)];
  },
  run(inputs: (Tensor | undefined)[], ctx) {
    const node = ctx.node;
    const x = need(node, inputs, 0, "x");
    const scale = need(node, inputs, 1, "x_scale");
    if (x.dtype === "string" || scale.dtype === "string" || !scale.dtype.startsWith("float")) {
      throw new OpError(node, `expected integer x and float x_scale, got ${x.dtype} and ${scale.dtype}`);
    }
    const zpT = inputs[2];
    if (zpT && zpT.dtype !== x.dtype) throw new OpError(node, `x_zero_point is ${zpT.dtype} but x is ${x.dtype}`);
    const idx = scaleIndex(ctx, x.shape, scale);
    const zp = zeroPoints(node, zpT, scale);
    const xs = x.data as NumericArray;
    const ss = scale.data as NumericArray;
    const out = allocData(scale.dtype, xs.length) as NumericArray;
    for (let i = 0; i < xs.length; i++) {
      const k = idx ? idx[i] : 0;
      out[i] = (xs[i] - zp[zp.length === 1 ? 0 : k]) * ss[k];
    }
    roundTo(scale.dtype, out);
    return [{ dtype: scale.dtype, shape: [...x.shape], data: out }];
  },
};
