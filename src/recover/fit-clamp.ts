// clamp(x_i, lo, hi) as a fitted candidate of rules-fit.ts, its breakpoints fitted too: a trained net never
// places its ramps exactly at lo and hi, so the identity rule (rules-maxmin.ts: relu(x - lo) - relu(x - hi) + lo =
// clamp(x, lo, hi)) cannot fire, and the breakpoints are not among the fit's fixed candidates (|x|, max, min).
//   y ~ alpha * clamp(x_i, lo, hi) + beta + sum_j gamma_j x_j
// lo < hi are searched over a grid of the source's quantiles (inside the data, so both ramps are seen), then
// refined by golden-section search on each in turn, by the squared error of the least-squares fit; the caller
// judges the result like any other candidate, and the builder states its residual.

/** Quantiles of the source tried as breakpoints (both strictly inside the data). */
const GRID = 20;
/** Golden-section steps per breakpoint and rounds over the two. */
const GOLDEN_STEPS = 24;
const ROUNDS = 2;

/** The fitted breakpoints and the candidate's values on the rows. */
export interface ClampFit {
  lo: number;
  hi: number;
  values: Float64Array;
  /** Sum of squared residuals of the least-squares fit with this column. */
  sse: number;
}

/** clamp(x, lo, hi) entry-wise. */
export function clampColumn(x: Float64Array, lo: number, hi: number): Float64Array {
  return x.map((v) => (v < lo ? lo : v > hi ? hi : v));
}

/** Squared error of y ~ [1, cols..., extra] by least squares, from the Gram matrix of [1, cols] (precomputed). */
class NormalFit {
  private readonly k: number;
  private readonly gram: Float64Array;
  private readonly zy: Float64Array;
  private readonly yy: number;
  constructor(private readonly cols: readonly Float64Array[], private readonly y: Float64Array) {
    const m = y.length, k = cols.length + 1;
    this.k = k;
    const col = (j: number, r: number) => (j === 0 ? 1 : cols[j - 1][r]);
    this.gram = new Float64Array(k * k);
    this.zy = new Float64Array(k);
    let yy = 0;
    for (let r = 0; r < m; r++) {
      yy += y[r] * y[r];
      for (let i = 0; i < k; i++) {
        const ci = col(i, r);
        this.zy[i] += ci * y[r];
        for (let j = i; j < k; j++) this.gram[i * k + j] += ci * col(j, r);
      }
    }
    for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) this.gram[i * k + j] = this.gram[j * k + i];
    this.yy = yy;
  }

  /** Residual sum of squares with `extra` as one more column. */
  sse(extra: Float64Array): number {
    const k = this.k, n = k + 1, m = this.y.length;
    const A = new Float64Array(n * (n + 1));
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) A[i * (n + 1) + j] = this.gram[i * k + j];
    let ee = 0, ey = 0;
    const ez = new Float64Array(k);
    for (let r = 0; r < m; r++) {
      const e = extra[r];
      ee += e * e;
      ey += e * this.y[r];
      ez[0] += e;
      for (let j = 1; j < k; j++) ez[j] += e * this.cols[j - 1][r];
    }
    for (let i = 0; i < k; i++) {
      A[i * (n + 1) + k] = ez[i];
      A[k * (n + 1) + i] = ez[i];
      A[i * (n + 1) + n] = this.zy[i];
    }
    A[k * (n + 1) + k] = ee;
    A[k * (n + 1) + n] = ey;
    const rhs = Float64Array.from({ length: n }, (_, i) => A[i * (n + 1) + n]);
    for (let i = 0; i < n; i++) A[i * (n + 1) + i] += 1e-9 * m;
    const beta = solve(A, n);
    if (!beta) return Infinity;
    // ||y - Z b||^2 = y'y - 2 b'Z'y + b'Z'Z b = y'y - b'Z'y at the least-squares b.
    let s = this.yy;
    for (let i = 0; i < n; i++) s -= beta[i] * rhs[i];
    return Math.max(s, 0);
  }
}

/** Solve the n x n system held in A (n rows of n + 1: matrix then right-hand side), Gaussian elimination. */
function solve(A: Float64Array, n: number): Float64Array | undefined {
  const w = n + 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * w + c]) > Math.abs(A[p * w + c])) p = r;
    if (A[p * w + c] === 0) return undefined;
    if (p !== c) for (let j = 0; j < w; j++) [A[c * w + j], A[p * w + j]] = [A[p * w + j], A[c * w + j]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = A[r * w + c] / A[c * w + c];
      if (f !== 0) for (let j = c; j < w; j++) A[r * w + j] -= f * A[c * w + j];
    }
  }
  return Float64Array.from({ length: n }, (_, i) => A[i * w + n] / A[i * w + i]);
}

/** The clamp of source `x` (one of `cols`) that best fits y with an affine part over `cols`; undefined when the
 *  source takes too few distinct values to place two breakpoints inside its range. */
export function fitClamp(x: Float64Array, cols: readonly Float64Array[], y: Float64Array): ClampFit | undefined {
  const sorted = Float64Array.from(x).sort();
  const m = sorted.length;
  const grid = [...new Set(Array.from({ length: GRID }, (_, g) => sorted[Math.round(((g + 1) / (GRID + 1)) * (m - 1))]))];
  if (grid.length < 2) return undefined;
  const nf = new NormalFit(cols, y);
  const err = (lo: number, hi: number) => (lo < hi ? nf.sse(clampColumn(x, lo, hi)) : Infinity);
  let best = { lo: grid[0], hi: grid[1], sse: Infinity };
  for (let a = 0; a < grid.length; a++) {
    for (let b = a + 1; b < grid.length; b++) {
      const e = err(grid[a], grid[b]);
      if (e < best.sse) best = { lo: grid[a], hi: grid[b], sse: e };
    }
  }
  // Refine each breakpoint between its grid neighbours (the error is unimodal there for a clamp-shaped y).
  const step = (sorted[m - 1] - sorted[0]) / (GRID + 1);
  for (let round = 0; round < ROUNDS; round++) {
    const lo = golden((t) => err(t, best.hi), best.lo - step, Math.min(best.lo + step, best.hi));
    if (lo.e <= best.sse) best = { ...best, lo: lo.t, sse: lo.e };
    const hi = golden((t) => err(best.lo, t), Math.max(best.hi - step, best.lo), best.hi + step);
    if (hi.e <= best.sse) best = { ...best, hi: hi.t, sse: hi.e };
  }
  return { lo: best.lo, hi: best.hi, values: clampColumn(x, best.lo, best.hi), sse: best.sse };
}

/** Golden-section minimum of f on [a, b]. */
function golden(f: (t: number) => number, a: number, b: number): { t: number; e: number } {
  const r = (Math.sqrt(5) - 1) / 2;
  let c = b - r * (b - a), d = a + r * (b - a);
  let fc = f(c), fd = f(d);
  for (let i = 0; i < GOLDEN_STEPS; i++) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - r * (b - a); fc = f(c); }
    else { a = c; c = d; fc = fd; d = a + r * (b - a); fd = f(d); }
  }
  return fc < fd ? { t: c, e: fc } : { t: d, e: fd };
}
