// The runtime of the emitted program.ts, part 4: matrix products, reductions and normalisations.
// Sums accumulate in float64 and are stored once in the result's dtype.
import { broadcastIndex, broadcastShape, intsOf, newData, normAxis, numel, type Data, type Ten } from "./core.ts";

/** c[m x n] (+)= a[m x k] * b[k x n] over strided rows: a(i, p) = a[ao + i*ars + p*acs], likewise b. */
function matmulInto(a: Data, ao: number, ars: number, acs: number, b: Data, bo: number, brs: number, bcs: number,
  m: number, k: number, n: number, c: Float64Array): void {
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[ao + i * ars + p * acs];
      if (av === 0) continue;
      const bRow = bo + p * brs;
      for (let j = 0; j < n; j++) c[i * n + j] += av * b[bRow + j * bcs];
    }
  }
}

/** numpy matmul: 1-D operands promoted, leading (batch) axes broadcast. */
export function MatMul(a: Ten, b: Ten): Ten {
  const as = a.shape.length === 1 ? [1, a.shape[0]] : a.shape, bs = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const [m, k] = as.slice(-2), n = bs[bs.length - 1];
  if (bs[bs.length - 2] !== k) throw new Error(`MatMul: inner dims differ ([${a.shape.join(", ")}] x [${b.shape.join(", ")}])`);
  const batch = broadcastShape(as.slice(0, -2), bs.slice(0, -2));
  const ia = broadcastIndex(as.slice(0, -2), batch), ib = broadcastIndex(bs.slice(0, -2), batch);
  const data = newData(a.dtype, ia.length * m * n);
  const c = new Float64Array(m * n);
  for (let t = 0; t < ia.length; t++) {
    c.fill(0);
    matmulInto(a.data, ia[t] * m * k, k, 1, b.data, ib[t] * k * n, n, 1, m, k, n, c);
    data.set(c, t * m * n);
  }
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [m]), ...(b.shape.length === 1 ? [] : [n])];
  return { dtype: a.dtype, shape, data };
}

/** alpha * op(A) op(B) + beta * C, with op a transpose when asked; C broadcasts to [m, n]. */
export function Gemm(a: Ten, b: Ten, c: Ten | undefined, at: { alpha?: number; beta?: number; transA?: number; transB?: number }): Ten {
  const [m, k] = at.transA ? [a.shape[1], a.shape[0]] : a.shape;
  const n = at.transB ? b.shape[0] : b.shape[1];
  const acc = new Float64Array(m * n);
  matmulInto(a.data, 0, at.transA ? 1 : k, at.transA ? m : 1, b.data, 0, at.transB ? 1 : n, at.transB ? k : 1, m, k, n, acc);
  const alpha = at.alpha ?? 1, beta = at.beta ?? 1;
  const ic = c ? broadcastIndex(c.shape, [m, n]) : undefined;
  const data = newData(a.dtype, m * n);
  for (let i = 0; i < m * n; i++) data[i] = alpha * acc[i] + (c && ic ? beta * c.data[ic[i]] : 0);
  return { dtype: a.dtype, shape: [m, n], data };
}

/** (outer, len, inner) around an axis: the layout every single-axis op walks. */
export function axisLayout(shape: number[], a: number): [number, number, number] {
  return [numel(shape.slice(0, a)), shape[a] ?? 1, numel(shape.slice(a + 1))];
}

/** softmax or log-softmax: over one axis (opset >= 13), or over all axes from `axis` on (before; default axis 1). */
function softmaxLike(x: Ten, at: { axis?: number; opset: number }, log: boolean): Ten {
  const r = x.shape.length;
  const a = normAxis(at.axis ?? (at.opset >= 13 ? -1 : 1), r);
  const [outer, len, inner] = at.opset >= 13 ? axisLayout(x.shape, a) : [numel(x.shape.slice(0, a)), numel(x.shape.slice(a)), 1];
  const data = newData(x.dtype, x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -Infinity, s = 0;
      for (let j = 0; j < len; j++) m = Math.max(m, x.data[base + j * inner]);
      for (let j = 0; j < len; j++) s += Math.exp(x.data[base + j * inner] - m);
      for (let j = 0; j < len; j++) {
        const z = x.data[base + j * inner] - m;
        data[base + j * inner] = log ? z - Math.log(s) : Math.exp(z) / s;
      }
    }
  }
  return { dtype: x.dtype, shape: [...x.shape], data };
}

export function Softmax(x: Ten, at: { axis?: number; opset: number }): Ten { return softmaxLike(x, at, false); }
export function LogSoftmax(x: Ten, at: { axis?: number; opset: number }): Ten { return softmaxLike(x, at, true); }

export interface ReduceAttrs {
  axes?: number[];
  keepdims?: number;
  noop_with_empty_axes?: number;
}

/** Fold the listed axes (input or attribute; all when none) with f from `init`, then finish each slot. */
export function reduce(x: Ten, axes: Ten | undefined, at: ReduceAttrs, init: number, f: (acc: number, v: number) => number,
  done: (acc: number, count: number) => number): Ten {
  const r = x.shape.length;
  const listed = intsOf(axes) ?? at.axes ?? [];
  if (listed.length === 0 && at.noop_with_empty_axes) return x;
  const list = listed.length ? listed.map((a) => normAxis(a, r)) : x.shape.map((_, i) => i);
  const kept = x.shape.map((d, i) => (list.includes(i) ? 1 : d));
  const slot = broadcastIndex(kept, x.shape); // the accumulator slot each element folds into
  const acc = new Float64Array(numel(kept)).fill(init);
  for (let i = 0; i < slot.length; i++) acc[slot[i]] = f(acc[slot[i]], x.data[i]);
  const count = x.data.length / Math.max(acc.length, 1);
  const data = newData(x.dtype, acc.length);
  for (let i = 0; i < acc.length; i++) data[i] = done(acc[i], count);
  const shape = at.keepdims === 0 ? x.shape.filter((_, i) => !list.includes(i)) : kept;
  return { dtype: x.dtype, shape, data };
}

const plus = (a: number, v: number) => a + v;
const same = (a: number) => a;
export function ReduceSum(x: Ten, axes: Ten | undefined, at: ReduceAttrs): Ten { return reduce(x, axes, at, 0, plus, same); }
export function ReduceMean(x: Ten, axes: Ten | undefined, at: ReduceAttrs): Ten { return reduce(x, axes, at, 0, plus, (a, n) => a / n); }
export function ReduceProd(x: Ten, axes: Ten | undefined, at: ReduceAttrs): Ten { return reduce(x, axes, at, 1, (a, v) => a * v, same); }
export function ReduceMax(x: Ten, axes: Ten | undefined, at: ReduceAttrs): Ten { return reduce(x, axes, at, -Infinity, (a, v) => (v > a || v !== v ? v : a), same); }
export function ReduceMin(x: Ten, axes: Ten | undefined, at: ReduceAttrs): Ten { return reduce(x, axes, at, Infinity, (a, v) => (v < a || v !== v ? v : a), same); }

/** Index of the best entry along an axis by `better(v, best)` (ties keep the first unless select_last_index), as int64. */
export function argPick(x: Ten, at: { axis?: number; keepdims?: number; select_last_index?: number }, better: (v: number, b: number) => boolean): Ten {
  const a = normAxis(at.axis ?? 0, x.shape.length);
  const [outer, len, inner] = axisLayout(x.shape, a);
  const data = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let j = 1; j < len; j++) {
        const v = x.data[(o * len + j) * inner + i], b = x.data[(o * len + best) * inner + i];
        if (better(v, b) || (at.select_last_index && v === b)) best = j;
      }
      data[o * inner + i] = best;
    }
  }
  const shape = at.keepdims === 0 ? x.shape.filter((_, k) => k !== a) : x.shape.map((d, k) => (k === a ? 1 : d));
  return { dtype: "int64", shape, data };
}

/** Index of the largest entry along an axis (the first on ties unless select_last_index), as int64. */
export function ArgMax(x: Ten, at: { axis?: number; keepdims?: number; select_last_index?: number }): Ten { return argPick(x, at, (v, b) => v > b); }

/** (x - mean) / sqrt(var + epsilon) * scale + bias over the axes from `axis` on. */
export function LayerNormalization(x: Ten, scale: Ten, bias: Ten | undefined, at: { axis?: number; epsilon?: number; stash_type?: number }): Ten {
  const a = normAxis(at.axis ?? -1, x.shape.length);
  const rows = numel(x.shape.slice(0, a)), len = numel(x.shape.slice(a));
  const eps = at.epsilon ?? 1e-5;
  const data = newData(x.dtype, x.data.length);
  for (let r = 0; r < rows; r++) {
    let s = 0, s2 = 0;
    for (let j = 0; j < len; j++) s += x.data[r * len + j];
    const mean = s / len;
    for (let j = 0; j < len; j++) s2 += (x.data[r * len + j] - mean) ** 2;
    const inv = 1 / Math.sqrt(s2 / len + eps);
    for (let j = 0; j < len; j++) {
      const k = r * len + j;
      data[k] = (x.data[k] - mean) * inv * scale.data[j % scale.data.length] + (bias ? bias.data[j % bias.data.length] : 0);
    }
  }
  return { dtype: x.dtype, shape: [...x.shape], data };
}

/** Inference-mode batch normalisation over axis 1: (x - mean) / sqrt(var + epsilon) * scale + B. */
export function BatchNormalization(x: Ten, scale: Ten, b: Ten, mean: Ten, variance: Ten, at: { epsilon?: number; momentum?: number; spatial?: number }): Ten {
  const [outer, c, inner] = axisLayout(x.shape, 1);
  const eps = at.epsilon ?? 1e-5;
  const data = newData(x.dtype, x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let ch = 0; ch < c; ch++) {
      const k = scale.data[ch] / Math.sqrt(variance.data[ch] + eps);
      for (let i = 0; i < inner; i++) {
        const at0 = (o * c + ch) * inner + i;
        data[at0] = (x.data[at0] - mean.data[ch]) * k + b.data[ch];
      }
    }
  }
  return { dtype: x.dtype, shape: [...x.shape], data };
}
