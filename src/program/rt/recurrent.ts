// The runtime of the emitted program.ts, part 6: the recurrent ops LSTM, GRU and RNN (layout 0 and 1, forward, reverse
// and bidirectional, sequence_lens, initial states, peepholes, clip, input_forget). State is kept in float64.
import { newData, type Ten } from "./core.ts";

interface RecurrentAttrs {
  activations?: string[];
  activation_alpha?: number[];
  activation_beta?: number[];
  clip?: number;
  direction?: string;
  hidden_size?: number;
  layout?: number;
}

/** An activation function by its ONNX name, with its alpha/beta (onnxruntime's defaults). */
export function recurrentAct(name: string, alpha: number | undefined, beta: number | undefined): (v: number) => number {
  switch (name.toLowerCase()) {
    case "sigmoid": return (v) => 1 / (1 + Math.exp(-v));
    case "tanh": return Math.tanh;
    case "relu": return (v) => (v > 0 ? v : 0);
    case "leakyrelu": { const a = alpha ?? 0.01; return (v) => (v < 0 ? a * v : v); }
    case "affine": { const a = alpha ?? 0, b = beta ?? 0; return (v) => a * v + b; }
    case "hardsigmoid": { const a = alpha ?? 0.2, b = beta ?? 0.5; return (v) => Math.max(0, Math.min(1, a * v + b)); }
    case "softsign": return (v) => v / (1 + Math.abs(v));
    case "softplus": return (v) => Math.log1p(Math.exp(v));
    default: throw new Error(`the program runtime has no recurrent activation '${name}'`);
  }
}

/** The activation functions of each direction (`per` of them each), alphas/betas consumed in order. */
function actsOf(at: RecurrentAttrs, defaults: string[], dirs: number): ((v: number) => number)[][] {
  const names = at.activations ?? Array.from({ length: dirs }, () => defaults).flat();
  const takes = (n: string) => ["leakyrelu", "affine", "hardsigmoid", "thresholdedrelu", "scaledtanh", "elu"].includes(n.toLowerCase());
  const twoParams = (n: string) => ["affine", "hardsigmoid", "scaledtanh"].includes(n.toLowerCase());
  let ai = 0, bi = 0;
  const fs = names.map((n) => recurrentAct(n, takes(n) ? at.activation_alpha?.[ai++] : undefined, twoParams(n) ? at.activation_beta?.[bi++] : undefined));
  return Array.from({ length: dirs }, (_, d) => fs.slice(d * defaults.length, (d + 1) * defaults.length));
}

/** One recurrent op: `cell` advances one batch entry one step, given its gate pre-activations and state. */
function recur(X: Ten, W: Ten, R: Ten, B: Ten | undefined, lens: Ten | undefined, h0: Ten | undefined, c0: Ten | undefined,
  at: RecurrentAttrs, gates: number, cell: (g: Float64Array, h: Float64Array, c: Float64Array, d: number, gr: Float64Array) => void): Ten[] {
  const dirs = at.direction === "bidirectional" ? 2 : 1;
  const layout = at.layout ?? 0;
  const [seq, batch] = layout === 0 ? X.shape : [X.shape[1], X.shape[0]];
  const I = X.shape[2], H = at.hidden_size ?? W.shape[1] / gates, G = gates * H;
  const xAt = (t: number, b: number, i: number) => X.data[(layout === 0 ? t * batch + b : b * seq + t) * I + i];
  // Initial states: [dirs, batch, H] (layout 0) or [batch, dirs, H] (layout 1).
  const stateAt = (s: Ten | undefined, d: number, b: number, k: number) => (s ? s.data[(layout === 0 ? d * batch + b : b * dirs + d) * H + k] : 0);
  const Y = new Float64Array(seq * dirs * batch * H);
  const hN = new Float64Array(dirs * batch * H), cN = new Float64Array(dirs * batch * H);
  const g = new Float64Array(G), gr = new Float64Array(G); // all terms; the recurrent ones (h R^T + Rb) alone
  for (let d = 0; d < dirs; d++) {
    const reverse = at.direction === "reverse" || d === 1;
    for (let b = 0; b < batch; b++) {
      const len = lens ? lens.data[b] : seq;
      const h = new Float64Array(H), c = new Float64Array(H);
      for (let k = 0; k < H; k++) { h[k] = stateAt(h0, d, b, k); c[k] = stateAt(c0, d, b, k); }
      for (let s = 0; s < len; s++) {
        const t = reverse ? len - 1 - s : s;
        for (let j = 0; j < G; j++) {
          let v = B ? B.data[d * 2 * G + j] : 0, r = B ? B.data[d * 2 * G + G + j] : 0;
          for (let i = 0; i < I; i++) v += xAt(t, b, i) * W.data[(d * G + j) * I + i];
          for (let k = 0; k < H; k++) r += h[k] * R.data[(d * G + j) * H + k];
          g[j] = v + r;
          gr[j] = r;
        }
        cell(g, h, c, d, gr);
        Y.set(h, ((t * dirs + d) * batch + b) * H);
      }
      if (len > 0) { hN.set(h, (d * batch + b) * H); cN.set(c, (d * batch + b) * H); }
    }
  }
  const pack = (src: Float64Array, shape: number[]): Ten => {
    const data = newData(X.dtype, src.length);
    data.set(src);
    return { dtype: X.dtype, shape, data };
  };
  if (layout === 0) return [pack(Y, [seq, dirs, batch, H]), pack(hN, [dirs, batch, H]), pack(cN, [dirs, batch, H])];
  // layout 1: Y [batch, seq, dirs, H], states [batch, dirs, H].
  const yb = new Float64Array(Y.length), hb = new Float64Array(hN.length), cb = new Float64Array(cN.length);
  for (let t = 0; t < seq; t++) for (let d = 0; d < dirs; d++) for (let b = 0; b < batch; b++) {
    yb.set(Y.subarray(((t * dirs + d) * batch + b) * H, ((t * dirs + d) * batch + b + 1) * H), ((b * seq + t) * dirs + d) * H);
  }
  for (let d = 0; d < dirs; d++) for (let b = 0; b < batch; b++) {
    hb.set(hN.subarray((d * batch + b) * H, (d * batch + b + 1) * H), (b * dirs + d) * H);
    cb.set(cN.subarray((d * batch + b) * H, (d * batch + b + 1) * H), (b * dirs + d) * H);
  }
  return [pack(yb, [batch, seq, dirs, H]), pack(hb, [batch, dirs, H]), pack(cb, [batch, dirs, H])];
}

/** Clip a pre-activation to [-clip, clip] when clip is set. */
function clipped(v: number, clip: number | undefined): number {
  return clip === undefined ? v : v < -clip ? -clip : v > clip ? clip : v;
}

/** LSTM (gates i, o, f, c): outputs Y, Y_h, Y_c. */
export function LSTM(X: Ten, W: Ten, R: Ten, B: Ten | undefined, lens: Ten | undefined, h0: Ten | undefined, c0: Ten | undefined,
  P: Ten | undefined, at: RecurrentAttrs & { input_forget?: number }): Ten[] {
  const dirs = at.direction === "bidirectional" ? 2 : 1;
  const acts = actsOf(at, ["Sigmoid", "Tanh", "Tanh"], dirs);
  const H = at.hidden_size ?? W.shape[1] / 4;
  const p = (d: number, k: number) => (P ? P.data[d * 3 * H + k] : 0); // peepholes i, o, f
  return recur(X, W, R, B, lens, h0, c0, at, 4, (g, h, c, d) => {
    const [f, gg, hh] = acts[d];
    for (let k = 0; k < H; k++) {
      const i = f(clipped(g[k] + p(d, k) * c[k], at.clip));
      const fo = at.input_forget ? 1 - i : f(clipped(g[2 * H + k] + p(d, 2 * H + k) * c[k], at.clip));
      c[k] = fo * c[k] + i * gg(clipped(g[3 * H + k], at.clip));
      const o = f(clipped(g[H + k] + p(d, H + k) * c[k], at.clip));
      h[k] = o * hh(c[k]);
    }
  });
}

/** The plain recurrent cell h = f(x W^T + h R^T + Wb + Rb): outputs Y, Y_h. */
export function RNN(X: Ten, W: Ten, R: Ten, B: Ten | undefined, lens: Ten | undefined, h0: Ten | undefined, at: RecurrentAttrs): Ten[] {
  const dirs = at.direction === "bidirectional" ? 2 : 1;
  const acts = actsOf(at, ["Tanh"], dirs);
  return recur(X, W, R, B, lens, h0, undefined, at, 1, (g, h, _c, d) => {
    for (let k = 0; k < h.length; k++) h[k] = acts[d][0](clipped(g[k], at.clip));
  }).slice(0, 2);
}

/** GRU (gates z, r, h): outputs Y, Y_h. linear_before_reset applies the reset gate after the recurrent product. */
export function GRU(X: Ten, W: Ten, R: Ten, B: Ten | undefined, lens: Ten | undefined, h0: Ten | undefined,
  at: RecurrentAttrs & { linear_before_reset?: number }): Ten[] {
  const dirs = at.direction === "bidirectional" ? 2 : 1;
  const acts = actsOf(at, ["Sigmoid", "Tanh"], dirs);
  const H = at.hidden_size ?? W.shape[1] / 3, G = 3 * H;
  const rh = new Float64Array(H);
  return recur(X, W, R, B, lens, h0, undefined, at, 3, (g, h, _c, d, gr) => {
    const [f, gg] = acts[d];
    const z = new Float64Array(H), r = new Float64Array(H);
    for (let k = 0; k < H; k++) { z[k] = f(clipped(g[k], at.clip)); r[k] = f(clipped(g[H + k], at.clip)); }
    for (let k = 0; k < H; k++) rh[k] = r[k] * h[k];
    const next = new Float64Array(H);
    for (let k = 0; k < H; k++) {
      const j = 2 * H + k, xPart = g[j] - gr[j];
      let rec: number;
      if (at.linear_before_reset) rec = r[k] * gr[j];
      else {
        rec = B ? B.data[d * 2 * G + G + j] : 0;
        for (let q = 0; q < H; q++) rec += rh[q] * R.data[(d * G + j) * H + q];
      }
      const hc = gg(clipped(xPart + rec, at.clip));
      next[k] = (1 - z[k]) * hc + z[k] * h[k];
    }
    h.set(next);
  }).slice(0, 2);
}
