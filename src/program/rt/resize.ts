// The runtime of the emitted program.ts, part 11: Resize (opsets 10-19: nearest, linear, cubic; every coordinate
// transformation mode; exclude_outside, extrapolation, antialias, axes, keep_aspect_ratio_policy), Upsample (its
// legacy form) and MaxUnpool. Resampling is separable: per axis, each output index takes a few input indices with
// weights; coordinates use float32 steps as onnxruntime computes them (nearest rounding at exact halves depends on it).
import { intsOf, newData, normAxis, numel, stridesFor, type Ten } from "./core.ts";

interface ResizeAttrs {
  antialias?: number;
  axes?: number[];
  coordinate_transformation_mode?: string;
  cubic_coeff_a?: number;
  exclude_outside?: number;
  extrapolation_value?: number;
  keep_aspect_ratio_policy?: string;
  mode?: string;
  nearest_mode?: string;
  opset: number;
}

/** One axis's plan: output j reads `taps` input indices with weights (or the extrapolation value when outside). */
interface AxisTaps {
  outLen: number;
  taps: number;
  index: Int32Array;
  weight: Float64Array;
  outside: Uint8Array;
  identity: boolean;
}

const f32 = Math.fround;

/** The input coordinate of output index x along one axis (coordinate_transformation_mode). */
export function sourceCoord(x: number, scale: number, inLen: number, outLen: number, coord: string, roi: number[]): number {
  const s = f32(scale);
  switch (coord) {
    case "half_pixel_symmetric": {
      const adj = f32(outLen / f32(s * inLen));
      return f32(f32(f32(inLen / 2) * f32(1 - adj)) + f32(f32(f32(x + 0.5) / s) - 0.5));
    }
    case "pytorch_half_pixel": return outLen > 1 ? f32(f32(f32(x + 0.5) / s) - 0.5) : 0;
    case "align_corners": return outLen === 1 ? 0 : f32(f32(x * (inLen - 1)) / (outLen - 1));
    case "asymmetric": return f32(x / s);
    case "tf_half_pixel_for_nn": return f32(f32(x + 0.5) / s);
    case "tf_crop_and_resize": {
      const a = f32(roi[0]), b = f32(roi[1]);
      if (outLen === 1) return f32(0.5 * (a + b) * (inLen - 1));
      return f32(f32(a * (inLen - 1)) + f32(f32(f32(x * f32(b - a)) * (inLen - 1)) / (outLen - 1)));
    }
    default: return f32(f32(f32(x + 0.5) / s) - 0.5); // half_pixel
  }
}

/** Keys' cubic convolution kernel with parameter a. */
function cubic(d: number, a: number): number {
  const t = Math.abs(d);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  return t < 2 ? ((a * t - 5 * a) * t + 8 * a) * t - 4 * a : 0;
}

/** Plan one axis of a resampling (mode nearest / linear / cubic; nearest "simple" is Resize-10's and Upsample's rule). */
export function resizeAxis(inLen: number, outLen: number, scale: number, mode: string, coord: string, nearest: string,
  at: { cubic_coeff_a?: number; exclude_outside?: number; antialias?: number }, roi: number[]): AxisTaps {
  const outside = new Uint8Array(outLen);
  if (scale === 1 && inLen === outLen) {
    return { outLen, taps: 1, index: Int32Array.from({ length: outLen }, (_, j) => j), weight: new Float64Array(outLen).fill(1), outside, identity: true };
  }
  const aa = at.antialias && scale < 1 ? scale : 1;
  const support = mode === "linear" ? 1 : 2;
  const first = Math.floor(-support / aa) + 1;
  const taps = mode === "nearest" ? 1 : 2 - 2 * first; // input taps first .. 1 - first
  const index = new Int32Array(outLen * taps), weight = new Float64Array(outLen * taps);
  const clamp = (i: number) => (i < 0 ? 0 : i >= inLen ? inLen - 1 : i);
  for (let j = 0; j < outLen; j++) {
    const x = sourceCoord(j, scale, inLen, outLen, coord, roi);
    if (coord === "tf_crop_and_resize" && (x < 0 || x > inLen - 1)) {
      outside[j] = 1;
      continue;
    }
    if (mode === "nearest") {
      const fl = Math.floor(x), r = x - fl;
      const i = nearest === "round_prefer_ceil" ? (r < 0.5 ? fl : fl + 1) : nearest === "floor" ? fl : nearest === "ceil" ? Math.ceil(x)
        : nearest === "simple" ? (scale < 1 ? Math.ceil(x) : Math.trunc(x)) : r <= 0.5 ? fl : fl + 1;
      index[j] = clamp(i);
      weight[j] = 1;
      continue;
    }
    const base = Math.floor(x), t = x - base;
    const ws: number[] = [];
    for (let i = first; i < 2 - first; i++) {
      const d = (i - t) * aa;
      ws.push(mode === "linear" ? Math.max(0, 1 - Math.abs(d)) : cubic(d, at.cubic_coeff_a ?? -0.75));
    }
    if (aa < 1) {
      const s = ws.reduce((a, b) => a + b, 0);
      for (let k = 0; k < ws.length; k++) ws[k] /= s;
    }
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const i = base + first + k;
      const w = at.exclude_outside && (i < 0 || i >= inLen) ? 0 : ws[k];
      index[j * taps + k] = clamp(i);
      weight[j * taps + k] = w;
      sum += w;
    }
    if (at.exclude_outside && sum !== 0) for (let k = 0; k < taps; k++) weight[j * taps + k] /= sum;
  }
  return { outLen, taps, index, weight, outside, identity: false };
}

/** x resampled along every axis with a plan; integers truncate and saturate to their type. */
export function resampleAll(x: Ten, plans: AxisTaps[], extrapolation: number): Ten {
  let data = Float64Array.from(x.data);
  const cur = [...x.shape];
  plans.forEach((p, a) => {
    if (p.identity) return;
    const outer = numel(cur.slice(0, a)), inner = numel(cur.slice(a + 1)), inLen = cur[a];
    const out = new Float64Array(outer * p.outLen * inner);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < p.outLen; j++) {
        const dst = (o * p.outLen + j) * inner;
        if (p.outside[j]) { out.fill(extrapolation, dst, dst + inner); continue; }
        for (let k = 0; k < p.taps; k++) {
          const w = p.weight[j * p.taps + k];
          if (w === 0) continue;
          const src = (o * inLen + p.index[j * p.taps + k]) * inner;
          for (let i = 0; i < inner; i++) out[dst + i] += w * data[src + i];
        }
      }
    }
    data = out;
    cur[a] = p.outLen;
  });
  const range = ({ int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535], int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1] } as Record<string, number[]>)[x.dtype];
  const outData = newData(x.dtype, data.length);
  for (let i = 0; i < data.length; i++) outData[i] = range ? Math.min(range[1], Math.max(range[0], Math.trunc(data[i]))) + 0 : data[i];
  return { dtype: x.dtype, shape: cur, data: outData };
}

/** Resize by scales (output = floor(input * scale)) or to sizes: (X, scales) at opset 10, (X, roi, scales, sizes) from 11. */
export function Resize(x: Ten, roiOrScales: Ten | undefined, scalesIn: Ten | undefined, sizesIn: Ten | undefined, at: ResizeAttrs): Ten {
  const legacy = at.opset < 11;
  const r = x.shape.length;
  const axes = (at.opset >= 18 && at.axes ? at.axes : x.shape.map((_, i) => i)).map((a) => normAxis(a, r));
  const vals = (t: Ten | undefined) => (t && t.data.length ? Array.from(t.data as ArrayLike<number>) : undefined);
  const scalesV = vals(legacy ? roiOrScales : scalesIn), sizesV = legacy ? undefined : vals(sizesIn), roiV = legacy ? undefined : vals(roiOrScales);
  const shape = [...x.shape], scales = x.shape.map(() => 1), rois = x.shape.map(() => [0, 1]);
  if (scalesV) axes.forEach((a, i) => { scales[a] = scalesV[i]; shape[a] = Math.floor(x.shape[a] * scalesV[i]); });
  else if (sizesV) {
    const policy = at.opset >= 18 ? at.keep_aspect_ratio_policy ?? "stretch" : "stretch";
    if (policy === "stretch") axes.forEach((a, i) => { shape[a] = sizesV[i]; scales[a] = sizesV[i] / x.shape[a]; });
    else {
      const ratios = axes.map((a, i) => sizesV[i] / x.shape[a]);
      const s = policy === "not_larger" ? Math.min(...ratios) : Math.max(...ratios);
      for (const a of axes) { scales[a] = s; shape[a] = Math.floor(s * x.shape[a] + 0.5); }
    }
  } else throw new Error("Resize: needs scales or sizes");
  if (roiV) axes.forEach((a, i) => { rois[a] = [roiV[i], roiV[axes.length + i]]; });
  const mode = at.mode ?? "nearest";
  const coord = legacy ? "asymmetric" : at.coordinate_transformation_mode ?? "half_pixel";
  const nearest = legacy ? "simple" : at.nearest_mode ?? "round_prefer_floor";
  const plans = x.shape.map((d, a) => resizeAxis(d, shape[a], scales[a], mode, coord, nearest, { ...at, antialias: at.opset >= 18 ? at.antialias : 0 }, rois[a]));
  return resampleAll(x, plans, at.extrapolation_value ?? 0);
}

/** Upsample (opsets 7-9): Resize-10's rule, scales as an attribute (7) or input (9); "bilinear" is linear. */
export function Upsample(x: Ten, scalesIn: Ten | undefined, at: { mode?: string; scales?: number[]; opset: number }): Ten {
  const scales = at.opset < 9 ? at.scales! : Array.from(scalesIn!.data as ArrayLike<number>);
  const mode = at.mode === "bilinear" ? "linear" : at.mode ?? "nearest";
  const plans = x.shape.map((d, a) => resizeAxis(d, Math.floor(d * scales[a]), scales[a], mode, "asymmetric", "simple", {}, [0, 1]));
  return resampleAll(x, plans, 0);
}

/** Scatter pooled values back to the positions MaxPool's indices recorded (zeros elsewhere); a larger output_shape
 *  keeps each value's coordinates. */
export function MaxUnpool(x: Ten, ind: Ten, outShape: Ten | undefined, at: { kernel_shape: number[]; pads?: number[]; strides?: number[] }): Ten {
  const n = x.shape.length - 2;
  const inferred = x.shape.map((d, i) => (i < 2 ? d : (d - 1) * (at.strides?.[i - 2] ?? 1) + at.kernel_shape[i - 2] - (at.pads?.[i - 2] ?? 0) - (at.pads?.[i - 2 + n] ?? 0)));
  const shape = intsOf(outShape) ?? inferred;
  const inSt = stridesFor(inferred), outSt = stridesFor(shape);
  const data = newData(x.dtype, numel(shape));
  for (let e = 0; e < x.data.length; e++) {
    let r = ind.data[e], idx = 0;
    for (let k = 0; k < inSt.length; k++) {
      const q = Math.floor(r / inSt[k]);
      r -= q * inSt[k];
      idx += q * outSt[k];
    }
    data[idx] = x.data[e];
  }
  return { dtype: x.dtype, shape, data };
}
