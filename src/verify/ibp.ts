// Interval transfer functions, one per layer kind: given elementwise bounds on a layer's inputs (flattened
// per-sample values), elementwise bounds on its output. Each is sound for exact arithmetic on the stored
// weights; what a layer can't bound becomes [-inf, inf], which later layers propagate soundly.
import type { ActLayer, AffineLayer, ConvLayer, Layer, PoolLayer } from "../net/net.ts";

/** Elementwise bounds on a flattened per-sample value. */
export interface Interval { lo: Float64Array; hi: Float64Array }

/** An interval of n elements, all [-inf, inf]. */
export function unbounded(n: number): Interval {
  return { lo: new Float64Array(n).fill(-Infinity), hi: new Float64Array(n).fill(Infinity) };
}

/** Product of a shape's dims (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

/** y = W x + b, row by row over the leading axes: centre/radius form, |W| times the radius. */
export function ibpAffine(l: AffineLayer, x: Interval): Interval {
  const { inFeatures: nIn, outFeatures: nOut, W, b } = l;
  const rows = x.lo.length / nIn;
  const lo = new Float64Array(rows * nOut), hi = new Float64Array(rows * nOut);
  const mid = new Float64Array(nIn), rad = new Float64Array(nIn);
  for (let r = 0; r < rows; r++) {
    centreRadius(x, r * nIn, nIn, mid, rad);
    for (let o = 0; o < nOut; o++) {
      let c = b[o], d = 0;
      const w = o * nIn;
      for (let i = 0; i < nIn; i++) {
        const wi = W[w + i];
        if (wi === 0) continue;
        c += wi * mid[i];
        d += Math.abs(wi) * rad[i];
      }
      setFromCR(lo, hi, r * nOut + o, c, d);
    }
  }
  return { lo, hi };
}

// Centre and radius of x[off..off+n]; an unbounded entry gets centre 0, radius inf.
function centreRadius(x: Interval, off: number, n: number, mid: Float64Array, rad: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const a = x.lo[off + i], z = x.hi[off + i];
    if (Number.isFinite(a) && Number.isFinite(z)) { mid[i] = (a + z) / 2; rad[i] = (z - a) / 2; }
    else { mid[i] = 0; rad[i] = Infinity; }
  }
}

// An entry from centre c and radius d; an unbounded input with a non-zero weight makes d infinite.
function setFromCR(lo: Float64Array, hi: Float64Array, k: number, c: number, d: number): void {
  if (!Number.isFinite(d) || !Number.isFinite(c)) { lo[k] = -Infinity; hi[k] = Infinity; return; }
  lo[k] = c - d;
  hi[k] = c + d;
}

/** Spatial geometry of a conv or pool as 2-D (a 1-D layer is 2-D with height 1). */
export interface Geometry {
  cin: number; h: number; w: number; oh: number; ow: number;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  /** The padded extent ends (for count_include_pad): rows [-ph, h + phEnd), cols [-pw, w + pwEnd). */
  phEnd: number; pwEnd: number;
}

/** The 2-D geometry of a conv/pool layer reading a value of per-sample shape `inShape`. */
export function geometry(l: (ConvLayer | PoolLayer) & Pick<Layer, "shape">, inShape: readonly number[]): Geometry {
  const two = inShape.length === 3;
  const cin = inShape[0];
  const h = two ? inShape[1] : 1, w = two ? inShape[2] : inShape[1];
  const oh = two ? l.shape[1] : 1, ow = two ? l.shape[2] : l.shape[1];
  const pick = (a: number[], fill: number): [number, number] => (two ? [a[0], a[1]] : [fill, a[0]]);
  const r = inShape.length - 1;
  const [kh, kw] = pick(l.kernel, 1), [sh, sw] = pick(l.strides, 1), [dh, dw] = pick(l.dilations, 1);
  const [ph, pw] = pick(l.pads.slice(0, r), 0), [phEnd, pwEnd] = pick(l.pads.slice(r), 0);
  return { cin, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, phEnd, pwEnd };
}

/** Convolution: centre/radius through the kernel, |kernel| times the radius; zero padding is exact. */
export function ibpConv(l: ConvLayer & Pick<Layer, "shape">, inShape: readonly number[], x: Interval): Interval {
  const g = geometry(l, inShape);
  const n = l.outChannels * g.oh * g.ow;
  const lo = new Float64Array(n), hi = new Float64Array(n);
  const mid = new Float64Array(x.lo.length), rad = new Float64Array(x.lo.length);
  centreRadius(x, 0, x.lo.length, mid, rad);
  const cpg = g.cin / l.groups, opg = l.outChannels / l.groups;
  for (let oc = 0; oc < l.outChannels; oc++) {
    const grp = Math.floor(oc / opg);
    for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
      let c = l.bias[oc], d = 0;
      for (let ic = 0; ic < cpg; ic++) {
        const ch = grp * cpg + ic;
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.sh - g.ph + ky * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.sw - g.pw + kx * g.dw;
            if (ix < 0 || ix >= g.w) continue;
            const wv = l.weight[((oc * cpg + ic) * g.kh + ky) * g.kw + kx];
            if (wv === 0) continue;
            const k = (ch * g.h + iy) * g.w + ix;
            c += wv * mid[k];
            d += Math.abs(wv) * rad[k];
          }
        }
      }
      const k = (oc * g.oh + oy) * g.ow + ox;
      setFromCR(lo, hi, k, c, d);
    }
  }
  return { lo, hi };
}

/** The input positions (flat indices) of each pool window, and avg's divisor; shared by IBP and CROWN. */
export interface PoolWindow { idx: number[]; divisor: number }

/** Every output element's window of a pool layer, in output order. */
export function poolWindows(l: PoolLayer & Pick<Layer, "shape">, inShape: readonly number[]): PoolWindow[] {
  const c = inShape[0];
  const spatial = sizeOf(inShape.slice(1));
  if (l.mode === "global_max" || l.mode === "global_avg") {
    return Array.from({ length: c }, (_, ch) => ({ idx: Array.from({ length: spatial }, (_, i) => ch * spatial + i), divisor: spatial }));
  }
  const g = geometry(l, inShape);
  const out: PoolWindow[] = [];
  for (let ch = 0; ch < c; ch++) for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
    const idx: number[] = [];
    let padded = 0;
    for (let ky = 0; ky < g.kh; ky++) {
      const iy = oy * g.sh - g.ph + ky * g.dh;
      for (let kx = 0; kx < g.kw; kx++) {
        const ix = ox * g.sw - g.pw + kx * g.dw;
        if (iy >= -g.ph && iy < g.h + g.phEnd && ix >= -g.pw && ix < g.w + g.pwEnd) padded++;
        if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) idx.push((ch * g.h + iy) * g.w + ix);
      }
    }
    out.push({ idx, divisor: l.countIncludePad ? padded : idx.length });
  }
  return out;
}

/** Max pool: max of the bounds; average pool: mean of the bounds (padding counts as 0 when included). */
export function ibpPool(l: PoolLayer & Pick<Layer, "shape">, inShape: readonly number[], x: Interval): Interval {
  const wins = poolWindows(l, inShape);
  const lo = new Float64Array(wins.length), hi = new Float64Array(wins.length);
  const max = l.mode === "max" || l.mode === "global_max";
  wins.forEach((win, k) => {
    if (max) {
      let a = -Infinity, z = -Infinity;
      for (const i of win.idx) { a = Math.max(a, x.lo[i]); z = Math.max(z, x.hi[i]); }
      lo[k] = a; hi[k] = z;
    } else {
      let a = 0, z = 0;
      for (const i of win.idx) { a += x.lo[i]; z += x.hi[i]; }
      lo[k] = a / win.divisor; hi[k] = z / win.divisor;
      if (Number.isNaN(lo[k])) lo[k] = -Infinity;
      if (Number.isNaN(hi[k])) hi[k] = Infinity;
    }
  });
  return { lo, hi };
}

/** The scalar function of an activation, for monotone ones. */
export function actFn(l: ActLayer): ((v: number) => number) | undefined {
  switch (l.fn) {
    case "relu": return (v) => (v > 0 ? v : 0);
    case "leaky_relu": { const a = l.alpha ?? 0.01; return a >= 0 ? (v) => (v >= 0 ? v : a * v) : undefined; }
    case "sigmoid": return (v) => 1 / (1 + Math.exp(-v));
    case "tanh": return Math.tanh;
    case "exp": return Math.exp;
    case "identity": return (v) => v;
    case "clip": { const lo = l.min ?? -Infinity, hi = l.max ?? Infinity; return (v) => Math.min(Math.max(v, lo), hi); }
    default: return undefined;
  }
}

/** Elementwise activation: monotone ones map the endpoints; abs, gelu and a negative-slope leaky ReLU by cases. */
export function ibpAct(l: ActLayer, x: Interval): Interval {
  const n = x.lo.length;
  const lo = new Float64Array(n), hi = new Float64Array(n);
  const f = actFn(l);
  for (let i = 0; i < n; i++) {
    const a = x.lo[i], z = x.hi[i];
    if (f) { lo[i] = f(a); hi[i] = f(z); continue; }
    if (l.fn === "abs") {
      lo[i] = a >= 0 ? a : z <= 0 ? -z : 0;
      hi[i] = Math.max(Math.abs(a), Math.abs(z));
    } else if (l.fn === "leaky_relu") {
      // negative slope: both pieces decrease away from 0 on the left, so the range spans the endpoints and 0
      const s = l.alpha ?? 0.01, g = (v: number) => (v >= 0 ? v : s * v);
      lo[i] = Math.min(g(a), g(z), a <= 0 && z >= 0 ? 0 : Infinity);
      hi[i] = Math.max(g(a), g(z), a <= 0 && z >= 0 ? 0 : -Infinity);
    } else {
      // gelu(x) = x * Phi(x) (and its tanh form): never below -0.1701, at most max(x, 0), at least x / 2 for x >= 0
      lo[i] = a >= 0 ? a / 2 : -0.1701;
      hi[i] = z > 0 ? z : 0;
    }
  }
  return { lo, hi };
}
