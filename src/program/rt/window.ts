// The runtime of the emitted program.ts, part 5: convolutions, pooling and the quantized ops (1-D and 2-D).
// Pooling runs poolNd (window-nd.ts, any number of spatial axes); convolutions accumulate in float64 so the
// integer ones (ConvInteger) stay exact.
import { newData, numel, tensorFrom, type Ten } from "./core.ts";
import { convNd, poolNd } from "./window-nd.ts";
import { MatMul } from "./dense.ts";

interface WindowAttrs {
  auto_pad?: string;
  dilations?: number[];
  kernel_shape?: number[];
  pads?: number[];
  strides?: number[];
}

/** Explicit pads (all begins, then all ends) with auto_pad resolved as onnxruntime does. */
export function windowPads(spatial: number[], kernel: number[], at: WindowAttrs): number[] {
  const n = spatial.length;
  const mode = at.auto_pad ?? "NOTSET";
  if (mode === "NOTSET") return at.pads ?? new Array(2 * n).fill(0);
  const pads = new Array(2 * n).fill(0);
  if (mode === "VALID") return pads;
  for (let i = 0; i < n; i++) {
    const s = at.strides?.[i] ?? 1, d = at.dilations?.[i] ?? 1;
    const total = Math.max(0, (Math.ceil(spatial[i] / s) - 1) * s + (kernel[i] - 1) * d + 1 - spatial[i]);
    pads[i] = mode === "SAME_LOWER" ? Math.ceil(total / 2) : Math.floor(total / 2);
    pads[i + n] = total - pads[i];
  }
  return pads;
}

/** Conv over NCL / NCHW input with zero points subtracted from x and w (ConvInteger), bias added; result in `dtype`. */
function convolve(x: Ten, w: Ten, bias: Ten | undefined, at: WindowAttrs & { group?: number }, dtype: string, xZero: number, wZero: Ten | undefined): Ten {
  if (x.shape.length > 4) return convNd(x, w, bias, windowPads(x.shape.slice(2), at.kernel_shape ?? w.shape.slice(2), at), at, dtype, xZero, wZero);
  const two = x.shape.length === 4;
  const [N, C] = x.shape, M = w.shape[0];
  const H = two ? x.shape[2] : 1, W = x.shape[x.shape.length - 1];
  const kernel = at.kernel_shape ?? w.shape.slice(2);
  const [kh, kw] = two ? kernel : [1, kernel[0]];
  const p = windowPads(x.shape.slice(2), kernel, at);
  const [pt, pl] = two ? [p[0], p[1]] : [0, p[0]], [pb, pr] = two ? [p[2], p[3]] : [0, p[1]];
  const [sh, sw] = two ? at.strides ?? [1, 1] : [1, at.strides?.[0] ?? 1];
  const [dh, dw] = two ? at.dilations ?? [1, 1] : [1, at.dilations?.[0] ?? 1];
  const OH = Math.floor((H + pt + pb - (kh - 1) * dh - 1) / sh) + 1, OW = Math.floor((W + pl + pr - (kw - 1) * dw - 1) / sw) + 1;
  const G = at.group ?? 1, cpg = C / G, mpg = M / G;
  const data = newData(dtype, N * M * OH * OW);
  const acc = new Float64Array(OH * OW);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      acc.fill(bias ? bias.data[m] : 0);
      const wz = wZero ? wZero.data[wZero.data.length === 1 ? 0 : m] : 0;
      for (let c = 0; c < cpg; c++) {
        const xBase = (n * C + Math.floor(m / mpg) * cpg + c) * H * W;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const wv = w.data[((m * cpg + c) * kh + ky) * kw + kx] - wz;
            for (let oy = 0; oy < OH; oy++) {
              const iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= H) continue;
              for (let ox = 0; ox < OW; ox++) {
                const ix = ox * sw - pl + kx * dw;
                // Padding holds the zero point (a quantized zero), so it contributes nothing either way.
                if (ix >= 0 && ix < W) acc[oy * OW + ox] += wv * (x.data[xBase + iy * W + ix] - xZero);
              }
            }
          }
        }
      }
      data.set(acc, (n * M + m) * OH * OW);
    }
  }
  return { dtype, shape: two ? [N, M, OH, OW] : [N, M, OW], data };
}

export function Conv(x: Ten, w: Ten, b: Ten | undefined, at: WindowAttrs & { group?: number }): Ten {
  return convolve(x, w, b, at, x.dtype, 0, undefined);
}

/** Integer convolution: (x - x_zero_point) conv (w - w_zero_point), as int32. */
export function ConvInteger(x: Ten, w: Ten, xZero: Ten | undefined, wZero: Ten | undefined, at: WindowAttrs & { group?: number }): Ten {
  return convolve(x, w, undefined, at, "int32", xZero ? xZero.data[0] : 0, wZero);
}

/** Max or average pooling over any number of spatial axes (poolNd), in x's dtype. */
function pooled(kind: string, x: Ten, at: WindowAttrs & { ceil_mode?: number; count_include_pad?: number; storage_order?: number }): Ten {
  const glob = kind.startsWith("global_");
  const kernel = glob ? x.shape.slice(2) : at.kernel_shape!;
  const pads = glob ? [] : windowPads(x.shape.slice(2), kernel, at);
  return poolNd(kind.replace("global_", ""), x, kernel, glob ? [] : at.strides ?? [], pads, glob ? [] : at.dilations ?? [], !!at.ceil_mode, !!at.count_include_pad);
}

export function MaxPool(x: Ten, at: WindowAttrs & { ceil_mode?: number; storage_order?: number }): Ten { return pooled("maxpool", x, at); }
export function AveragePool(x: Ten, at: WindowAttrs & { ceil_mode?: number; count_include_pad?: number }): Ten { return pooled("avgpool", x, at); }
export function GlobalAveragePool(x: Ten): Ten { return pooled("global_avgpool", x, {}); }
export function GlobalMaxPool(x: Ten): Ten { return pooled("global_maxpool", x, {}); }

/** t - zero point as float64; the zero point is a scalar or one value per entry along `axis` (from the end). */
function minusZero(t: Ten, zero: Ten | undefined, axisFromEnd: number): Ten {
  const data = Float64Array.from(t.data);
  if (zero) {
    const len = t.shape[t.shape.length - axisFromEnd] ?? 1;
    const inner = numel(t.shape.slice(t.shape.length - axisFromEnd + 1));
    for (let i = 0; i < data.length; i++) data[i] -= zero.data[zero.data.length === 1 ? 0 : Math.floor(i / inner) % len];
  }
  return { dtype: "float64", shape: t.shape, data };
}

/** Integer matmul: (a - a_zero_point) (b - b_zero_point) as int32 (zero points per row of a / per column of b allowed). */
export function MatMulInteger(a: Ten, b: Ten, aZero: Ten | undefined, bZero: Ten | undefined): Ten {
  const y = MatMul(minusZero(a, aZero, 2), minusZero(b, bZero, 1));
  return tensorFrom("int32", y.shape, y.data);
}

/** Per-tensor or per-axis scale / zero point index of every element. */
function channelOf(x: Ten, scale: Ten, axis: number | undefined): (i: number) => number {
  if (scale.data.length === 1) return () => 0;
  const a = (axis ?? 1) < 0 ? (axis ?? 1) + x.shape.length : axis ?? 1;
  const inner = numel(x.shape.slice(a + 1)), len = x.shape[a];
  return (i) => Math.floor(i / inner) % len;
}

/** Round half to even (the rounding QuantizeLinear asks for). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v), d = v - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/** y = saturate(round(x / scale) + zero_point) in the zero point's type (uint8 by default). */
export function QuantizeLinear(x: Ten, scale: Ten, zero: Ten | undefined, at: { axis?: number }): Ten {
  const dtype = zero?.dtype ?? "uint8";
  const [lo, hi] = ({ uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767] } as Record<string, number[]>)[dtype];
  const ch = channelOf(x, scale, at.axis);
  const data = newData(dtype, x.data.length);
  for (let i = 0; i < data.length; i++) {
    const k = ch(i);
    const q = x.dtype === "float64" ? x.data[i] / scale.data[k] : Math.fround(x.data[i] / scale.data[k]);
    const v = roundHalfEven(q) + (zero ? zero.data[k] : 0);
    data[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return { dtype, shape: [...x.shape], data };
}

/** y = (x - zero_point) * scale, in the scale's type. */
export function DequantizeLinear(x: Ten, scale: Ten, zero: Ten | undefined, at: { axis?: number }): Ten {
  const ch = channelOf(x, scale, at.axis);
  const data = newData(scale.dtype, x.data.length);
  for (let i = 0; i < data.length; i++) {
    const k = ch(i);
    data[i] = (x.data[i] - (zero ? zero.data[k] : 0)) * scale.data[k];
  }
  return { dtype: scale.dtype, shape: [...x.shape], data };
}
