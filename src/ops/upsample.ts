// Upsample (opsets 7-9; Resize replaced it in 10): output = floor(input * scale) per dim, scales >= 1, by
// nearest (floor of x / scale) or (multi-)linear interpolation with asymmetric coordinates (x / scale),
// which is Resize-10's rule. Scales are the `scales` attribute at opset 7, input 1 from opset 9.
import type { Dim } from "../graph/graph.ts";
import type { NumericArray } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrFloats, attrString, type Op, type OpCtx, type ShapeInfo } from "./op.ts";
import { NUMERIC, checkType, numInput, required } from "./util/elementwise.ts";
import { resizeTensor, type ResampleParams } from "./util/resize.ts";

/** The sampling rule from `mode` ("bilinear" is opset 1's name for linear). */
function upsampleParams(ctx: OpCtx): ResampleParams {
  const m = attrString(ctx.node, "mode", "nearest");
  if (m !== "nearest" && m !== "linear" && m !== "bilinear") throw new OpError(ctx.node, `mode must be nearest or linear; got "${m}"`);
  return {
    mode: m === "nearest" ? "nearest" : "linear", coord: "asymmetric", nearest: "simple",
    cubicA: -0.75, excludeOutside: false, extrapolation: 0, antialias: false,
  };
}

/** The scales (from the attribute before opset 9, input 1 from 9), or null when input 1's value is unknown. */
function upsampleScales(ctx: OpCtx, rank: number, input: ShapeInfo | undefined): number[] | null {
  let scales: number[] | undefined;
  if (ctx.opset < 9) scales = attrFloats(ctx.node, "scales");
  else {
    if (!input) throw new OpError(ctx.node, "required input 1 (scales) is missing");
    if (input.dtype !== "float32") throw new OpError(ctx.node, `scales must be float32, got ${input.dtype}`);
    if (!input.value) return null;
    scales = Array.from(input.value.data as NumericArray);
  }
  if (!scales) throw new OpError(ctx.node, "missing required attribute 'scales'");
  if (scales.length !== rank) throw new OpError(ctx.node, `scales has ${scales.length} values; expected ${rank} (one per input dim)`);
  if (scales.some((s) => !(s >= 1))) throw new OpError(ctx.node, `scales must be >= 1, got [${scales.join(", ")}]`);
  return scales;
}

export const Upsample: Op = {
  name: "Upsample",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    checkType(ctx.node, x.dtype, NUMERIC, "input 0");
    upsampleParams(ctx);
    if (!x.shape) return [{ dtype: x.dtype, shape: null }];
    const scales = upsampleScales(ctx, x.shape.length, infos[1]);
    const dims: Dim[] = x.shape.map((d, a) => {
      if (!scales) return null;
      if (typeof d === "number") return Math.floor(d * scales[a]);
      return scales[a] === 1 ? d : null;
    });
    return [{ dtype: x.dtype, shape: dims }];
  },
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, NUMERIC);
    const s = inputs[1];
    const scales = upsampleScales(ctx, x.shape.length, s && { dtype: s.dtype, shape: s.shape, value: s })!;
    const shape = x.shape.map((d, a) => Math.floor(d * scales[a]));
    return [resizeTensor(x, shape, scales, x.shape.map((): [number, number] => [0, 1]), upsampleParams(ctx))];
  },
};
