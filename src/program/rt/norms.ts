// The runtime of the emitted program.ts, part 8: more reductions (L1, L2, log-sum, log-sum-exp, sum of squares,
// ArgMin, CumSum, Hardmax) and the normalisations PyTorch exports (InstanceNormalization, which GroupNorm becomes,
// GroupNormalization, MeanVarianceNormalization, LRN). Statistics accumulate in float64.
import { newData, normAxis, numel, type Ten } from "./core.ts";
import { argPick, axisLayout, reduce, type ReduceAttrs } from "./dense.ts";

const plus2 = (a: number, v: number) => a + v;
export function ReduceL1(x: Ten, axes: Ten | undefined, at: ReduceAttrs): Ten { return reduce(x, axes, at, 0, (a, v) => a + Math.abs(v), (a) => a); }
export function ReduceL2(x: Ten, axes: Ten | undefined, at: ReduceAttrs): Ten { return reduce(x, axes, at, 0, (a, v) => a + v * v, Math.sqrt); }
export function ReduceSumSquare(x: Ten, axes: Ten | undefined, at: ReduceAttrs): Ten { return reduce(x, axes, at, 0, (a, v) => a + v * v, (a) => a); }
export function ReduceLogSum(x: Ten, axes: Ten | undefined, at: ReduceAttrs): Ten { return reduce(x, axes, at, 0, plus2, Math.log); }
/** log(sum(exp(x))), shifted by the maximum so large values do not overflow. */
export function ReduceLogSumExp(x: Ten, axes: Ten | undefined, at: ReduceAttrs): Ten {
  const m = reduce(x, axes, { ...at, keepdims: 1 }, -Infinity, (a, v) => Math.max(a, v), (a) => a);
  const shifted = { dtype: "float64", shape: x.shape, data: new Float64Array(x.data.length) };
  const kept = m.shape, st = x.shape.map((_, k) => numel(x.shape.slice(k + 1))), mst = kept.map((_, k) => numel(kept.slice(k + 1)));
  const top = (i: number) => {
    let j = 0;
    for (let k = 0; k < x.shape.length; k++) j += (kept[k] === 1 ? 0 : Math.floor(i / st[k]) % x.shape[k]) * mst[k];
    return Number.isFinite(m.data[j]) ? m.data[j] : 0;
  };
  for (let i = 0; i < x.data.length; i++) shifted.data[i] = Math.exp(x.data[i] - top(i));
  const s = reduce(shifted, axes, at, 0, plus2, (a) => a);
  const data = newData(x.dtype, s.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.log(s.data[i]) + (Number.isFinite(m.data[i]) ? m.data[i] : 0);
  return { dtype: x.dtype, shape: s.shape, data };
}

/** Index of the smallest entry along an axis (the first on ties unless select_last_index), as int64. */
export function ArgMin(x: Ten, at: { axis?: number; keepdims?: number; select_last_index?: number }): Ten { return argPick(x, at, (v, b) => v < b); }

/** 1 at the first maximum of each line, 0 elsewhere: lines along `axis` (opset >= 13), or of x flattened at `axis` before. */
export function Hardmax(x: Ten, at: { axis?: number; opset: number }): Ten {
  const r = x.shape.length;
  const a = normAxis(at.axis ?? (at.opset >= 13 ? -1 : 1), r);
  const [outer, len, inner] = at.opset >= 13 ? axisLayout(x.shape, a) : [numel(x.shape.slice(0, a)), numel(x.shape.slice(a)), 1];
  const data = newData(x.dtype, x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let best = 0;
      for (let j = 1; j < len; j++) {
        const v = x.data[base + j * inner], b = x.data[base + best * inner];
        if (b === b && (v > b || v !== v)) best = j;
      }
      if (len > 0) data[base + best * inner] = 1;
    }
  }
  return { dtype: x.dtype, shape: [...x.shape], data };
}

/** Running sum along the axis given as input; exclusive leaves each element out, reverse runs from the end. */
export function CumSum(x: Ten, axis: Ten, at: { exclusive?: number; reverse?: number }): Ten {
  const a = normAxis(axis.data[0], x.shape.length);
  const [outer, len, inner] = axisLayout(x.shape, a);
  const data = newData(x.dtype, x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let k = 0; k < len; k++) {
        const j = at.reverse ? len - 1 - k : k;
        const at0 = (o * len + j) * inner + i;
        if (at.exclusive) { data[at0] = s; s += x.data[at0]; }
        else { s += x.data[at0]; data[at0] = s; }
      }
    }
  }
  return { dtype: x.dtype, shape: [...x.shape], data };
}

/** Normalise each (sample, group of c/g channels) over its channels and positions, then scale and bias per channel. */
export function groupNormalize(x: Ten, scale: (ch: number) => number, bias: (ch: number) => number, g: number, eps: number): Ten {
  const [n, c] = x.shape, spatial = numel(x.shape.slice(2)), block = (c / g) * spatial;
  const data = newData(x.dtype, x.data.length);
  for (let b = 0; b < n * g; b++) {
    const o = b * block;
    let s = 0, v = 0;
    for (let i = 0; i < block; i++) s += x.data[o + i];
    const mu = s / block;
    for (let i = 0; i < block; i++) v += (x.data[o + i] - mu) ** 2;
    const inv = 1 / Math.sqrt(v / block + eps);
    for (let k = 0; k < c / g; k++) {
      const ch = (b % g) * (c / g) + k, base = o + k * spatial;
      for (let i = 0; i < spatial; i++) data[base + i] = (x.data[base + i] - mu) * inv * scale(ch) + bias(ch);
    }
  }
  return { dtype: x.dtype, shape: [...x.shape], data };
}

export function InstanceNormalization(x: Ten, scale: Ten, b: Ten, at: { epsilon?: number }): Ten {
  return groupNormalize(x, (ch) => scale.data[ch], (ch) => b.data[ch], x.shape[1], at.epsilon ?? 1e-5);
}

/** Scale and bias per group (opset 18) or per channel (opset 21). */
export function GroupNormalization(x: Ten, scale: Ten, b: Ten, at: { num_groups: number; epsilon?: number; stash_type?: number; opset: number }): Ten {
  const g = at.num_groups, c = x.shape[1];
  const idx = (ch: number) => (scale.data.length === c ? ch : Math.floor(ch / (c / g)));
  return groupNormalize(x, (ch) => scale.data[idx(ch)], (ch) => b.data[idx(ch)], g, at.epsilon ?? 1e-5);
}

/** (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9), moments over `axes` (default [0, 2, 3]). */
export function MeanVarianceNormalization(x: Ten, at: { axes?: number[] }): Ten {
  const ax = at.axes ?? [0, 2, 3];
  const mean = reduce(x, undefined, { axes: ax, keepdims: 1 }, 0, plus2, (a, n) => a / n);
  const sq = reduce(x, undefined, { axes: ax, keepdims: 1 }, 0, (a, v) => a + v * v, (a, n) => a / n);
  const kept = mean.shape, st = x.shape.map((_, k) => numel(x.shape.slice(k + 1))), mst = kept.map((_, k) => numel(kept.slice(k + 1)));
  const data = newData(x.dtype, x.data.length);
  for (let i = 0; i < data.length; i++) {
    let j = 0;
    for (let k = 0; k < x.shape.length; k++) j += (kept[k] === 1 ? 0 : Math.floor(i / st[k]) % x.shape[k]) * mst[k];
    data[i] = (x.data[i] - mean.data[j]) / (Math.sqrt(Math.max(0, sq.data[j] - mean.data[j] ** 2)) + 1e-9);
  }
  return { dtype: x.dtype, shape: [...x.shape], data };
}

/** Local response normalisation across channels: x / (bias + alpha / size * sum of x^2 over `size` channels)^beta. */
export function LRN(x: Ten, at: { size: number; alpha?: number; beta?: number; bias?: number }): Ten {
  const [n, c] = x.shape, inner = numel(x.shape.slice(2));
  const before = Math.floor((at.size - 1) / 2), after = Math.ceil((at.size - 1) / 2);
  const k = (at.alpha ?? 1e-4) / at.size, beta = at.beta ?? 0.75, bias = at.bias ?? 1;
  const data = newData(x.dtype, x.data.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const lo = Math.max(0, ch - before), hi = Math.min(c - 1, ch + after), o = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (let q = lo; q <= hi; q++) s += x.data[(b * c + q) * inner + i] ** 2;
        data[o + i] = x.data[o + i] / Math.pow(bias + k * s, beta);
      }
    }
  }
  return { dtype: x.dtype, shape: [...x.shape], data };
}
