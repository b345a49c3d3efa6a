// The least-squares step of dense-to-conv: given where every row sits (channel, window) and a first scale,
// alternate kernel/bias and per-row scale updates, each the exact least-squares solution with the other fixed,
// then state the residual. Kept apart from the structure finding (dense-to-conv.ts) so each stays small.
import { patchOf, type ImageGrid } from "./dense-to-conv.ts";

/** Where a dense row sits in the conv: its channel, its window's top-left corner, and its scale. */
export interface Placement {
  channel: number;
  y0: number;
  x0: number;
  scale: number;
}

/** The conv's geometry, as found from the rows' windows. */
export interface ConvGeometry {
  kh: number; kw: number; dy: number; dx: number; sy: number; sx: number;
  /** Top and left padding. */
  pt: number; pl: number;
  outH: number; outW: number;
  signFree: boolean;
}

export interface RefitResult {
  weight: Float32Array;
  bias: Float32Array;
  place: Int32Array;
  scale: Float64Array;
  /** Relative residual, and the largest absolute one (an upper bound for weights outside the windows). */
  residual: { rel: number; maxAbs: number };
  /** Distinct conv outputs some row stands for. */
  covered: number;
}

/** Greatest common divisor of the absolute values (0 for none or all zero). */
export function gcdAll(xs: readonly number[]): number {
  let g = 0;
  for (const v of xs) {
    let a = Math.abs(v), c = g;
    while (c) [a, c] = [c, a % c];
    g = a;
  }
  return g;
}

/** Least-squares kernels, biases and scales for fixed placements; channels ordered by their first row. */
export function leastSquaresRefit(W: Float32Array, b: Float32Array, g: ImageGrid, places: readonly (Placement | null)[], channels: number, geo: ConvGeometry): RefitResult {
  const { kh, kw, dy, dx } = geo;
  const P = g.c * kh * kw;
  const rows = places.flatMap((p, u) => (p ? [u] : []));
  // Channel order: by the first row that uses each one, so an unpermuted layer keeps its order.
  const order = new Map<number, number>();
  for (const u of rows) if (!order.has(places[u]!.channel)) order.set(places[u]!.channel, order.size);
  const chOf = (u: number) => order.get(places[u]!.channel)!;
  const oc = order.size;
  const patches = new Map(rows.map((u) => [u, patchOf(W, u, g, places[u]!.y0, places[u]!.x0, kh, kw, dy, dx)]));
  const s = new Float64Array(places.length);
  for (const u of rows) s[u] = places[u]!.scale;
  const K = new Float64Array(oc * P);
  const B = new Float64Array(oc);
  for (let iter = 0; iter < 3; iter++) {
    const num = new Float64Array(oc * P), den = new Float64Array(oc * P), bn = new Float64Array(oc), bd = new Float64Array(oc);
    for (const u of rows) {
      const o = chOf(u), p = patches.get(u)!;
      for (let e = 0; e < P; e++) if (!Number.isNaN(p[e])) { num[o * P + e] += s[u] * p[e]; den[o * P + e] += s[u] * s[u]; }
      bn[o] += s[u] * b[u];
      bd[o] += s[u] * s[u];
    }
    for (let i = 0; i < K.length; i++) K[i] = den[i] > 0 ? num[i] / den[i] : 0;
    for (let o = 0; o < oc; o++) B[o] = bd[o] > 0 ? bn[o] / bd[o] : 0;
    for (const u of rows) {
      const o = chOf(u), p = patches.get(u)!;
      let d = b[u] * B[o], kk = B[o] * B[o];
      for (let e = 0; e < P; e++) if (!Number.isNaN(p[e])) { d += p[e] * K[o * P + e]; kk += K[o * P + e] ** 2; }
      if (kk > 0) s[u] = d / kk;
      if (!geo.signFree && s[u] <= 0) s[u] = places[u]!.scale;
    }
  }
  // Scale convention: each channel's scales have geometric mean 1 (all 1 when the rows were never rescaled).
  for (let o = 0; o < oc; o++) {
    const us = rows.filter((u) => chOf(u) === o);
    const gm = Math.exp(us.reduce((a, u) => a + Math.log(Math.abs(s[u])), 0) / us.length);
    if (!(gm > 0) || !Number.isFinite(gm)) continue;
    for (let e = 0; e < P; e++) K[o * P + e] *= gm;
    B[o] *= gm;
    for (const u of us) s[u] /= gm;
  }
  // Residual over every entry of the explained rows (weights outside the window count in full).
  const nIn = g.c * g.h * g.w;
  let res = 0, tot = 0, maxAbs = 0;
  const place = new Int32Array(places.length).fill(-1);
  const covered = new Set<number>();
  for (const u of rows) {
    const o = chOf(u), p = patches.get(u)!, pl = places[u]!;
    let inWin = 0, all = 0;
    // (NaN: a free weight, see fitConv: whatever the conv puts there computes the same.)
    for (let i = 0; i < nIn; i++) if (!Number.isNaN(W[u * nIn + i])) all += W[u * nIn + i] ** 2;
    for (let e = 0; e < P; e++) {
      if (Number.isNaN(p[e])) continue;
      inWin += p[e] * p[e];
      const d = p[e] - s[u] * K[o * P + e];
      res += d * d;
      maxAbs = Math.max(maxAbs, Math.abs(d));
    }
    res += Math.max(0, all - inWin);
    // Weight outside the window: its energy bounds the largest such weight.
    maxAbs = Math.max(maxAbs, Math.sqrt(Math.max(0, all - inWin)));
    const db = b[u] - s[u] * B[o];
    res += db * db;
    maxAbs = Math.max(maxAbs, Math.abs(db));
    tot += all + b[u] * b[u];
    // The first window's corner is (-pt, -pl): padding; row r's window starts at r * stride - pt.
    const r = (pl.y0 + geo.pt) / geo.sy;
    const c = (pl.x0 + geo.pl) / geo.sx;
    place[u] = (o * geo.outH + r) * geo.outW + c;
    covered.add(place[u]);
  }
  return {
    weight: Float32Array.from(K), bias: Float32Array.from(B), place, scale: s,
    residual: { rel: tot > 0 ? Math.sqrt(res / tot) : 0, maxAbs }, covered: covered.size,
  };
}
