// Program kernels, part 2: softmax, argmax, reshape, concat, broadcasting elementwise ops, sort, threshold,
// logic, piecewise. Same rules as kernels.ts (plain TypeScript, inlined into program.ts with its import removed).
import { sizeOfShape, type Arr } from "./kernels.ts";

/** Iterate a batch as (outer, axis length, inner) around a per-sample axis. */
function around(shape: number[], axis: number): { outer: number; len: number; inner: number } {
  const a = axis + 1;
  return { outer: sizeOfShape(shape.slice(0, a)), len: shape[a], inner: sizeOfShape(shape.slice(a + 1)) };
}

/** softmax (or log-softmax) along a per-sample axis. */
export function softmax(x: Arr, axis: number, log: boolean): Arr {
  const { outer, len, inner } = around(x.shape, axis);
  const y = new Float32Array(x.data.length);
  const d = x.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -Infinity;
      for (let k = 0; k < len; k++) m = Math.max(m, d[base + k * inner]);
      let s = 0;
      for (let k = 0; k < len; k++) s += Math.exp(d[base + k * inner] - m);
      const ls = Math.log(s);
      for (let k = 0; k < len; k++) {
        const z = d[base + k * inner] - m;
        y[base + k * inner] = log ? z - ls : Math.exp(z) / s;
      }
    }
  }
  return { data: y, shape: [...x.shape] };
}

/** Index of the largest entry along a per-sample axis, as float values. */
export function argmax(x: Arr, axis: number, keepdims: boolean, selectLast: boolean): Arr {
  const { outer, len, inner } = around(x.shape, axis);
  const y = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let best = 0;
      for (let k = 1; k < len; k++) {
        const v = x.data[base + k * inner], b = x.data[base + best * inner];
        if (v > b || (selectLast && v === b)) best = k;
      }
      y[o * inner + i] = best;
    }
  }
  const shape = [...x.shape];
  if (keepdims) shape[axis + 1] = 1;
  else shape.splice(axis + 1, 1);
  return { data: y, shape };
}

/** Same data with a new per-sample shape. */
export function reshape(x: Arr, perSample: number[]): Arr {
  return { data: x.data, shape: [x.shape[0], ...perSample] };
}

/** Concatenate along a per-sample axis. */
export function concat(xs: Arr[], axis: number): Arr {
  const a = axis + 1;
  const outer = sizeOfShape(xs[0].shape.slice(0, a));
  const chunks = xs.map((x) => sizeOfShape(x.shape.slice(a)));
  const total = chunks.reduce((s, c) => s + c, 0);
  const y = new Float32Array(outer * total);
  let off = 0;
  for (let o = 0; o < outer; o++) {
    xs.forEach((x, j) => {
      y.set(x.data.subarray(o * chunks[j], (o + 1) * chunks[j]), off);
      off += chunks[j];
    });
  }
  const shape = [...xs[0].shape];
  shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
  return { data: y, shape };
}

/** Elementwise f(a, b) with numpy broadcasting. */
export function broadcast2(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  const r = Math.max(a.shape.length, b.shape.length);
  const pa = [...Array(r - a.shape.length).fill(1), ...a.shape], pb = [...Array(r - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => {
    if (d !== pb[i] && d !== 1 && pb[i] !== 1) throw new Error(`shapes [${a.shape}] and [${b.shape}] do not broadcast`);
    return d === 1 ? pb[i] : d;
  });
  const n = sizeOfShape(shape);
  const y = new Float32Array(n);
  if (sizeOfShape(pa) === n && sizeOfShape(pb) === n) {
    for (let i = 0; i < n; i++) y[i] = f(a.data[i], b.data[i]);
    return { data: y, shape };
  }
  const sa = new Array<number>(r), sb = new Array<number>(r);
  for (let i = r - 1, ka = 1, kb = 1; i >= 0; i--) {
    sa[i] = pa[i] === 1 ? 0 : ka; sb[i] = pb[i] === 1 ? 0 : kb;
    ka *= pa[i]; kb *= pb[i];
  }
  const idx = new Array<number>(r).fill(0);
  for (let i = 0; i < n; i++) {
    let ia = 0, ib = 0;
    for (let k = 0; k < r; k++) { ia += idx[k] * sa[k]; ib += idx[k] * sb[k]; }
    y[i] = f(a.data[ia], b.data[ib]);
    for (let k = r - 1; k >= 0; k--) { if (++idx[k] < shape[k]) break; idx[k] = 0; }
  }
  return { data: y, shape };
}

/** Fold a binary elementwise function over several broadcast values. */
export function fold(xs: Arr[], f: (x: number, y: number) => number): Arr {
  let acc = xs[0];
  for (let i = 1; i < xs.length; i++) acc = broadcast2(acc, xs[i], f);
  return xs.length === 1 ? { data: Float32Array.from(acc.data), shape: [...acc.shape] } : acc;
}

/** Elementwise sum. */
export function add(xs: Arr[]): Arr {
  return fold(xs, (a, b) => a + b);
}

/** Elementwise max (kind "max") or min ("min"); NaN wins, as in ONNX Max/Min. */
export function maxMin(xs: Arr[], kind: string): Arr {
  return kind === "max"
    ? fold(xs, (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b))
    : fold(xs, (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b));
}

/** Sort along the last axis. */
export function sortLast(x: Arr, descending: boolean): Arr {
  const k = x.shape[x.shape.length - 1];
  const y = Float32Array.from(x.data);
  for (let o = 0; o < y.length; o += k) {
    const row = y.subarray(o, o + k).sort();
    if (descending) row.reverse();
  }
  return { data: y, shape: [...x.shape] };
}

/** 1 where x > c (x >= c when not strict), else 0; c is one value or one per per-sample element. */
export function threshold(x: Arr, c: Float32Array, strict: boolean): Arr {
  const y = new Float32Array(x.data.length);
  const m = c.length;
  for (let i = 0; i < y.length; i++) {
    const t = c[i % m];
    y[i] = (strict ? x.data[i] > t : x.data[i] >= t) ? 1 : 0;
  }
  return { data: y, shape: [...x.shape] };
}

/** Boolean gates on 0/1 values (true when > 0.5): and, or, xor, maj (more than half) over the args; not of one arg. */
export function logic(xs: Arr[], op: string): Arr {
  const t = (v: number) => (v > 0.5 ? 1 : 0);
  switch (op) {
    case "and": return fold(xs.map(asBits), (a, b) => t(a) & t(b));
    case "or": return fold(xs.map(asBits), (a, b) => t(a) | t(b));
    case "xor": return fold(xs.map(asBits), (a, b) => t(a) ^ t(b));
    case "not": return { data: xs[0].data.map((v) => 1 - t(v)), shape: [...xs[0].shape] };
    case "maj": {
      const n = fold(xs.map(asBits), (a, b) => a + b);
      return { data: n.data.map((v) => (2 * v > xs.length ? 1 : 0)), shape: n.shape };
    }
    default: throw new Error(`unknown logic op '${op}'`);
  }
}

function asBits(x: Arr): Arr {
  return { data: x.data.map((v) => (v > 0.5 ? 1 : 0)), shape: x.shape };
}

/** A piecewise-linear function of one variable, elementwise (see PiecewiseParams). */
export function piecewise(x: Arr, breakpoints: number[], slopes: number[], value0: number): Arr {
  const y = new Float32Array(x.data.length);
  const k = breakpoints.length;
  for (let i = 0; i < y.length; i++) {
    const v = x.data[i];
    if (k === 0) { y[i] = value0 + slopes[0] * v; continue; }
    if (v <= breakpoints[0]) { y[i] = value0 + slopes[0] * (v - breakpoints[0]); continue; }
    let acc = value0, j = 0;
    while (j + 1 < k && v > breakpoints[j + 1]) {
      acc += slopes[j + 1] * (breakpoints[j + 1] - breakpoints[j]);
      j++;
    }
    y[i] = acc + slopes[j + 1] * (v - breakpoints[j]);
  }
  return { data: y, shape: [...x.shape] };
}

/** Entries of the last axis, in the given order: y = x[..., indices]. */
export function pick(x: Arr, indices: number[]): Arr {
  const k = x.shape[x.shape.length - 1], m = indices.length;
  const rows = x.data.length / k;
  const y = new Float32Array(rows * m);
  for (let r = 0; r < rows; r++) for (let j = 0; j < m; j++) y[r * m + j] = x.data[r * k + indices[j]];
  return { data: y, shape: [...x.shape.slice(0, -1), m] };
}

/** sum_i coefs[i] * xs[i] + bias, elementwise over values of one shape (summed in float64). */
export function linear(xs: Arr[], coefs: number[], bias: number): Arr {
  const n = xs[0].data.length;
  const y = new Float32Array(n);
  for (let e = 0; e < n; e++) {
    let s = bias;
    for (let i = 0; i < xs.length; i++) s += coefs[i] * xs[i].data[e];
    y[e] = s;
  }
  return { data: y, shape: [...xs[0].shape] };
}

/** A one-hot row of n floats per sample from one integer index per sample (an argmax result). */
export function onehot(x: Arr, n: number): Arr {
  const rows = x.shape[0];
  const per = rows ? x.data.length / rows : 1;
  const y = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const i = x.data[r * per];
    if (i >= 0 && i < n) y[r * n + i] = 1;
  }
  return { data: y, shape: [rows, n] };
}

/** Sort the concatenation of several values along the last axis. */
export function sortAll(xs: Arr[], descending: boolean): Arr {
  return sortLast(xs.length === 1 ? xs[0] : concat(xs, xs[0].shape.length - 2), descending);
}

/** A state machine over time (the machine primitive): per sample, each of the T rows of x (d values) is read as the
 *  nearest alphabet row; state 0 first, state = next[state * symbols + symbol] (a transition never seen, -1, keeps
 *  the state), y[t] = out[state] (k values). x is [b, T, ...d], y is [b, T, k]; with `last`, only the final state's
 *  values, [b, k]. */
export function machine(x: Arr, alphabet: number[], d: number, next: number[], out: Float32Array, k: number, last = false): Arr {
  const b = x.shape[0], T = x.shape[1];
  const A = alphabet.length / d, S = next.length / A;
  const y = new Float32Array(b * T * k);
  const yl = new Float32Array(b * k);
  for (let r = 0; r < b; r++) {
    let state = 0;
    for (let t = 0; t < T; t++) {
      const off = (r * T + t) * d;
      let sym = 0, best = Infinity;
      for (let a = 0; a < A; a++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (x.data[off + j] - alphabet[a * d + j]) ** 2;
        if (s < best) [sym, best] = [a, s];
      }
      const nx = next[state * A + sym];
      if (nx >= 0 && nx < S) state = nx;
      for (let j = 0; j < k; j++) y[(r * T + t) * k + j] = out[state * k + j];
    }
    for (let j = 0; j < k; j++) yl[r * k + j] = out[state * k + j];
  }
  return last ? { data: yl, shape: [b, k] } : { data: y, shape: [b, T, k] };
}
