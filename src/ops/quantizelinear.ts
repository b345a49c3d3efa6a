// QuantizeLinear: y = saturate(round_half_even(x / scale) + zero_point), per tensor, per axis or per block.
import { OpError } from "../errors.ts";
import { allocData, type DType, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { dtypeOfCode } from "../onnx/dtype.ts";
import { attrInt, type Op, type OpCtx } from "./op.ts";
import { QRANGE, roundHalfEven, scaleIndex, zeroPoints } from "./util/quant.ts";
import { info, need } from "./util/shaping.ts";

/** Output type: the zero point's type, else the output_dtype attribute (opset 21), else uint8. */
function outType(ctx: OpCtx, zpType: DType | undefined): DType {
  if (zpType) return zpType;
  const code = attrInt(ctx.node, "output_dtype", 0);
  if (code === 0) return "uint8";
  const d = dtypeOfCode(code);
  if (!d) throw new OpError(ctx.node, `output_dtype ${code} is not a quantized type pseudonet supports`);
  return d;
}

export const quantizeLinear: Op = {
  name: "QuantizeLinear",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "x");
    need(ctx.node, inputs, 1, "y_scale");
    return [info(outType(ctx, inputs[2]?.dtype), x.shape)];
  },
  run(inputs: (Tensor | undefined)[], ctx) {
    const node = ctx.node;
    const x = need(node, inputs, 0, "x");
    const scale = need(node, inputs, 1, "y_scale");
    const dtype = outType(ctx, inputs[2]?.dtype);
    const range = QRANGE[dtype];
    if (!range || dtype === "int32") {
      throw new OpError(node, `cannot quantize to ${dtype} (supported: uint8, int8, uint16, int16)`);
    }
    if (x.dtype === "string" || scale.dtype === "string") throw new OpError(node, "x and y_scale must be numeric");
    const [lo, hi] = range;
    const idx = scaleIndex(ctx, x.shape, scale);
    const zp = zeroPoints(node, inputs[2], scale);
    const xs = x.data as NumericArray;
    const ss = scale.data as NumericArray;
    const out = allocData(dtype, xs.length) as NumericArray;
    for (let i = 0; i < xs.length; i++) {
      const k = idx ? idx[i] : 0;
      // Divide in float32 (as onnxruntime does) so ties round the same way.
      const q = roundHalfEven(x.dtype === "float64" ? xs[i] / ss[k] : Math.fround(xs[i] / ss[k])) + zp[zp.length === 1 ? 0 : k];
      out[i] = q < lo ? lo : q > hi ? hi : q;
    }
    return [{ dtype, shape: [...x.shape], data: out }];
  },
};
