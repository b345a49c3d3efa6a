// The runtime of the emitted program.ts, part 10: windows over any number of spatial axes: max and average pooling
// (dilations, ceil_mode, count_include_pad, as onnxruntime sizes them), Conv beyond 2-D, and ConvTranspose (groups, strides,
// dilations, pads, output_padding, output_shape, auto_pad). Sums run in float64.
import { newData, numel, stridesFor, type Ten } from "./core.ts";

/** Every index of a box, row-major, as arrays (the visitor must not keep them). */
function eachIndex(shape: number[], f: (idx: number[], flat: number) => void): void {
  const n = numel(shape), pos = new Array(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    f(pos, i);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++pos[k] < shape[k]) break;
      pos[k] = 0;
    }
  }
}

/** Max or average pooling of NC[spatial...] with explicit pads (begins, then ends). */
export function poolNd(kind: string, x: Ten, kernel: number[], strides: number[], pads: number[], dilations: number[], ceil: boolean, includePad: boolean): Ten {
  const sp = x.shape.slice(2), n = sp.length;
  const s = (i: number) => strides[i] ?? 1, d = (i: number) => dilations[i] ?? 1, pb = (i: number) => pads[i] ?? 0, pe = (i: number) => pads[i + n] ?? 0;
  const out = sp.map((len, i) => {
    const span = len + pb(i) + pe(i) - ((kernel[i] - 1) * d(i) + 1);
    let o = (ceil ? Math.ceil(span / s(i)) : Math.floor(span / s(i))) + 1;
    if (ceil && (o - 1) * s(i) >= len + pb(i)) o--; // the last window must start inside the input or its begin pad
    return o;
  });
  const planes = x.shape[0] * x.shape[1], inVol = numel(sp), outVol = numel(out);
  const st = stridesFor(sp);
  const data = newData(x.dtype, planes * outVol);
  const taps: number[][] = [];
  eachIndex(kernel, (k) => taps.push([...k]));
  eachIndex(out, (o, flat) => {
    const offs: number[] = [];
    let padded = 1;
    for (let i = 0; i < n; i++) {
      const start = o[i] * s(i) - pb(i);
      let c = 0;
      for (let k = 0; k < kernel[i]; k++) {
        const p = start + k * d(i);
        if (p >= -pb(i) && p < sp[i] + pe(i)) c++;
      }
      padded *= c;
    }
    for (const k of taps) {
      let off = 0, inside = true;
      for (let i = 0; i < n && inside; i++) {
        const p = o[i] * s(i) - pb(i) + k[i] * d(i);
        inside = p >= 0 && p < sp[i];
        off += p * st[i];
      }
      if (inside) offs.push(off);
    }
    for (let pl = 0; pl < planes; pl++) {
      const base = pl * inVol;
      let acc = kind === "maxpool" ? -Infinity : 0;
      for (const off of offs) {
        const v = x.data[base + off];
        acc = kind === "maxpool" ? (v > acc ? v : acc) : acc + v;
      }
      data[pl * outVol + flat] = kind === "maxpool" ? acc : acc / (includePad ? padded : offs.length);
    }
  });
  return { dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...out], data };
}

interface TransposeAttrs {
  auto_pad?: string;
  dilations?: number[];
  group?: number;
  kernel_shape?: number[];
  output_padding?: number[];
  output_shape?: number[];
  pads?: number[];
  strides?: number[];
}

/** The gradient of Conv as a layer: W is [C, M/group, kernel...]; every input value scatters its kernel into y. */
export function ConvTranspose(x: Ten, w: Ten, b: Ten | undefined, at: TransposeAttrs): Ten {
  const sp = x.shape.slice(2), n = sp.length;
  const kernel = at.kernel_shape ?? w.shape.slice(2);
  const s = (i: number) => at.strides?.[i] ?? 1, d = (i: number) => at.dilations?.[i] ?? 1;
  const shapeAsked = at.output_shape && (at.output_shape.length === n + 2 ? at.output_shape.slice(2) : at.output_shape);
  const mode = at.auto_pad ?? "NOTSET";
  const begin: number[] = [], out: number[] = [];
  sp.forEach((len, i) => {
    const full = (len - 1) * s(i) + (at.output_padding?.[i] ?? 0) + (kernel[i] - 1) * d(i) + 1;
    const split = (total: number) => (mode === "SAME_UPPER" ? Math.floor(total / 2) : total - Math.floor(total / 2));
    if (shapeAsked) {
      begin.push(split(Math.max(0, full - shapeAsked[i])));
      out.push(shapeAsked[i]);
    } else if (mode === "SAME_UPPER" || mode === "SAME_LOWER") {
      const total = Math.max(0, full - len * s(i));
      begin.push(split(total));
      out.push(full - total);
    } else {
      const pb = mode === "VALID" ? 0 : at.pads?.[i] ?? 0, pe = mode === "VALID" ? 0 : at.pads?.[i + n] ?? 0;
      begin.push(pb);
      out.push(full - pb - pe);
    }
  });
  const [N, C] = x.shape, G = at.group ?? 1, mpg = w.shape[1], M = mpg * G, cpg = C / G;
  const inVol = numel(sp), outVol = numel(out), kVol = numel(kernel);
  const ost = stridesFor(out);
  const acc = new Float64Array(N * M * outVol);
  const taps: number[][] = [];
  eachIndex(kernel, (k) => taps.push([...k]));
  eachIndex(sp, (ii, flat) => {
    const targets = taps.map((k) => {
      let off = 0;
      for (let a = 0; a < n; a++) {
        const p = ii[a] * s(a) - begin[a] + k[a] * d(a);
        if (p < 0 || p >= out[a]) return -1;
        off += p * ost[a];
      }
      return off;
    });
    for (let bn = 0; bn < N; bn++) {
      for (let c = 0; c < C; c++) {
        const v = x.data[(bn * C + c) * inVol + flat];
        if (v === 0) continue;
        const g = Math.floor(c / cpg);
        for (let m = 0; m < mpg; m++) {
          const wBase = (c * mpg + m) * kVol, yBase = (bn * M + g * mpg + m) * outVol;
          for (let t = 0; t < taps.length; t++) if (targets[t] >= 0) acc[yBase + targets[t]] += v * w.data[wBase + t];
        }
      }
    }
  });
  const data = newData(x.dtype, acc.length);
  for (let i = 0; i < acc.length; i++) data[i] = acc[i] + (b ? b.data[Math.floor(i / outVol) % M] : 0);
  return { dtype: x.dtype, shape: [N, M, ...out], data };
}

/** Conv over any number of spatial axes (explicit pads), zero points subtracted (ConvInteger), bias added; in `dtype`. */
export function convNd(x: Ten, w: Ten, bias: Ten | undefined, pads: number[], at: { strides?: number[]; dilations?: number[]; group?: number },
  dtype: string, xZero: number, wZero: Ten | undefined): Ten {
  const sp = x.shape.slice(2), n = sp.length, kernel = w.shape.slice(2);
  const s = (i: number) => at.strides?.[i] ?? 1, d = (i: number) => at.dilations?.[i] ?? 1;
  const out = sp.map((len, i) => Math.floor((len + pads[i] + pads[i + n] - (kernel[i] - 1) * d(i) - 1) / s(i)) + 1);
  const [N, C] = x.shape, M = w.shape[0], G = at.group ?? 1, cpg = C / G, mpg = M / G;
  const st = stridesFor(sp), inVol = numel(sp), outVol = numel(out), kVol = numel(kernel);
  const data = newData(dtype, N * M * outVol);
  const taps: number[][] = [];
  eachIndex(kernel, (k) => taps.push([...k]));
  eachIndex(out, (o, flat) => {
    const offs = taps.map((k) => {
      let off = 0;
      for (let a = 0; a < n; a++) {
        const p = o[a] * s(a) - pads[a] + k[a] * d(a);
        if (p < 0 || p >= sp[a]) return -1;
        off += p * st[a];
      }
      return off;
    });
    for (let b = 0; b < N; b++) {
      for (let m = 0; m < M; m++) {
        const wz = wZero ? wZero.data[wZero.data.length === 1 ? 0 : m] : 0;
        let acc = bias ? bias.data[m] : 0;
        for (let c = 0; c < cpg; c++) {
          const xb = (b * C + Math.floor(m / mpg) * cpg + c) * inVol, wb = (m * cpg + c) * kVol;
          for (let t = 0; t < offs.length; t++) if (offs[t] >= 0) acc += (w.data[wb + t] - wz) * (x.data[xb + offs[t]] - xZero);
        }
        data[(b * M + m) * outVol + flat] = acc;
      }
    }
  });
  return { dtype, shape: [N, M, ...out], data };
}
