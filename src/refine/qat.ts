// Quantisation-aware training: the forward pass runs on weights rounded to a symmetric uniform grid of 2^bits - 1
// levels per layer (step = max |w| / (2^(bits-1) - 1)), the gradient passes straight through the rounding to
// the float weights (the straight-through estimator: Bengio, Leonard & Courville 2013; as in Jacob et al.,
// "Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only Inference", CVPR 2018).
// Biases stay float. The refined net is written with its weights on the grid.
import type { FArr, LayerParams, TrainNet } from "../train/types.ts";

/** The grid step of a weight array at `bits` bits. */
export function gridStep(w: FArr, bits: number): number {
  let m = 0;
  for (let i = 0; i < w.length; i++) m = Math.max(m, Math.abs(w[i]));
  return m / (2 ** (bits - 1) - 1) || 1;
}

/** A TrainNet sharing t's structure whose weights are t's rounded to the grid (zeros stay zero). */
export function quantised(t: TrainNet, bits: number): TrainNet {
  const params = new Map<string, LayerParams>();
  for (const [id, p] of t.params) {
    const step = gridStep(p.w, bits);
    const w = p.w.slice();
    for (let i = 0; i < w.length; i++) w[i] = Math.round(w[i] / step) * step;
    params.set(id, { w, b: p.b });
  }
  return { net: t.net, precision: t.precision, params };
}

/** Distinct non-zero levels used per weight, as bits (log2 of levels + 1 for zero), averaged over layers by weight count. */
export function meanLevelBits(t: TrainNet): number {
  let bits = 0, n = 0;
  for (const p of t.params.values()) {
    const levels = new Set<number>();
    for (const v of p.w) if (v !== 0) levels.add(v);
    bits += Math.log2(levels.size + 1) * p.w.length;
    n += p.w.length;
  }
  return n ? bits / n : 0;
}
