// Seeded k-means (k-means++ start, Lloyd iterations) on row vectors: the clustering behind state extraction.
import { rng } from "../../util/rng.ts";

/** Squared distance between row i of X and row j of C (both with d columns). */
function dist2(X: Float64Array, i: number, C: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) {
    const v = X[i * d + k] - C[j * d + k];
    s += v * v;
  }
  return s;
}

/** Index of the nearest centre to each row of X. */
export function assign(X: Float64Array, n: number, d: number, C: Float64Array, k: number): Int32Array {
  const lab = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0, bd = Infinity;
    for (let j = 0; j < k; j++) {
      const v = dist2(X, i, C, j, d);
      if (v < bd) [best, bd] = [j, v];
    }
    lab[i] = best;
  }
  return lab;
}

/** k centres for n rows of X (row-major, d columns), seeded: the same input gives the same centres. */
export function kmeans(X: Float64Array, n: number, d: number, k: number, seed: number, iters = 25): { centres: Float64Array; labels: Int32Array; inertia: number } {
  const u = rng(seed);
  const C = new Float64Array(k * d);
  // k-means++: each new centre drawn with probability proportional to the squared distance to the nearest one.
  const first = Math.floor(u() * n);
  C.set(X.subarray(first * d, first * d + d), 0);
  const near = new Float64Array(n).fill(Infinity);
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      near[i] = Math.min(near[i], dist2(X, i, C, j - 1, d));
      total += near[i];
    }
    let r = u() * total, pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= near[i];
      if (r <= 0) { pick = i; break; }
    }
    C.set(X.subarray(pick * d, pick * d + d), j * d);
  }
  let labels = assign(X, n, d, C, k);
  for (let it = 0; it < iters; it++) {
    const sum = new Float64Array(k * d), cnt = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      cnt[labels[i]]++;
      for (let q = 0; q < d; q++) sum[labels[i] * d + q] += X[i * d + q];
    }
    for (let j = 0; j < k; j++) if (cnt[j]) for (let q = 0; q < d; q++) C[j * d + q] = sum[j * d + q] / cnt[j];
    const nl = assign(X, n, d, C, k);
    let changed = 0;
    for (let i = 0; i < n; i++) if (nl[i] !== labels[i]) changed++;
    labels = nl;
    if (!changed) break;
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += dist2(X, i, C, labels[i], d);
  return { centres: C, labels, inertia };
}
