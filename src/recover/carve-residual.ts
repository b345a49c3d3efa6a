// What a carved conv does not explain, kept as explicit weights: a dense layer that is a conv only up to small
// differences (weight noise, a trained net's imperfect sharing) is rewritten exactly as
//
//   W_u x + b_u = s_u * (conv(x, K)[p_u] + B + R_p x + r_p),   R_p = W_u / s_u - T_p,  r_p = b_u / s_u - B
//
// where T_p is the conv's Toeplitz row for output p (the one row u stands for) and (R, r) is the residual: a
// dense map from the layer's input to the conv's outputs, in the conv's output order. relu(s z) = s relu(z)
// (s > 0), so the row scales still fold into the next layer. A second row standing for the same output p (a
// split copy) shares p's residual only when its own differs by rounding; otherwise it stays a dense row beside
// the conv, exactly as it was. The size of the residual is stated: its largest weight and, over a box, the
// largest |R_p x + r_p| any input can give.
import type { ConvFit } from "./dense-to-conv.ts";

/** The residual of one carved layer, per conv output. */
export interface ConvResidual {
  /** [outputs, inputs]: R, row p for conv output p (zero for outputs no row stands for). */
  W: Float32Array;
  /** [outputs]: r. */
  b: Float32Array;
  /** Rows not folded into a conv output: unexplained rows, and copies whose residual differs from their output's. */
  rest: number[];
  /** Largest |weight| of the residual (R and r), in the conv's units. */
  maxAbs: number;
  /** Residual entries that are not zero. */
  nonzero: number;
}

/** Relative difference under which two rows' residuals are the same up to float32 rounding. */
const SAME_RESIDUAL = 1e-6;

/** The conv's Toeplitz row for output p, over the flattened input image. */
export function toeplitzRow(fit: ConvFit, p: number): Float64Array {
  const { grid: g, kernel: [kh, kw], strides: [sy, sx], pads: [pt, pl], dilations: [dy, dx], outH, outW } = fit;
  const row = new Float64Array(g.c * g.h * g.w);
  const o = Math.floor(p / (outH * outW)), r = Math.floor(p / outW) % outH, c = p % outW;
  for (let ch = 0; ch < g.c; ch++) for (let i = 0; i < kh; i++) {
    const y = r * sy - pt + i * dy;
    if (y < 0 || y >= g.h) continue;
    for (let j = 0; j < kw; j++) {
      const x = c * sx - pl + j * dx;
      if (x >= 0 && x < g.w) row[(ch * g.h + y) * g.w + x] += fit.weight[((o * g.c + ch) * kh + i) * kw + j];
    }
  }
  return row;
}

/** The residual of the dense rows (W, b) against the conv fit, in conv output order (see the file comment). */
export function convResidual(W: Float32Array, b: Float32Array, fit: ConvFit): ConvResidual {
  const nIn = fit.grid.c * fit.grid.h * fit.grid.w;
  const plane = fit.outH * fit.outW;
  const total = fit.outChannels * plane;
  const R = new Float32Array(total * nIn), r = new Float32Array(total);
  const owner = new Int32Array(total).fill(-1);
  const rest: number[] = [];
  let maxAbs = 0;
  const rowResidual = (u: number, p: number): { w: Float64Array; b: number; size: number } => {
    const s = fit.scale[u], T = toeplitzRow(fit, p);
    const w = new Float64Array(nIn);
    let size = 0;
    for (let i = 0; i < nIn; i++) {
      // A free weight (NaN: its input is provably 0) takes the conv's value: no residual there.
      if (Number.isNaN(W[u * nIn + i])) continue;
      w[i] = W[u * nIn + i] / s - T[i];
      size = Math.max(size, Math.abs(W[u * nIn + i] / s));
    }
    return { w, b: b[u] / s - fit.bias[Math.floor(p / plane)], size: Math.max(size, Math.abs(b[u] / s)) };
  };
  for (let u = 0; u < fit.place.length; u++) {
    const p = fit.place[u];
    if (p < 0) {
      rest.push(u);
      continue;
    }
    const e = rowResidual(u, p);
    if (owner[p] < 0) {
      owner[p] = u;
      for (let i = 0; i < nIn; i++) R[p * nIn + i] = e.w[i];
      r[p] = e.b;
      continue;
    }
    // A copy: the same residual (up to rounding) folds with its output; otherwise it keeps its own row.
    let d = Math.abs(e.b - r[p]);
    for (let i = 0; i < nIn && d <= SAME_RESIDUAL * e.size; i++) d = Math.max(d, Math.abs(e.w[i] - R[p * nIn + i]));
    if (d > SAME_RESIDUAL * e.size) rest.push(u);
  }
  let nonzero = 0;
  for (const v of R) if (v !== 0) { nonzero++; maxAbs = Math.max(maxAbs, Math.abs(v)); }
  for (const v of r) if (v !== 0) { nonzero++; maxAbs = Math.max(maxAbs, Math.abs(v)); }
  return { W: R, b: r, rest, maxAbs, nonzero };
}

/** Largest |R_p x + r_p| over inputs x in the box [lo, hi] (every entry), over all outputs p. */
export function residualBoxBound(res: ConvResidual, nIn: number, lo: number, hi: number): number {
  let m = 0;
  for (let p = 0; p < res.b.length; p++) {
    let up = res.b[p], dn = res.b[p];
    for (let i = 0; i < nIn; i++) {
      const w = res.W[p * nIn + i];
      up += Math.max(w * lo, w * hi);
      dn += Math.min(w * lo, w * hi);
    }
    m = Math.max(m, Math.abs(up), Math.abs(dn));
  }
  return m;
}

/** The dense rows the conv fit stands for: row u = s_u * T_p, b_u = s_u * B (rows the conv does not explain as
 *  they were). The layer with these weights computes what the carved conv computes, in the dense layer's form, so
 *  bounds comparing it with the layer as it was see one weight change, not two different structures. */
export function fittedRows(W: Float32Array, b: Float32Array, fit: ConvFit): { W: Float32Array; b: Float32Array } {
  const nIn = fit.grid.c * fit.grid.h * fit.grid.w;
  const plane = fit.outH * fit.outW;
  const Wf = Float32Array.from(W), bf = Float32Array.from(b);
  fit.place.forEach((p, u) => {
    if (p < 0) return;
    const s = fit.scale[u], T = toeplitzRow(fit, p);
    for (let i = 0; i < nIn; i++) Wf[u * nIn + i] = s * T[i];
    bf[u] = s * fit.bias[Math.floor(p / plane)];
  });
  return { W: Wf, b: bf };
}
