// Non-negative matrix factorisation A ~ W H (A: m x n >= 0, W: m x k >= 0, H: k x n >= 0) by HALS, hierarchical
// alternating least squares (Cichocki & Phan 2009): each column of W, then each row of H, is the exact
// non-negative least-squares update with the others fixed. It converges in far fewer sweeps than Lee-Seung
// multiplicative updates, and with a seeded start it is deterministic. Post-ReLU activations are non-negative,
// so samples x units factors into k patterns of units that fire together (W: how much each sample shows each
// pattern; H: each pattern's units) — the feature groups of Olah et al., "The Building Blocks of Interpretability".
// All arithmetic is float64 in a fixed order: the same input gives the same bits.
import { rng } from "../util/rng.ts";

/** A factorisation of an m x n matrix: W (m x k) and H (k x n), row-major. */
export interface Nmf {
  m: number;
  n: number;
  k: number;
  W: Float64Array;
  H: Float64Array;
  /** ||A - W H||_F^2 at the end. */
  sqErr: number;
  /** Sweeps run (each updates all of W, then all of H). */
  sweeps: number;
  /** Where the run stopped, for `resume`: the squared error before the last sweep and after it (unclamped). */
  stop: { prev: number; err: number };
}

export interface NmfOptions {
  seed?: number;
  /** Most sweeps (default 200). */
  maxSweeps?: number;
  /** Stop when the squared error falls by less than this fraction of ||A||^2 in one sweep (default 1e-6). */
  tol?: number;
  /** Continue an earlier run on the same A, k and seed that stopped sooner (a looser tol or fewer sweeps): the
   *  sweeps are the same deterministic updates from the same start, so the result has the same bits as a run
   *  from the start with these options. */
  resume?: Nmf;
}

/** Values below this are zero in a factor: keeps a column from dying to exactly 0 and dividing by 0 later. */
const FLOOR = 1e-12;

/** Factor A (m x n, row-major, every entry >= 0) into k non-negative factors from a seeded random start. */
export function nmf(A: ArrayLike<number>, m: number, n: number, k: number, opts: NmfOptions = {}): Nmf {
  if (k < 1 || m < 1 || n < 1) throw new Error(`nmf: need m, n, k >= 1 (got ${m}, ${n}, ${k})`);
  let norm2 = 0, sum = 0;
  for (let i = 0; i < m * n; i++) {
    if (!(A[i] >= 0)) throw new Error(`nmf: entry ${i} is ${A[i]}, not a non-negative number`);
    norm2 += A[i] * A[i];
    sum += A[i];
  }
  const r = rng(opts.seed ?? 0);
  // Start at the scale where W H has A's mean: uniform entries in [0, 2s) with s^2 k = mean(A).
  const s = Math.sqrt(sum / (m * n) / k) || 1;
  const from = opts.resume;
  if (from && (from.m !== m || from.n !== n || from.k !== k)) throw new Error(`nmf: resume of a ${from.m} x ${from.n} k = ${from.k} fit on ${m} x ${n} k = ${k}`);
  const W = from ? Float64Array.from(from.W) : Float64Array.from({ length: m * k }, () => 2 * s * r());
  const H = from ? Float64Array.from(from.H) : Float64Array.from({ length: k * n }, () => 2 * s * r());
  const maxSweeps = opts.maxSweeps ?? 200, tol = (opts.tol ?? 1e-6) * norm2;
  let prev = Infinity, err = norm2, sweeps = 0, last = Infinity;
  if (from && from.sweeps > 0) {
    // The stop test a run from the start would have made after the earlier run's last sweep, with this tol.
    ({ prev: last, err } = from.stop);
    sweeps = from.sweeps;
    if (sweeps > maxSweeps) throw new Error(`nmf: resume after ${sweeps} sweeps with at most ${maxSweeps}`);
    if (last - err < tol) return { m, n, k, W, H, sqErr: Math.max(0, err), sweeps, stop: { prev: last, err } };
    prev = err;
  }
  const AHt = new Float64Array(m * k), HHt = new Float64Array(k * k), WtA = new Float64Array(k * n), WtW = new Float64Array(k * k);
  const At = transpose(A, m, n), Wt = new Float64Array(k * m);
  while (sweeps < maxSweeps) {
    sweeps++;
    // W columns: W[:,j] <- max(0, W[:,j] + (A H^T[:,j] - W (H H^T)[:,j]) / (H H^T)[j,j]).
    mulABt(A, H, m, n, k, AHt);
    gram(H, k, n, HHt);
    hals(W, AHt, HHt, m, k);
    // H rows: the same with the roles swapped (A^T W and W^T W).
    mulAtB(W, At, m, k, n, WtA, Wt);
    gramCols(W, m, k, WtW);
    halsRows(H, WtA, WtW, k, n);
    // ||A - WH||^2 = ||A||^2 - 2 <W^T A, H> + <W^T W, H H^T>, from the products already at hand.
    gram(H, k, n, HHt);
    err = norm2 - 2 * dot(WtA, H) + dot(WtW, HHt);
    last = prev;
    if (prev - err < tol) break;
    prev = err;
  }
  return { m, n, k, W, H, sqErr: Math.max(0, err), sweeps, stop: { prev: last, err } };
}

/** The non-negative W (m x k) that best fits A ~ W H with H fixed (HALS on W alone): rows seen only after the fit. */
export function projectRows(A: ArrayLike<number>, m: number, n: number, H: Float64Array, k: number, sweeps = 50): Float64Array {
  const AHt = new Float64Array(m * k), HHt = new Float64Array(k * k);
  mulABt(A, H, m, n, k, AHt);
  gram(H, k, n, HHt);
  // Start from the unconstrained single-factor fit of each column, clipped at 0.
  const W = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) W[i * k + j] = HHt[j * k + j] > 0 ? Math.max(0, AHt[i * k + j] / HHt[j * k + j]) / k : 0;
  for (let t = 0; t < sweeps; t++) hals(W, AHt, HHt, m, k);
  return W;
}

/** Explained variance of a fit: 1 - ||A - WH||^2 / ||A - column means||^2 (1 is perfect; the mean alone scores 0). */
export function explainedVariance(A: ArrayLike<number>, m: number, n: number, sqErr: number): number {
  let tot = 0;
  for (let u = 0; u < n; u++) {
    let mean = 0;
    for (let i = 0; i < m; i++) mean += A[i * n + u];
    mean /= m;
    for (let i = 0; i < m; i++) tot += (A[i * n + u] - mean) ** 2;
  }
  return tot > 0 ? 1 - sqErr / tot : 1;
}

/** The knee of an increasing curve y(1..K) by the L-method (Salvador & Chan 2004): split the points in two runs,
 *  sharing one point, fit a straight line to each, and take the split whose two lines fit best (RMS errors weighted by the runs'
 *  lengths); the knee is the shared point. A curve that rises steadily to k and is flat after has
 *  its knee exactly at k; Kneedle's farthest-above-the-chord point can be off by one there. Returns an index
 *  into `ys` (0 for k = 1); curves of fewer than 4 points fall back to the farthest point above the chord. */
export function kneeIndex(ys: readonly number[]): number {
  const K = ys.length;
  if (K < 4) {
    if (K <= 2) return K - 1;
    const gap = (i: number) => (ys[i] - ys[0]) / ((ys[K - 1] - ys[0]) || 1) - i / (K - 1);
    return gap(1) > 0 ? 1 : 0;
  }
  let best = 0, bestErr = Infinity;
  // The knee point ends the left run and starts the right one (each run has two points or more).
  for (let c = 1; c <= K - 2; c++) {
    const err = ((c + 1) * lineRms(ys, 0, c) + (K - c) * lineRms(ys, c, K - 1)) / (K + 1);
    if (err < bestErr - 1e-12) (bestErr = err), (best = c);
  }
  return best;
}

/** RMS residual of the least-squares line through points a..b (inclusive) of y(i). */
function lineRms(ys: readonly number[], a: number, b: number): number {
  const n = b - a + 1;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = a; i <= b; i++) (sx += i), (sy += ys[i]), (sxx += i * i), (sxy += i * ys[i]);
  const den = n * sxx - sx * sx;
  const slope = den ? (n * sxy - sx * sy) / den : 0, icept = (sy - slope * sx) / n;
  let ss = 0;
  for (let i = a; i <= b; i++) ss += (ys[i] - (icept + slope * i)) ** 2;
  return Math.sqrt(ss / n);
}

function hals(W: Float64Array, AHt: Float64Array, HHt: Float64Array, m: number, k: number): void {
  for (let j = 0; j < k; j++) {
    const d = HHt[j * k + j];
    if (!(d > 0)) continue;
    for (let i = 0; i < m; i++) {
      let wh = 0;
      for (let q = 0; q < k; q++) wh += W[i * k + q] * HHt[q * k + j];
      const v = W[i * k + j] + (AHt[i * k + j] - wh) / d;
      W[i * k + j] = v > FLOOR ? v : FLOOR;
    }
  }
}

function halsRows(H: Float64Array, WtA: Float64Array, WtW: Float64Array, k: number, n: number): void {
  const acc = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const d = WtW[j * k + j];
    if (!(d > 0)) continue;
    acc.fill(0);
    for (let q = 0; q < k; q++) {
      const c = WtW[j * k + q];
      if (c === 0) continue;
      for (let u = 0; u < n; u++) acc[u] += c * H[q * n + u];
    }
    for (let u = 0; u < n; u++) {
      const v = H[j * n + u] + (WtA[j * n + u] - acc[u]) / d;
      H[j * n + u] = v > FLOOR ? v : FLOOR;
    }
  }
}

/** out (m x k) = A (m x n) H^T (H: k x n): dot products of A's rows with H's, two rows of A by four of H at a time
 *  (each value loaded serves two or four products; each sum still runs over u in order, so the bits are those of
 *  one dot product at a time). */
function mulABt(A: ArrayLike<number>, H: Float64Array, m: number, n: number, k: number, out: Float64Array): void {
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a = i * n, b = a + n;
    let j = 0;
    for (; j + 4 <= k; j += 4) {
      const h0 = j * n, h1 = h0 + n, h2 = h1 + n, h3 = h2 + n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      for (let u = 0; u < n; u++) {
        const x = A[a + u], y = A[b + u];
        const g0 = H[h0 + u], g1 = H[h1 + u], g2 = H[h2 + u], g3 = H[h3 + u];
        s0 += x * g0;
        s1 += x * g1;
        s2 += x * g2;
        s3 += x * g3;
        t0 += y * g0;
        t1 += y * g1;
        t2 += y * g2;
        t3 += y * g3;
      }
      const o = i * k + j, p = o + k;
      out[o] = s0;
      out[o + 1] = s1;
      out[o + 2] = s2;
      out[o + 3] = s3;
      out[p] = t0;
      out[p + 1] = t1;
      out[p + 2] = t2;
      out[p + 3] = t3;
    }
    for (; j < k; j++) {
      let s = 0, t = 0;
      for (let u = 0; u < n; u++) {
        const g = H[j * n + u];
        s += A[a + u] * g;
        t += A[b + u] * g;
      }
      out[i * k + j] = s;
      out[(i + 1) * k + j] = t;
    }
  }
  for (; i < m; i++) {
    const a = i * n;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let u = 0; u < n; u++) s += A[a + u] * H[j * n + u];
      out[i * k + j] = s;
    }
  }
}

/** A^T (n x m) of A (m x n). */
function transpose(A: ArrayLike<number>, m: number, n: number): Float64Array {
  const t = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let u = 0; u < n; u++) t[u * m + i] = A[i * n + u];
  return t;
}

/** out (k x n) = W^T (W: m x k) A (m x n), given A^T; Wt is scratch for W^T. Each entry is the sum over i in order
 *  from 0, as accumulating row by row gives it (every term is >= 0 here, so no -0 start matters): the same bits. */
function mulAtB(W: Float64Array, At: Float64Array, m: number, k: number, n: number, out: Float64Array, Wt: Float64Array): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) Wt[j * m + i] = W[i * k + j];
  mulABt(Wt, At, k, m, n, out);
}

/** out (k x k) = H H^T for H k x n. */
function gram(H: Float64Array, k: number, n: number, out: Float64Array): void {
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      let s = 0;
      for (let u = 0; u < n; u++) s += H[a * n + u] * H[b * n + u];
      out[a * k + b] = out[b * k + a] = s;
    }
  }
}

/** out (k x k) = W^T W for W m x k. */
function gramCols(W: Float64Array, m: number, k: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < m; i++) for (let a = 0; a < k; a++) for (let b = a; b < k; b++) out[a * k + b] += W[i * k + a] * W[i * k + b];
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) out[a * k + b] = out[b * k + a];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
