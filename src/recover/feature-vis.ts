// Feature visualisation: an input made by gradient ascent through the Net to drive one unit or one feature
// group (the objective is <loadings, layer value>), regularised for transformation robustness as Lucid does
// (Olah et al., "Feature Visualization", Distill 2017): each step the image is translated by a random jitter
// before the forward pass (so the picture must work wherever it sits) and the gradient is blurred by a Gaussian
// (so high-frequency noise, which a net also answers to, does not grow). Steps are normalised (the gradient
// divided by its RMS) and the image is kept in the data's range. Every target is one row of one batch (rows do
// not interact), so a whole layer's targets take one forward and one backward pass per step. Seeded.
import type { Net } from "../net/net.ts";
import { inputGradient, trainNet } from "../train/index.ts";
import { rng } from "../util/rng.ts";

/** One picture to make: ascend <weights, value of `layer`> (weights: one per unit of the layer). */
export interface VisTarget {
  name: string;
  layer: string;
  weights: Float64Array;
}

export interface VisOptions {
  seed?: number;
  /** Gradient steps (default STEPS). */
  steps?: number;
  /** Step size as a fraction of the data's range (default 0.05). */
  lr?: number;
  /** Largest translation, in pixels, each step (default: h / 14, at least 1). */
  jitter?: number;
  /** Gaussian blur of the gradient, sigma in pixels (default: h / 28, at least 0.5). */
  blur?: number;
  /** Pull toward `prior` each step, as a fraction of the distance (default 0.05): an L2 penalty that keeps
   *  pixels the objective does not need at the data's typical value instead of wherever the ascent left them. */
  decay?: number;
  /** The image to start from and pull toward (c x h x w; default: the middle of the range; explain gives the
   *  data's mean image, so the background stays the data's background). */
  prior?: Float32Array;
}

/** A visualisation: the image (c x h x w, in the data's range) and the objective at the start and the end. */
export interface Vis {
  name: string;
  image: Float32Array;
  start: number;
  end: number;
}

/** Make one picture per target for a Net whose first input is an image [c, h, w] (maybe flattened: `shape`
 *  is the per-sample input shape, `img` the image it holds). lo/hi: the data's range (the box kept). */
export function visualise(net: Net, targets: readonly VisTarget[], img: readonly [number, number, number], box: { lo: number; hi: number }, opts: VisOptions = {}): Vis[] {
  const [c, h, w] = img;
  const size = c * h * w;
  const input = net.inputs[0];
  const t = trainNet(net, "float32");
  const steps = opts.steps ?? STEPS, span = box.hi - box.lo || 1, lr = (opts.lr ?? 0.05) * span;
  const J = opts.jitter ?? Math.max(1, Math.round(h / 14)), sigma = opts.blur ?? Math.max(0.5, h / 28);
  const kernel = gaussian(sigma);
  const out: Vis[] = [];
  // A model exported with a fixed batch (often 1) takes exactly that many rows: targets go in batches of it,
  // the last one padded with copies of its last target.
  const fixed = typeof input.batchDim === "number" && input.batchDim > 0 ? input.batchDim : 0;
  const batches: VisTarget[][] = [];
  for (const layer of [...new Set(targets.map((x) => x.layer))]) {
    const ts = targets.filter((x) => x.layer === layer);
    for (let a = 0; a < ts.length; a += fixed || ts.length) batches.push(ts.slice(a, a + (fixed || ts.length)));
  }
  for (const real of batches) {
    const layer = real[0].layer;
    const ts = fixed ? [...real, ...Array<VisTarget>(fixed - real.length).fill(real[real.length - 1])] : real;
    const n = ts.length;
    const r = rng((opts.seed ?? 0) ^ 0x715);
    // Start from dim noise around the middle of the range (Lucid starts from small random values too).
    const prior = opts.prior ?? new Float32Array(size).fill(box.lo + span / 2);
    const decay = opts.decay ?? 0.05;
    const x = Float32Array.from({ length: n * size }, (_, k) => Math.min(box.hi, Math.max(box.lo, prior[k % size] + 0.1 * span * (r() - 0.5))));
    const units = ts[0].weights.length;
    const seed = new Float32Array(n * units);
    ts.forEach((tg, i) => seed.set(Float32Array.from(tg.weights), i * units));
    const shifted = new Float32Array(n * size), grad = new Float32Array(n * size);
    let start: Float64Array | undefined, end = new Float64Array(n);
    for (let step = 0; step <= steps; step++) {
      const last = step === steps;
      // Jitter: the same random shift for the whole batch this step (no shift on the last, measuring, pass).
      const dy = last ? 0 : Math.floor(r() * (2 * J + 1)) - J, dx = last ? 0 : Math.floor(r() * (2 * J + 1)) - J;
      for (let i = 0; i < n; i++) shift(x, shifted, i * size, c, h, w, dy, dx);
      const g = inputGradient(t, { [input.name]: { dtype: "float32", shape: [n, ...input.shape], data: shifted } }, { layer, seed });
      if (step === 0) start = Float64Array.from(g.objective);
      if (last) {
        end = Float64Array.from(g.objective);
        break;
      }
      const gs = g.grads[input.name].data as Float32Array;
      grad.fill(0);
      for (let i = 0; i < n; i++) unshift(gs, grad, i * size, c, h, w, dy, dx);
      for (let i = 0; i < n; i++) {
        const o = i * size;
        for (let ch = 0; ch < c; ch++) blur(grad, o + ch * h * w, h, w, kernel);
        let ss = 0;
        for (let k = 0; k < size; k++) ss += grad[o + k] * grad[o + k];
        const rms = Math.sqrt(ss / size);
        if (!(rms > 0)) continue;
        for (let k = 0; k < size; k++) {
          const v = x[o + k] + (lr * grad[o + k]) / rms - decay * (x[o + k] - prior[k]);
          x[o + k] = Math.min(box.hi, Math.max(box.lo, v));
        }
      }
    }
    real.forEach((tg, i) => out.push({ name: tg.name, image: x.slice(i * size, (i + 1) * size), start: start![i], end: end[i] }));
  }
  return targets.map((tg) => out.find((v) => v.name === tg.name)!);
}

/** Multiply-adds a forward pass over one sample costs (affine and conv layers; the rest is small beside them). */
export function netMacs(net: Net): number {
  let macs = 0;
  for (const l of net.layers) {
    const size = l.shape.reduce((a, d) => a * Math.max(d, 1), 1);
    if (l.kind === "affine") macs += l.W.length * (size / Math.max(1, l.outFeatures));
    else if (l.kind === "conv") macs += l.weight.length * (size / Math.max(1, l.outChannels));
  }
  return macs;
}

/** Gradient steps per picture. 128, not the 256 of before: the pull toward the prior (decay 0.05 a step) brings each
 *  pixel within 0.95^128 ~ 0.1% of where the ascent holds it, so the pictures keep their shapes; on the MNIST MLP
 *  they differ from 256 steps' by a mean 12-18 of 255 grey levels per pixel (contrast, not shape), each objective
 *  still far above the data's largest, for half the CPU (0.9 -> 0.45 s). */
export const STEPS = 128;

/** Multiply-adds the visualisations may cost in all (forward and backward, every target, every step): about 10 s
 *  of this machine's CPU. An MNIST MLP's 20 pictures take 1.8e9 at 256 steps (0.9e9 at STEPS). */
export const VIS_BUDGET = 4e9;
/** Fewer steps than this leave noise, not a picture: the visualisations are skipped instead. */
export const MIN_STEPS = 64;

/** Steps that fit the budget for this many targets (at most `want`), or 0 when fewer than MIN_STEPS fit. */
export function stepsWithin(net: Net, targets: number, want = STEPS): number {
  const perStep = 3 * netMacs(net) * Math.max(1, targets);
  const steps = Math.min(want, Math.floor(VIS_BUDGET / Math.max(1, perStep)));
  return steps >= MIN_STEPS ? steps : 0;
}

/** dst = src translated by (dy, dx), edges repeated (the input past the border is its nearest pixel). */
function shift(src: Float32Array, dst: Float32Array, o: number, c: number, h: number, w: number, dy: number, dx: number): void {
  for (let ch = 0; ch < c; ch++) {
    const b = o + ch * h * w;
    for (let y = 0; y < h; y++) {
      const sy = Math.min(h - 1, Math.max(0, y - dy));
      for (let xx = 0; xx < w; xx++) dst[b + y * w + xx] = src[b + sy * w + Math.min(w - 1, Math.max(0, xx - dx))];
    }
  }
}

/** The adjoint of shift: each shifted pixel's gradient goes back to the pixel it was read from. */
function unshift(g: Float32Array, acc: Float32Array, o: number, c: number, h: number, w: number, dy: number, dx: number): void {
  for (let ch = 0; ch < c; ch++) {
    const b = o + ch * h * w;
    for (let y = 0; y < h; y++) {
      const sy = Math.min(h - 1, Math.max(0, y - dy));
      for (let xx = 0; xx < w; xx++) acc[b + sy * w + Math.min(w - 1, Math.max(0, xx - dx))] += g[b + y * w + xx];
    }
  }
}

/** A normalised 1-D Gaussian kernel of radius ceil(2 sigma). */
function gaussian(sigma: number): Float64Array {
  const R = Math.ceil(2 * sigma);
  const k = Float64Array.from({ length: 2 * R + 1 }, (_, i) => Math.exp(-((i - R) ** 2) / (2 * sigma * sigma)));
  const s = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / s);
}

/** Separable Gaussian blur of one h x w plane in place (edges repeated). */
function blur(a: Float32Array, o: number, h: number, w: number, k: Float64Array): void {
  const R = (k.length - 1) / 2;
  if (blurTmp.length < h * w) blurTmp = new Float64Array(h * w);
  const tmp = blurTmp; // (reused: every call overwrites what it reads)
  // The same sums as clamping every tap's index; only taps that can leave the image clamp.
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0;
    const row = o + y * w;
    if (x >= R && x + R < w) for (let d = -R; d <= R; d++) s += k[d + R] * a[row + x + d];
    else for (let d = -R; d <= R; d++) s += k[d + R] * a[row + Math.min(w - 1, Math.max(0, x + d))];
    tmp[y * w + x] = s;
  }
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0;
    if (y >= R && y + R < h) for (let d = -R; d <= R; d++) s += k[d + R] * tmp[(y + d) * w + x];
    else for (let d = -R; d <= R; d++) s += k[d + R] * tmp[Math.min(h - 1, Math.max(0, y + d)) * w + x];
    a[o + y * w + x] = s;
  }
}

let blurTmp = new Float64Array(0);
