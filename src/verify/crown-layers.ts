// Backward rules of the linear relaxation: given the coefficients Λ (m rows) of an upper bound Σ Λ·y on a
// layer's output y, the coefficients on its inputs and the constant that keep it an upper bound. Affine, conv,
// average pool, add, concat and reshape are exact; ReLU / leaky ReLU and max pool are relaxed with the bounds of
// their inputs; any other layer is replaced by its interval (sound, loose).
import type { AffineLayer, ConvLayer, Layer, PoolLayer } from "../net/net.ts";
import { geometry, poolWindows, sizeOf, type Interval } from "./ibp.ts";
import { selectionOf } from "./selection.ts";

/** Where a backward rule reads bounds and writes its results. */
export interface BackCtx {
  m: number;
  /** Coefficients on a value (m × size), created zero on first use. */
  coef(key: string): Float64Array;
  /** Interval bounds of a value (the best known). */
  bounds(key: string): Interval;
  /** The constant term per row. */
  cst: Float64Array;
}

/** Push Λ on `layer`'s output (its key's coefficients) back to its inputs. */
export function backLayer(layer: Layer, key: string, inKeys: string[], inShapes: number[][], lam: Float64Array, ctx: BackCtx): void {
  switch (layer.kind) {
    case "affine": return backAffine(layer, lam, ctx.coef(inKeys[0]), ctx);
    case "conv": return backConv(layer, inShapes[0], lam, ctx.coef(inKeys[0]), ctx);
    case "reshape": return addInto(ctx.coef(inKeys[0]), lam);
    case "add": for (const k of inKeys) addInto(ctx.coef(k), lam); return;
    case "concat": return backConcat(layer.axis, inKeys, inShapes, layer.shape, lam, ctx);
    case "pool":
      if (layer.mode === "avg" || layer.mode === "global_avg") return backAvgPool(layer, inShapes[0], lam, ctx.coef(inKeys[0]), ctx.m);
      return backMaxPool(layer, inShapes[0], lam, ctx.coef(inKeys[0]), ctx.bounds(inKeys[0]), ctx);
    case "act":
      if (layer.fn === "identity") return addInto(ctx.coef(inKeys[0]), lam);
      if (layer.fn === "relu") return backLeaky(0, lam, ctx.coef(inKeys[0]), ctx.bounds(inKeys[0]), ctx);
      if (layer.fn === "leaky_relu" && (layer.alpha ?? 0.01) >= 0 && (layer.alpha ?? 0.01) <= 1) {
        return backLeaky(layer.alpha ?? 0.01, lam, ctx.coef(inKeys[0]), ctx.bounds(inKeys[0]), ctx);
      }
      return concretize(lam, ctx.bounds(key), ctx.cst, ctx.m);
    case "opaque": {
      const sel = selectionOf(layer, inShapes[0] ?? []);
      if (!sel) return concretize(lam, ctx.bounds(key), ctx.cst, ctx.m);
      const dst = ctx.coef(inKeys[0]), xSize = dst.length / ctx.m;
      for (let q = 0; q < ctx.m; q++) sel.forEach((i, k) => (dst[q * xSize + i] += lam[q * sel.length + k]));
      return;
    }
    default:
      return concretize(lam, ctx.bounds(key), ctx.cst, ctx.m);
  }
}

/** Whether backLayer handles this layer by a linear rule or relaxation (not by its interval). */
export function isLinearisable(l: Layer): boolean {
  if (l.kind === "act") return l.fn === "identity" || l.fn === "relu" || (l.fn === "leaky_relu" && (l.alpha ?? 0.01) >= 0 && (l.alpha ?? 0.01) <= 1);
  return l.kind !== "softmax" && l.kind !== "opaque";  // (selection-only opaque fragments are handled too)
}

function addInto(dst: Float64Array, src: Float64Array): void {
  for (let i = 0; i < src.length; i++) dst[i] += src[i];
}

/** Replace Σ Λ·y by its maximum over y's interval: the constant Σ max(λ lo, λ hi). */
export function concretize(lam: Float64Array, b: Interval, cst: Float64Array, m: number): void {
  const n = b.lo.length;
  for (let q = 0; q < m; q++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const l = lam[q * n + i];
      if (l > 0) s += l * b.hi[i];
      else if (l < 0) s += l * b.lo[i];
    }
    cst[q] += s;
  }
}

// y = W x + b per leading row: Λ_x = Λ_y W, constant += Λ_y b.
function backAffine(l: AffineLayer, lam: Float64Array, dst: Float64Array, ctx: BackCtx): void {
  const { inFeatures: nIn, outFeatures: nOut, W, b } = l;
  const ySize = lam.length / ctx.m, rows = ySize / nOut, xSize = rows * nIn;
  // The non-zero coefficients of one row, in order; then four weight rows per sweep over dst. Each dst entry still
  // gets its terms one at a time in output order (loaded and stored once per four): the same bits as one row at a time.
  const os = new Int32Array(nOut), vs = new Float64Array(nOut);
  for (let q = 0; q < ctx.m; q++) {
    let c = 0;
    for (let r = 0; r < rows; r++) {
      const yo = q * ySize + r * nOut, xo = q * xSize + r * nIn;
      let k = 0;
      for (let o = 0; o < nOut; o++) {
        const v = lam[yo + o];
        if (v === 0) continue;
        c += v * b[o];
        os[k] = o * nIn;
        vs[k++] = v;
      }
      let j = 0;
      for (; j + 4 <= k; j += 4) {
        const w0 = os[j], w1 = os[j + 1], w2 = os[j + 2], w3 = os[j + 3];
        const v0 = vs[j], v1 = vs[j + 1], v2 = vs[j + 2], v3 = vs[j + 3];
        for (let i = 0; i < nIn; i++) {
          let d = dst[xo + i];
          d += v0 * W[w0 + i];
          d += v1 * W[w1 + i];
          d += v2 * W[w2 + i];
          d += v3 * W[w3 + i];
          dst[xo + i] = d;
        }
      }
      for (; j < k; j++) {
        const w = os[j], v = vs[j];
        for (let i = 0; i < nIn; i++) dst[xo + i] += v * W[w + i];
      }
    }
    ctx.cst[q] += c;
  }
}

// The transpose of the convolution.
function backConv(l: ConvLayer & { shape: number[] }, inShape: number[], lam: Float64Array, dst: Float64Array, ctx: BackCtx): void {
  const g = geometry(l, inShape);
  const ySize = l.outChannels * g.oh * g.ow, xSize = g.cin * g.h * g.w;
  const cpg = g.cin / l.groups, opg = l.outChannels / l.groups;
  for (let q = 0; q < ctx.m; q++) {
    let c = 0;
    for (let oc = 0; oc < l.outChannels; oc++) {
      const grp = Math.floor(oc / opg);
      for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
        const v = lam[q * ySize + (oc * g.oh + oy) * g.ow + ox];
        if (v === 0) continue;
        c += v * l.bias[oc];
        for (let ic = 0; ic < cpg; ic++) {
          const ch = grp * cpg + ic;
          for (let ky = 0; ky < g.kh; ky++) {
            const iy = oy * g.sh - g.ph + ky * g.dh;
            if (iy < 0 || iy >= g.h) continue;
            for (let kx = 0; kx < g.kw; kx++) {
              const ix = ox * g.sw - g.pw + kx * g.dw;
              if (ix < 0 || ix >= g.w) continue;
              dst[q * xSize + (ch * g.h + iy) * g.w + ix] += v * l.weight[((oc * cpg + ic) * g.kh + ky) * g.kw + kx];
            }
          }
        }
      }
    }
    ctx.cst[q] += c;
  }
}

function backConcat(axis: number, inKeys: string[], inShapes: number[][], shape: number[], lam: Float64Array, ctx: BackCtx): void {
  const n = sizeOf(shape), outer = sizeOf(inShapes[0].slice(0, axis));
  const blocks = inShapes.map((s) => sizeOf(s.slice(axis)));
  const dsts = inKeys.map((k) => ctx.coef(k));
  for (let q = 0; q < ctx.m; q++) {
    let k = 0;
    for (let o = 0; o < outer; o++) {
      blocks.forEach((bsz, j) => {
        const xSize = outer * bsz;
        for (let i = 0; i < bsz; i++) dsts[j][q * xSize + o * bsz + i] += lam[q * n + k + i];
        k += bsz;
      });
    }
  }
}

function backAvgPool(l: PoolLayer & { shape: number[] }, inShape: number[], lam: Float64Array, dst: Float64Array, m: number): void {
  const wins = poolWindows(l, inShape);
  const xSize = sizeOf(inShape);
  for (let q = 0; q < m; q++) {
    wins.forEach((w, k) => {
      const v = lam[q * wins.length + k];
      if (v === 0) return;
      for (const i of w.idx) dst[q * xSize + i] += v / w.divisor;
    });
  }
}

// max over a window: >= the element with the largest lower bound (exact when that element dominates the rest);
// <= the largest upper bound otherwise.
function backMaxPool(l: PoolLayer & { shape: number[] }, inShape: number[], lam: Float64Array, dst: Float64Array, b: Interval, ctx: BackCtx): void {
  const wins = poolWindows(l, inShape);
  const xSize = sizeOf(inShape);
  const best = wins.map((w) => {
    let j = w.idx[0], hiMax = -Infinity;
    for (const i of w.idx) if (b.lo[i] > b.lo[j]) j = i;
    let dominant = true;
    for (const i of w.idx) {
      hiMax = Math.max(hiMax, b.hi[i]);
      if (i !== j && b.hi[i] > b.lo[j]) dominant = false;
    }
    return { j, hiMax, dominant };
  });
  for (let q = 0; q < ctx.m; q++) {
    wins.forEach((_, k) => {
      const v = lam[q * wins.length + k];
      if (v === 0) return;
      const { j, hiMax, dominant } = best[k];
      if (dominant || v < 0) dst[q * xSize + j] += v;
      else ctx.cst[q] += v * hiMax;
    });
  }
}

// y = max(z, αz) with 0 <= α <= 1 and z in [l, u]. Upper: the chord from (l, αl) to (u, u); lower: z or αz,
// whichever is closer over the interval (CROWN's adaptive choice).
function backLeaky(alpha: number, lam: Float64Array, dst: Float64Array, b: Interval, ctx: BackCtx): void {
  const n = b.lo.length;
  const upSlope = new Float64Array(n), upIcpt = new Float64Array(n), loSlope = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const l = b.lo[i], u = b.hi[i];
    if (l >= 0) { upSlope[i] = 1; loSlope[i] = 1; }
    else if (u <= 0) { upSlope[i] = alpha; loSlope[i] = alpha; }
    else {
      upSlope[i] = (u - alpha * l) / (u - l);
      upIcpt[i] = alpha * l - upSlope[i] * l;
      loSlope[i] = u > -l ? 1 : alpha;
      if (!Number.isFinite(upSlope[i]) || !Number.isFinite(upIcpt[i])) { upSlope[i] = Number.NaN; }
    }
  }
  for (let q = 0; q < ctx.m; q++) {
    let c = 0;
    for (let i = 0; i < n; i++) {
      const v = lam[q * n + i];
      if (v === 0) continue;
      if (v > 0) {
        if (Number.isNaN(upSlope[i])) { c = Infinity; continue; }
        dst[q * n + i] += v * upSlope[i];
        c += v * upIcpt[i];
      } else dst[q * n + i] += v * loSlope[i];
    }
    ctx.cst[q] += c;
  }
}
