// The rows refine learns from and measures on. explain's split first (splitData: the same held-out rows explain
// measures fidelity on; they never drive a choice), then a seeded validation part of the analysis rows, which
// decides when to stop; the rest trains. Training batches mix real rows with inputs sampled around the data:
// each row plus gaussian noise, and mixtures of two rows, both clipped to the range each input feature takes; when the
// input is a declared image ([c, h, w]), two small random affine warps of the row instead (warp.ts); for classifiers
// with the boundary option, also points on the original's decision boundary drawn from a pool (boundary.ts).
import type { Tensor } from "../graph/tensor.ts";
import { sizeOf } from "../graph/tensor.ts";
import { splitData } from "../pipeline/domain.ts";
import { UserError } from "../errors.ts";
import { randn, rng } from "../util/rng.ts";
import { randomWarp, warpImage } from "./warp.ts";
import { drawBoundary } from "./boundary.ts";

/** Rows of one part, flat [n, ...rowShape]. */
export interface Rows {
  x: Float32Array;
  n: number;
}

export interface RefineData {
  rowShape: number[];
  rowSize: number;
  train: Rows;
  validation: Rows;
  heldOut: Rows;
  /** Per input feature over the training rows: range (for clipping samples) and standard deviation (noise scale). */
  lo: Float32Array;
  hi: Float32Array;
  std: Float32Array;
  /** A declared image row ([c, h, w], h and w at least 8): rows sampled around the data are warps of it. */
  image?: { c: number; h: number; w: number };
  note: string;
}

const toF32 = (t: Tensor): Float32Array => (t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>));

/** Split data (batch-first) into training, validation and held-out rows. */
export function refineData(x: Tensor, holdout: number, validation: number, seed: number): RefineData {
  if (x.shape.length < 1 || x.shape[0] < 10) throw new UserError(`refine needs at least 10 rows of data (got ${x.shape[0] ?? 0})`);
  const rowShape = x.shape.slice(1), rowSize = sizeOf(rowShape);
  const outer = splitData([x], holdout, seed);
  const inner = splitData(outer.analysis, validation, seed + 1);
  const part = (t: Tensor): Rows => ({ x: toF32(t), n: t.shape[0] });
  const train = part(inner.analysis[0]);
  const lo = new Float32Array(rowSize).fill(Infinity), hi = new Float32Array(rowSize).fill(-Infinity);
  const sum = new Float64Array(rowSize), sq = new Float64Array(rowSize);
  for (let r = 0; r < train.n; r++) {
    for (let i = 0; i < rowSize; i++) {
      const v = train.x[r * rowSize + i];
      lo[i] = Math.min(lo[i], v);
      hi[i] = Math.max(hi[i], v);
      sum[i] += v;
      sq[i] += v * v;
    }
  }
  const std = Float32Array.from(sum, (s, i) => Math.sqrt(Math.max(0, sq[i] / train.n - (s / train.n) ** 2)));
  const image = rowShape.length === 3 && rowShape[1] >= 8 && rowShape[2] >= 8 ? { c: rowShape[0], h: rowShape[1], w: rowShape[2] } : undefined;
  const data = { rowShape, rowSize, train, validation: part(inner.heldOut[0]), heldOut: part(outer.heldOut[0]), lo, hi, std, ...(image ? { image } : {}) };
  const around = image ? "sampled rows: warps of image rows" : "sampled rows: noisy copies and mixtures";
  return { ...data, note: `${train.n} training rows, ${data.validation.n} validation rows (choose when to stop), ${data.heldOut.n} held-out rows (reported only; explain's split, seed ${seed}); ${around}` };
}

/** A training batch: `real` shuffled training rows, then as many noisy copies of rows and as many mixtures of two rows. */
export class BatchSampler {
  private readonly u: () => number;
  private order: Int32Array;
  private at = 0;

  /** boundary: points on the original's decision boundary (boundary.ts), drawn with fresh noise into each batch. */
  constructor(private readonly d: RefineData, seed: number, private readonly boundary?: Rows) {
    this.u = rng(seed ^ 0xba7c4);
    this.order = Int32Array.from({ length: d.train.n }, (_, i) => i);
    this.shuffle();
  }

  /** Batches per epoch at `real` real rows each. */
  batches(real: number): number {
    return Math.ceil(this.d.train.n / real);
  }

  /** The next batch: [real rows | noisy rows | mixtures], each part `real` rows (fewer at an epoch's end), the
   *  sampled parts as many as `around` says (0: real rows only, 1: and noisy copies, 2: and mixtures; image rows:
   *  that many warps), then `boundary` x as many boundary rows (when the sampler has a pool); `rows` are the
   *  training-row indices of the real part. */
  next(real: number, around = 2, boundary = 0): { x: Float32Array; n: number; rows: number[]; boundary: number } {
    const { d, u } = this;
    const take = Math.min(real, d.train.n - this.at);
    const rows = Array.from(this.order.subarray(this.at, this.at + take));
    this.at += take;
    if (this.at >= d.train.n) {
      this.at = 0;
      this.shuffle();
    }
    const nb = this.boundary?.n ? Math.round(boundary * take) : 0;
    const s = d.rowSize, n = (1 + around) * take + nb;
    const x = new Float32Array(n * s);
    const src = d.train.x;
    rows.forEach((r, k) => x.set(src.subarray(r * s, (r + 1) * s), k * s));
    const img = d.image;
    for (let k = 0; k < take && around > 0 && img; k++) {
      // Around an image row: independent small warps of it (warp.ts), out-of-image pixels at the data's minimum.
      const r = rows[k];
      for (let part = 1; part <= around; part++) warpImage(src.subarray(r * s, (r + 1) * s), x.subarray((part * take + k) * s, (part * take + k + 1) * s), img.c, img.h, img.w, randomWarp(u), d.lo);
    }
    for (let k = 0; k < take && around > 0 && !img; k++) {
      // Around a row: noise of 0.1 to 0.5 standard deviations per feature.
      const r = rows[k], scale = 0.1 + 0.4 * u();
      const o = (take + k) * s;
      for (let i = 0; i < s; i++) x[o + i] = clip(src[r * s + i] + scale * d.std[i] * randn(u), d.lo[i], d.hi[i]);
      if (around < 2) continue;
      // Between two rows: a convex mixture (mostly of the first row).
      const r2 = Math.floor(u() * d.train.n), lam = 0.5 + 0.5 * u();
      const o2 = (2 * take + k) * s;
      for (let i = 0; i < s; i++) x[o2 + i] = lam * src[r * s + i] + (1 - lam) * src[r2 * s + i];
    }
    if (nb) drawBoundary(this.boundary!, d, nb, u, x.subarray((1 + around) * take * s));
    return { x, n, rows, boundary: nb };
  }

  private shuffle(): void {
    const o = this.order;
    for (let i = o.length - 1; i > 0; i--) {
      const j = Math.floor(this.u() * (i + 1));
      [o[i], o[j]] = [o[j], o[i]];
    }
  }
}

const clip = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);
