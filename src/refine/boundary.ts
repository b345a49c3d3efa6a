// Boundary-supporting rows: points on the original classifier's decision boundary, for the rows refine samples
// around the data. A refined copy is judged by its top-1 decisions, and the decisions it gets wrong are those of
// rows near the original's boundary; distilling on points of that boundary teaches the student where it lies (Heo,
// Lee, Yun & Choi, "Knowledge Distillation with Adversarial Samples Supporting Decision Boundary", AAAI 2019, who
// reach it by an adversarial attack). Here no gradient is needed: take two training rows (for image inputs, warps of
// them, warp.ts) that the original assigns different top-1 classes, and bisect the segment between them until the
// original's top-1 changes within 2^-12 of it; the pool is built once from the original (which never changes),
// and each draw from it gets fresh noise of 0.02 x each feature's range, clipped to that range.
import { randn, rng } from "../util/rng.ts";
import type { TrainNet } from "../train/types.ts";
import { valuesOn } from "./distil.ts";
import type { RefineData, Rows } from "./data.ts";
import { randomWarp, warpImage } from "./warp.ts";

/** Bisection steps along each segment (the point is within 2^-STEPS of the segment's length from the boundary). */
const STEPS = 12;
/** Noise added to each draw from the pool, as a fraction of each feature's range over the training rows. */
export const BOUNDARY_NOISE = 0.02;

/** Top-1 class of each row of [n, k] scores (first maximum). */
function top1(y: Float32Array, k: number): Int32Array {
  const n = y.length / k, c = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let a = 0;
    for (let j = 1; j < k; j++) if (y[r * k + j] > y[r * k + a]) a = j;
    c[r] = a;
  }
  return c;
}

/** `count` points on the teacher's top-1 boundary (layer L holds its class scores), each bisected between two
 *  training rows (warped, for images) of different top-1 class. Fewer when the teacher gives every row one class. */
export function boundaryPool(teacher: TrainNet, L: string, d: RefineData, count: number, seed: number): Rows {
  const u = rng(seed ^ 0xb5d5);
  const s = d.rowSize, out = new Float32Array(count * s);
  let got = 0;
  const chunk = 1024;
  for (let attempt = 0; got < count && attempt < 8 + (4 * count) / chunk; attempt++) {
    // A chunk of candidate pairs (a, b).
    const a = new Float32Array(chunk * s), b = new Float32Array(chunk * s);
    for (let i = 0; i < chunk; i++) {
      for (const dst of [a, b]) {
        const r = Math.floor(u() * d.train.n), src = d.train.x.subarray(r * s, (r + 1) * s), to = dst.subarray(i * s, (i + 1) * s);
        if (d.image) warpImage(src, to, d.image.c, d.image.h, d.image.w, randomWarp(u), d.lo);
        else to.set(src);
      }
    }
    const ya = valuesOn(teacher, L, a, chunk), k = ya.length / chunk;
    const ca = top1(ya, k), cb = top1(valuesOn(teacher, L, b, chunk), k);
    const keep: number[] = [];
    for (let i = 0; i < chunk && got + keep.length < count; i++) if (ca[i] !== cb[i]) keep.push(i);
    if (!keep.length) continue;
    // Bisect all kept segments together: lo stays on a's side of the boundary, hi on the other.
    const m = keep.length, lo = new Float64Array(m), hi = new Float64Array(m).fill(1), x = new Float32Array(m * s);
    const at = (t: Float64Array | number[]) => {
      for (let j = 0; j < m; j++) {
        const ia = keep[j] * s, o = j * s;
        for (let f = 0; f < s; f++) x[o + f] = a[ia + f] + t[j] * (b[ia + f] - a[ia + f]);
      }
    };
    for (let step = 0; step < STEPS; step++) {
      const mid = Array.from(lo, (v, j) => (v + hi[j]) / 2);
      at(mid);
      const c = top1(valuesOn(teacher, L, x, m), k);
      for (let j = 0; j < m; j++) {
        if (c[j] === ca[keep[j]]) lo[j] = mid[j];
        else hi[j] = mid[j];
      }
    }
    at(Array.from(lo, (v, j) => (v + hi[j]) / 2));
    out.set(x, got * s);
    got += m;
  }
  return { x: out.subarray(0, got * s), n: got };
}

/** Write `n` draws from the pool, each with fresh noise (BOUNDARY_NOISE x the feature's range, clipped to it), into dst. */
export function drawBoundary(pool: Rows, d: RefineData, n: number, u: () => number, dst: Float32Array): void {
  const s = d.rowSize;
  for (let k = 0; k < n; k++) {
    const r = Math.floor(u() * pool.n), o = k * s;
    for (let i = 0; i < s; i++) {
      const v = pool.x[r * s + i] + BOUNDARY_NOISE * (d.hi[i] - d.lo[i]) * randn(u);
      dst[o + i] = v < d.lo[i] ? d.lo[i] : v > d.hi[i] ? d.hi[i] : v;
    }
  }
}
