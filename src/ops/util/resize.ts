// Resampling shared by Resize and Upsample: per axis, map each output index to a few input indices and
// weights (nearest: one tap; linear: two; cubic: four; more when antialiasing a downsample), then apply the
// axes one after another. Separable passes equal the N-D tensor-product formula of the spec (it is linear
// in each axis), and cost O(taps) per element per resized axis instead of O(taps^rank).
//
// Coordinates follow the ONNX spec as onnxruntime implements it: `length_resized` in align_corners and
// tf_crop_and_resize is the integer output length (the onnx Python reference uses scale * length_in
// instead, which only differs for fractional downsampling; onnxruntime excludes those two upstream cases),
// and an axis at scale 1 is never resampled (see planAxis).
import { allocData, isFloat, sizeOf, type NumericArray, type NumTensor } from "../../graph/tensor.ts";
import { finish, typeRange } from "./elementwise.ts";

export type ResizeMode = "nearest" | "linear" | "cubic";
export type CoordMode =
  | "half_pixel" | "half_pixel_symmetric" | "pytorch_half_pixel" | "align_corners" | "asymmetric"
  | "tf_half_pixel_for_nn" | "tf_crop_and_resize";
/** "simple" is the rule of Resize-10 and Upsample (no nearest_mode yet): floor, or ceil when downsampling. */
export type NearestMode = "round_prefer_floor" | "round_prefer_ceil" | "floor" | "ceil" | "simple";

export const RESIZE_MODES: readonly ResizeMode[] = ["nearest", "linear", "cubic"];
export const COORD_MODES: readonly CoordMode[] = [
  "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn",
  "tf_crop_and_resize",
];
export const NEAREST_MODES: readonly NearestMode[] = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"];

/** How to resample, from the node's attributes. */
export interface ResampleParams {
  mode: ResizeMode;
  coord: CoordMode;
  nearest: NearestMode;
  /** The cubic kernel's a (default -0.75; PyTorch's bicubic uses -0.75, TensorFlow's -0.5). */
  cubicA: number;
  /** Give taps outside the input weight 0 and renormalise the rest. */
  excludeOutside: boolean;
  /** Value of outputs that tf_crop_and_resize maps outside the input. */
  extrapolation: number;
  /** Widen linear/cubic kernels by 1/scale when downsampling (opset 18). */
  antialias: boolean;
}

/** One axis's resampling: for output j, taps input indices index[j*taps+k] with weights weight[j*taps+k]. */
export interface AxisPlan {
  inLen: number;
  outLen: number;
  taps: number;
  index: Int32Array;
  weight: Float64Array;
  /** Outputs that take the extrapolation value (tf_crop_and_resize outside the input), or null. */
  outside: Uint8Array | null;
  /** Output j is input j for every j: the axis can be skipped. */
  identity: boolean;
}

const f = Math.fround;

/** The input coordinate of output index x along one axis (spec's coordinate_transformation_mode), in float32
 *  arithmetic step by step as onnxruntime computes it: nearest rounding at exact halves depends on it. */
export function originalCoord(x: number, scale: number, inLen: number, outLen: number, coord: CoordMode, roi: [number, number]): number {
  const s = f(scale);
  switch (coord) {
    case "half_pixel": return f(f(f(x + 0.5) / s) - 0.5);
    case "half_pixel_symmetric": {
      const adjustment = f(outLen / f(s * inLen));
      const offset = f(f(inLen / 2) * f(1 - adjustment));
      return f(offset + f(f(f(x + 0.5) / s) - 0.5));
    }
    case "pytorch_half_pixel": return outLen > 1 ? f(f(f(x + 0.5) / s) - 0.5) : 0;
    case "align_corners": return outLen === 1 ? 0 : f(f(x * (inLen - 1)) / (outLen - 1));
    case "asymmetric": return f(x / s);
    case "tf_half_pixel_for_nn": return f(f(x + 0.5) / s);
    case "tf_crop_and_resize": {
      const [start, end] = [f(roi[0]), f(roi[1])];
      if (outLen === 1) return f(0.5 * (start + end) * (inLen - 1));
      return f(f(start * (inLen - 1)) + f(f(f(x * f(end - start)) * (inLen - 1)) / (outLen - 1)));
    }
  }
}

/** The input index nearest mode picks for coordinate x (before clamping). */
function nearestIndex(x: number, mode: NearestMode, downsampling: boolean): number {
  const f = Math.floor(x);
  const r = x - f;
  switch (mode) {
    case "round_prefer_floor": return r <= 0.5 ? f : f + 1;
    case "round_prefer_ceil": return r < 0.5 ? f : f + 1;
    case "floor": return f;
    case "ceil": return Math.ceil(x);
    case "simple": return downsampling ? Math.ceil(x) : Math.trunc(x);
  }
}

/** The cubic convolution kernel (Keys) with parameter a, at distance d. */
function cubicKernel(d: number, a: number): number {
  const t = Math.abs(d);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

/** Tap offsets (relative to floor(x)) and their weights for fraction t of x; antialias widens by 1/scale. */
function tapWeights(t: number, scale: number, p: ResampleParams): { first: number; weights: number[] } {
  const s = p.antialias && scale < 1 ? scale : 1;
  // Kernel support: 1 (linear) or 2 (cubic) input pixels, times 1/s when antialiasing.
  const support = p.mode === "linear" ? 1 : 2;
  const first = Math.floor(-support / s) + 1;
  const weights: number[] = [];
  for (let i = first; i < 2 - first; i++) {
    const d = (i - t) * s;
    weights.push(p.mode === "linear" ? Math.max(0, 1 - Math.abs(d)) : cubicKernel(d, p.cubicA));
  }
  if (s < 1) {
    const sum = weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < weights.length; i++) weights[i] /= sum;
  }
  return { first, weights };
}

/** Plan one axis: output length outLen from inLen, at `scale` (the given one, or outLen / inLen for sizes). */
export function planAxis(inLen: number, outLen: number, scale: number, p: ResampleParams, roi: [number, number] = [0, 1]): AxisPlan {
  // An axis at scale 1 is left as it is, whatever the coordinate mode: onnxruntime does so, and without it
  // tf_crop_and_resize would crop, and tf_half_pixel_for_nn with round_prefer_ceil shift, the batch and
  // channel axes of every NCHW resize.
  if (scale === 1 && inLen === outLen) {
    const index = Int32Array.from({ length: outLen }, (_, j) => j);
    return { inLen, outLen, taps: 1, index, weight: new Float64Array(outLen).fill(1), outside: null, identity: true };
  }
  const nearest = p.mode === "nearest";
  const probe = nearest ? null : tapWeights(0, scale, p);
  const taps = probe ? probe.weights.length : 1;
  const index = new Int32Array(outLen * taps);
  const weight = new Float64Array(outLen * taps);
  let outside: Uint8Array | null = null;
  let identity = inLen === outLen;
  const clamp = (i: number) => (i < 0 ? 0 : i >= inLen ? inLen - 1 : i);
  for (let j = 0; j < outLen; j++) {
    const x = originalCoord(j, scale, inLen, outLen, p.coord, roi);
    if (p.coord === "tf_crop_and_resize" && (x < 0 || x > inLen - 1)) {
      (outside ??= new Uint8Array(outLen))[j] = 1;
      identity = false;
      continue;
    }
    if (nearest) {
      index[j] = clamp(nearestIndex(x, p.nearest, scale < 1));
      weight[j] = 1;
      if (index[j] !== j) identity = false;
      continue;
    }
    const base = Math.floor(x);
    const { first, weights } = tapWeights(x - base, scale, p);
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const i = base + first + k;
      const w = p.excludeOutside && (i < 0 || i >= inLen) ? 0 : weights[k];
      index[j * taps + k] = clamp(i);
      weight[j * taps + k] = w;
      sum += w;
      if (w !== 0 && (i !== j || w !== 1)) identity = false;
    }
    if (p.excludeOutside && sum !== 0) for (let k = 0; k < taps; k++) weight[j * taps + k] /= sum;
  }
  return { inLen, outLen, taps, index, weight, outside, identity };
}

/** Resample x (shape `shape`) along every axis with a non-identity plan; returns float64 data and the new shape. */
export function resample(x: NumericArray, shape: readonly number[], plans: readonly AxisPlan[], extrapolation: number): { data: Float64Array | NumericArray; shape: number[] } {
  let data: Float64Array | NumericArray = x;
  const cur = [...shape];
  for (let a = 0; a < plans.length; a++) {
    const plan = plans[a];
    if (plan.identity) continue;
    let outer = 1;
    for (let d = 0; d < a; d++) outer *= cur[d];
    let inner = 1;
    for (let d = a + 1; d < cur.length; d++) inner *= cur[d];
    const out = new Float64Array(outer * plan.outLen * inner);
    resampleAxis(data, out, outer, inner, plan, extrapolation);
    data = out;
    cur[a] = plan.outLen;
  }
  return { data, shape: cur };
}

/** One separable pass: out[o, j, i] = sum_k w[j,k] * src[o, idx[j,k], i] (or the extrapolation value). */
function resampleAxis(src: Float64Array | NumericArray, out: Float64Array, outer: number, inner: number, plan: AxisPlan, extrapolation: number): void {
  const { inLen, outLen, taps, index, weight, outside } = plan;
  for (let o = 0; o < outer; o++) {
    const srcBase = o * inLen * inner;
    for (let j = 0; j < outLen; j++) {
      const dst = (o * outLen + j) * inner;
      if (outside?.[j]) {
        out.fill(extrapolation, dst, dst + inner);
        continue;
      }
      for (let k = 0; k < taps; k++) {
        const w = weight[j * taps + k];
        if (w === 0) continue;
        const s = srcBase + index[j * taps + k] * inner;
        for (let i = 0; i < inner; i++) out[dst + i] += w * src[s + i];
      }
    }
  }
}

/** Resample a numeric tensor to outShape: one plan per axis (scale per axis, roi per axis for crops). The result
 *  is rounded to the input's dtype: integers truncate toward zero and saturate (cubic can overshoot). */
export function resizeTensor(
  x: NumTensor, outShape: readonly number[], scales: readonly number[], rois: readonly [number, number][], p: ResampleParams,
): NumTensor {
  const plans = x.shape.map((d, a) => planAxis(d, outShape[a], scales[a], p, rois[a]));
  const { data } = resample(x.data, x.shape, plans, p.extrapolation);
  const out = allocData(x.dtype, sizeOf(outShape)) as NumericArray;
  if (isFloat(x.dtype)) out.set(data);
  else {
    const [lo, hi] = typeRange(x.dtype);
    for (let i = 0; i < data.length; i++) out[i] = Math.min(hi, Math.max(lo, Math.trunc(data[i]))) + 0;
  }
  finish(x.dtype, out);
  return { dtype: x.dtype, shape: [...outShape], data: out };
}
