// Resize: resample a tensor by `scales` (output = floor(input * scale)) or to `sizes`, by nearest, (multi-)
// linear or cubic interpolation (see util/resize.ts for the per-axis arithmetic).
// Inputs by opset: 10: (X, scales), asymmetric coordinates and the old nearest rule; 11+: (X, roi, scales, sizes)
// with coordinate_transformation_mode, nearest_mode, cubic_coeff_a, exclude_outside, extrapolation_value;
// 18+: antialias, axes (scales/sizes/roi only for those axes) and keep_aspect_ratio_policy (with sizes).
import type { Dim } from "../graph/graph.ts";
import type { NumericArray, Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrFloat, attrInt, attrInts, attrString, type Op, type OpCtx, type ShapeInfo } from "./op.ts";
import { NUMERIC, checkType, numInput, required } from "./util/elementwise.ts";
import { normAxis } from "./util/reduce.ts";
import {
  COORD_MODES, NEAREST_MODES, RESIZE_MODES, resizeTensor, type CoordMode, type NearestMode, type ResampleParams, type ResizeMode,
} from "./util/resize.ts";

type Policy = "stretch" | "not_larger" | "not_smaller";

/** Read one of a fixed set of string attribute values. */
function oneOf<T extends string>(ctx: OpCtx, name: string, allowed: readonly T[], dflt: T): T {
  const v = attrString(ctx.node, name, dflt);
  if (!(allowed as readonly string[]).includes(v)) throw new OpError(ctx.node, `${name} must be one of ${allowed.join(", ")}; got "${v}"`);
  return v as T;
}

/** The resampling parameters for the node's opset. */
function resizeParams(ctx: OpCtx): ResampleParams {
  const mode = oneOf<ResizeMode>(ctx, "mode", ctx.opset >= 11 ? RESIZE_MODES : ["nearest", "linear"], "nearest");
  const legacy = ctx.opset < 11;
  return {
    mode,
    coord: legacy ? "asymmetric" : oneOf<CoordMode>(ctx, "coordinate_transformation_mode", COORD_MODES, "half_pixel"),
    nearest: legacy ? "simple" : oneOf<NearestMode>(ctx, "nearest_mode", NEAREST_MODES, "round_prefer_floor"),
    cubicA: attrFloat(ctx.node, "cubic_coeff_a", -0.75),
    excludeOutside: attrInt(ctx.node, "exclude_outside", 0) !== 0,
    extrapolation: attrFloat(ctx.node, "extrapolation_value", 0),
    antialias: ctx.opset >= 18 && attrInt(ctx.node, "antialias", 0) !== 0,
  };
}

/** What the inputs ask for, per listed axis: scales or sizes (exactly one), and the crop region. */
interface Targets {
  axes: number[];
  scales: number[] | null;
  sizes: number[] | null;
  /** Per listed axis [start, end] (fractions of the input), for tf_crop_and_resize. */
  roi: [number, number][] | null;
  policy: Policy;
}

/** The values of an optional input, or null when omitted or empty (an empty tensor means "not given"). */
function values(t: Tensor | undefined): number[] | null {
  return t && t.data.length > 0 ? Array.from(t.data as NumericArray) : null;
}

/** Read scales/sizes/roi (values known) for an input of the given rank, checking their lengths. */
function targets(ctx: OpCtx, rank: number, inputs: readonly (Tensor | undefined)[]): Targets {
  const legacy = ctx.opset < 11;
  const rawAxes = ctx.opset >= 18 ? attrInts(ctx.node, "axes") : undefined;
  const axes = rawAxes ? rawAxes.map((a) => normAxis(ctx.node, a, rank)) : Array.from({ length: rank }, (_, i) => i);
  const scalesT = inputs[legacy ? 1 : 2];
  const sizesT = legacy ? undefined : inputs[3];
  if (scalesT && !["float32", "float64", "float16"].includes(scalesT.dtype)) throw new OpError(ctx.node, `scales must be float, got ${scalesT.dtype}`);
  if (sizesT && sizesT.dtype !== "int64") throw new OpError(ctx.node, `sizes must be int64, got ${sizesT.dtype}`);
  const scales = values(scalesT);
  const sizes = values(sizesT);
  if (!scales === !sizes) throw new OpError(ctx.node, scales ? "give scales or sizes, not both" : "needs scales or sizes (both are omitted or empty)");
  const n = (scales ?? sizes)!.length;
  if (n !== axes.length) throw new OpError(ctx.node, `${scales ? "scales" : "sizes"} has ${n} values; expected ${axes.length} (one per ${rawAxes ? "listed axis" : "input dim"})`);
  if (scales?.some((s) => !(s > 0))) throw new OpError(ctx.node, `scales must be positive, got [${scales.join(", ")}]`);
  const roiV = legacy ? null : values(inputs[1]);
  if (roiV && roiV.length !== 2 * axes.length) throw new OpError(ctx.node, `roi has ${roiV.length} values; expected ${2 * axes.length}`);
  const roi = roiV ? axes.map((_, i): [number, number] => [roiV[i], roiV[axes.length + i]]) : null;
  const policy = ctx.opset >= 18 ? oneOf<Policy>(ctx, "keep_aspect_ratio_policy", ["stretch", "not_larger", "not_smaller"], "stretch") : "stretch";
  return { axes, scales, sizes, roi, policy };
}

/** Output shape and per-axis scale for a known input shape. */
function geometry(inShape: readonly number[], t: Targets): { shape: number[]; scales: number[] } {
  const shape = [...inShape];
  const scales = inShape.map(() => 1);
  if (t.scales) {
    t.axes.forEach((a, i) => {
      scales[a] = t.scales![i];
      shape[a] = Math.floor(inShape[a] * t.scales![i]);
    });
    return { shape, scales };
  }
  const sizes = t.sizes!;
  if (t.policy === "stretch") {
    t.axes.forEach((a, i) => {
      shape[a] = sizes[i];
      scales[a] = sizes[i] / inShape[a];
    });
    return { shape, scales };
  }
  const ratios = t.axes.map((a, i) => sizes[i] / inShape[a]);
  const s = t.policy === "not_larger" ? Math.min(...ratios) : Math.max(...ratios);
  for (const a of t.axes) {
    scales[a] = s;
    shape[a] = Math.floor(s * inShape[a] + 0.5);
  }
  return { shape, scales };
}

/** Output dims when some input dims or the target values are unknown. */
function inferDims(x: Dim[], t: Targets | null): Dim[] {
  if (!t) return x.map(() => null);
  if (x.every((d) => typeof d === "number")) return geometry(x as number[], t).shape;
  const out = [...x];
  t.axes.forEach((a, i) => {
    const d = x[a];
    if (t.scales) out[a] = typeof d === "number" ? Math.floor(d * t.scales[i]) : t.scales[i] === 1 ? d : null;
    else out[a] = t.policy === "stretch" ? t.sizes![i] : null;
  });
  return out;
}

export const Resize: Op = {
  name: "Resize",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    checkType(ctx.node, x.dtype, NUMERIC, "input 0");
    resizeParams(ctx);
    if (!x.shape) return [{ dtype: x.dtype, shape: null }];
    // The roi moves samples, not the output shape: only scales/sizes must be known.
    const needed = ctx.opset < 11 ? [1] : [2, 3];
    const known = needed.every((i) => !infos[i] || infos[i]!.value);
    const t = known ? targets(ctx, x.shape.length, infos.map((i: ShapeInfo | undefined) => i?.value)) : null;
    return [{ dtype: x.dtype, shape: inferDims(x.shape, t) }];
  },
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, NUMERIC);
    const p = resizeParams(ctx);
    const t = targets(ctx, x.shape.length, inputs);
    const { shape, scales } = geometry(x.shape, t);
    const rois = x.shape.map((): [number, number] => [0, 1]);
    t.roi?.forEach((r, i) => (rois[t.axes[i]] = r));
    if (x.data.length === 0 && shape.some((d, a) => d > 0 && x.shape[a] === 0)) {
      throw new OpError(ctx.node, `cannot resize an empty input [${x.shape.join(", ")}] to [${shape.join(", ")}]`);
    }
    return [resizeTensor(x, shape, scales, rois, p)];
  },
};
