// Spectral clustering by normalised cut (Shi & Malik; Ng, Jordan & Weiss): the few smallest eigenvectors of the
// normalised Laplacian I - D^-1/2 A D^-1/2 (= the largest of D^-1/2 A D^-1/2, by Lanczos), the number of
// clusters from the largest eigengap, then k-means on the embedding D^-1/2 U (seeded k-means++).
import { rng } from "../util/rng.ts";
import { csrMul, lanczosBasis, lanczosSteps, ritzPairs, type Csr, type LanczosBasis } from "./eigen.ts";

export interface SpectralResult {
  /** Cluster of each node, 0..k-1. */
  labels: Int32Array;
  k: number;
  /** The smallest Laplacian eigenvalues found, ascending (lambda_1 = 0 for a connected graph). */
  eigenvalues: number[];
  /** Normalised cut of the partition: sum over clusters of cut(c, rest) / vol(c). */
  ncut: number;
}

/** Normalised cut of a labelling of a graph. */
export function normalizedCut(a: Csr, labels: Int32Array, k: number): number {
  const cut = new Float64Array(k), vol = new Float64Array(k);
  for (let i = 0; i < a.n; i++) {
    for (let p = a.rowStart[i]; p < a.rowStart[i + 1]; p++) {
      vol[labels[i]] += a.val[p];
      if (labels[a.col[p]] !== labels[i]) cut[labels[i]] += a.val[p];
    }
  }
  let s = 0;
  for (let c = 0; c < k; c++) if (vol[c] > 0) s += cut[c] / vol[c];
  return s;
}

/** k-means (k-means++ start, Lloyd iterations) on row vectors; the best of a few seeded restarts by inertia.
 *  (Plain loops: the same sums in the same order as the closures they replaced, without their allocations.) */
export function kmeans(rows: Float64Array[], k: number, seed = 1, restarts = 4): Int32Array {
  const n = rows.length, d = rows[0]?.length ?? 0;
  // (t * t is t ** 2 to the bit: both are the correctly rounded square.)
  const dist = (a: Float64Array, b: Float64Array) => { let s = 0; for (let i = 0; i < d; i++) { const t = a[i] - b[i]; s += t * t; } return s; };
  // up < low by more than rounding can blur (each bound is a few sums of roundings of distances of this size).
  const sure = (up: number, low: number) => up + 1e-9 * (up + low) < low;
  let best = new Int32Array(n), bestInertia = Infinity;
  const u = rng(seed);
  const dd = new Float64Array(n), up = new Float64Array(n), low = new Float64Array(n), shift = new Float64Array(k);
  for (let r = 0; r < restarts; r++) {
    const cents: Float64Array[] = [Float64Array.from(rows[Math.floor(u() * n)])];
    // dd[i]: the distance from row i to its nearest centre so far (the min of the same values, taken as they come).
    for (let i = 0; i < n; i++) dd[i] = dist(rows[i], cents[0]);
    while (cents.length < k) {
      let tot = 0;
      for (let i = 0; i < n; i++) tot += dd[i];
      let t = u() * tot, i = 0;
      while (i < n - 1 && (t -= dd[i]) > 0) i++;
      const c = Float64Array.from(rows[i]);
      cents.push(c);
      if (cents.length < k) for (let q = 0; q < n; q++) dd[q] = Math.min(dd[q], dist(rows[q], c));
    }
    const lab = new Int32Array(n);
    // Hamerly's bounds (2010), used only to skip work whose outcome is known: up[i] >= the distance from row i to
    // its centre, low[i] <= its distance to every other centre (both as distances, not squares). While
    // up[i] < low[i] (with a margin for rounding) the centre is strictly the nearest, so the scan over the centres,
    // which takes the first strictly smallest, would keep it: the labels are those of scanning every row.
    up.fill(Infinity);
    low.fill(0);
    for (let it = 0; it < 50; it++) {
      let moved = false;
      for (let i = 0; i < n; i++) {
        if (sure(up[i], low[i])) continue;
        const x = rows[i];
        // The distance to the centre, exactly; then whether it can still be the nearest.
        up[i] = Math.sqrt(dist(x, cents[lab[i]]));
        if (it > 0 && sure(up[i], low[i])) continue;
        // The full scan, every distance in full (the first strictly smallest is the label the scan always gave; the
        // second-smallest is the new lower bound).
        let bi = 0, bd = Infinity, second = Infinity;
        for (let j = 0; j < cents.length; j++) {
          const v = dist(x, cents[j]);
          if (v < bd) { second = bd; bd = v; bi = j; } else if (v < second) second = v;
        }
        up[i] = Math.sqrt(bd);
        low[i] = Math.sqrt(second);
        if (lab[i] !== bi || it === 0) { moved = moved || lab[i] !== bi; lab[i] = bi; }
      }
      let most = 0;
      for (let j = 0; j < k; j++) {
        const m = new Float64Array(d);
        let cnt = 0;
        for (let i = 0; i < n; i++) if (lab[i] === j) { cnt++; const x = rows[i]; for (let q = 0; q < d; q++) m[q] += x[q]; }
        if (cnt) {
          const c = m.map((v) => v / cnt);
          shift[j] = Math.sqrt(dist(cents[j], c));
          cents[j] = c;
        } else shift[j] = 0;
        most = Math.max(most, shift[j]);
      }
      // Each centre moved by shift[j]: the row's own distance grows by at most its centre's shift, the others'
      // shrink by at most the largest shift (the triangle inequality).
      for (let i = 0; i < n; i++) { up[i] += shift[lab[i]]; low[i] -= most; }
      if (!moved && it > 0) break;
    }
    let inertia = 0;
    for (let i = 0; i < n; i++) inertia += dist(rows[i], cents[lab[i]]);
    if (inertia < bestInertia - 1e-12) { bestInertia = inertia; best = lab; }
  }
  return best;
}

/** Lanczos bases already built, per graph object, seed and steps: a caller that asks the same graph for another
 *  k (clusterability: the eigengap's k, then k = 12) reuses the basis (the same arithmetic, so the same bits). */
const bases = new WeakMap<Csr, Map<string, LanczosBasis>>();

function basisOf(a: Csr, mul: (x: Float64Array, y: Float64Array) => void, m: number, seed: number): LanczosBasis {
  let per = bases.get(a);
  if (!per) bases.set(a, (per = new Map()));
  const key = `${seed}:${m}`;
  let b = per.get(key);
  if (!b) per.set(key, (b = lanczosBasis(a.n, mul, m, seed)));
  return b;
}

/** Cluster a connected graph; k from the largest gap among the first kMax + 1 Laplacian eigenvalues (or `k`). */
export function spectralClusters(a: Csr, opts: { kMax?: number; k?: number; seed?: number } = {}): SpectralResult {
  const n = a.n;
  const kMax = Math.min(opts.kMax ?? 8, n - 1);
  const deg = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let p = a.rowStart[i]; p < a.rowStart[i + 1]; p++) deg[i] += a.val[p];
  const inv = deg.map((x) => (x > 0 ? 1 / Math.sqrt(x) : 0));
  const tmp = new Float64Array(n);
  const mul = (x: Float64Array, y: Float64Array) => {
    for (let i = 0; i < n; i++) tmp[i] = x[i] * inv[i];
    csrMul(a, tmp, y);
    for (let i = 0; i < n; i++) y[i] *= inv[i];
  };
  const want = Math.min(Math.max(opts.k ?? 0, kMax) + 1, n);
  const e = ritzPairs(basisOf(a, mul, lanczosSteps(n, want), opts.seed ?? 1), want);
  const lambdas = e.values.map((m) => 1 - m);
  let k = opts.k ?? 1;
  if (opts.k === undefined) {
    let gap = -Infinity;
    for (let j = 1; j <= Math.min(kMax, lambdas.length - 1); j++) {
      const g = lambdas[j] - lambdas[j - 1];
      if (g > gap) { gap = g; k = j; }
    }
  }
  if (k <= 1) return { labels: new Int32Array(n), k: 1, eigenvalues: lambdas, ncut: 0 };
  // Shi-Malik embedding: the generalised eigenvectors D^-1/2 u (the relaxed indicator vectors of the n-cut).
  const rows = Array.from({ length: n }, (_, i) => Float64Array.from(e.vectors.slice(0, k), (v) => v[i] * inv[i]));
  const labels = kmeans(rows, k, opts.seed ?? 1);
  return { labels, k, eigenvalues: lambdas, ncut: normalizedCut(a, labels, k) };
}
