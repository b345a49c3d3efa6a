// Pruning with rewinding: the lottery-ticket procedure (Frankle & Carbin, "The Lottery Ticket Hypothesis",
// ICLR 2019): train, remove the smallest-magnitude fraction of each layer's remaining weights (the output layer at
// half the rate, as they do), rewind, train again. Rewinding either resets the survivors' weights to an early point
// (Frankle & Carbin; Frankle, Dziugaite, Roy & Carbin, "Stabilizing the Lottery Ticket Hypothesis", 2019: here the
// original's weights, already trained) or keeps them and restarts the learning-rate schedule (Renda, Frankle &
// Carbin, "Comparing Rewinding and Fine-tuning in Neural Network Pruning", ICLR 2020), refine's default.
// Masks hold which weights live; biases are never pruned. The criterion is plain |w|: scaling |w| by the RMS of its
// input on the training rows (simplify's prune-weights ranking) measured worse on the MNIST MLP (one-shot at 64%: 19
// validation disagreements against 12), and pruning first the weights whose input was zero on the sampled training
// rows cost rare pixels that held-out digits use (max logit error 4 against 0.4 after one round).
import type { FArr, TrainNet } from "../train/types.ts";

/** Per trainable layer: 1 where the weight lives. */
export type Masks = Map<string, Uint8Array>;

/** Every weight alive, except those already exactly zero. */
export function initialMasks(t: TrainNet): Masks {
  const m: Masks = new Map();
  for (const [id, p] of t.params) m.set(id, Uint8Array.from(p.w, (v) => (v !== 0 ? 1 : 0)));
  return m;
}

/** Zero the dead weights (after an update) or their gradients (before one). */
export function applyMasks(t: TrainNet | Map<string, { w: FArr }>, masks: Masks): void {
  const params = "params" in t ? t.params : t;
  for (const [id, p] of params) {
    const m = masks.get(id);
    if (!m) continue;
    for (let i = 0; i < m.length; i++) if (!m[i]) p.w[i] = 0;
  }
}

/** Mark dead every live weight that is exactly zero (a proximal step set it there), only where `only` marks 1 when given. */
export function killZeros(t: TrainNet, masks: Masks, only?: Map<string, Uint8Array>): void {
  for (const [id, p] of t.params) {
    const m = masks.get(id), o = only?.get(id);
    if (!m || (only && !o)) continue;
    for (let i = 0; i < m.length; i++) if (p.w[i] === 0 && (!o || o[i])) m[i] = 0;
  }
}

/** Live weights under the masks. */
export function liveWeights(masks: Masks): number {
  let n = 0;
  for (const m of masks.values()) for (let i = 0; i < m.length; i++) n += m[i];
  return n;
}

/** The two pools pruning ranks within: the hidden layers (one global threshold) and the output layer (half the rate). */
function prunePools(ids: readonly string[], outputLayer: string, rate: number): { ids: string[]; rate: number }[] {
  return [
    { ids: ids.filter((id) => id !== outputLayer), rate },
    { ids: [outputLayer], rate: rate / 2 },
  ];
}

/** Live weights of each pool (hidden layers, output layer) under the masks. */
export function poolCounts(masks: Masks, outputLayer: string): [number, number] {
  const c: [number, number] = [0, 0];
  for (const [id, m] of masks) for (let i = 0; i < m.length; i++) c[id === outputLayer ? 1 : 0] += m[i];
  return c;
}

/** Live weights each pool keeps after step j of a round's P pruning steps, from `start` (its live weights at the
 *  round's start) and the round's rate (the output pool at half of it). The steps follow the geometric schedule
 *  (each removes the same fraction of what is left) but are rounded on the round's total, which is
 *  round(rate x start) and at least one weight while a pool has more than one per layer: rounding each step on its
 *  own stalls small pools (16 hidden weights of max2_trained at 3.5% a step lost one weight twice, then
 *  round(0.965 x 14) = 14 for ever). */
export function roundTargets(start: readonly [number, number], layers: readonly [number, number], rate: number, j: number, P: number): [number, number] {
  return start.map((s, p) => {
    const r = p === 0 ? rate : rate / 2;
    if (s <= layers[p] || r <= 0) return s;
    const total = Math.max(1, Math.round(r * s)), frac = (1 - (1 - r) ** (j / P)) / r;
    return Math.max(layers[p], s - Math.round(total * Math.min(1, frac)));
  }) as [number, number];
}

/** Remove the smallest-magnitude `rate` of the live weights: one global threshold over the hidden layers (Frankle
 *  et al. 2019 prune globally beyond the smallest nets; it prunes most where weights are smallest, e.g. the many
 *  pixel weights of a first layer), half the rate in the output layer, kept apart as Frankle & Carbin do; or, given
 *  `keep`, down to that many live weights in each pool (hidden, output: roundTargets). Weights a proximal step
 *  already put at zero die first. Every layer keeps at least one weight. Returns new masks. */
export function magnitudePrune(t: TrainNet, masks: Masks, rate: number, outputLayer: string, rms?: ReadonlyMap<string, (i: number) => number>, keep?: readonly [number, number]): Masks {
  const out: Masks = new Map();
  const pools = prunePools([...t.params.keys()], outputLayer, rate);
  for (const [p, pool] of pools.entries()) {
    let before = 0;
    const live: [string, number, number][] = [];
    for (const id of pool.ids) {
      const p = t.params.get(id)!, m = Uint8Array.from(masks.get(id)!);
      for (let i = 0; i < m.length; i++) {
        if (!m[i]) continue;
        before++;
        if (p.w[i] === 0) m[i] = 0;
        else live.push([id, i, Math.abs(p.w[i]) * (rms?.get(id)?.(i) ?? 1)]);
      }
      out.set(id, m);
    }
    const target = Math.max(pool.ids.length, keep ? keep[p] : Math.round((1 - pool.rate) * before));
    if (live.length <= target) continue;
    live.sort((a, b) => a[2] - b[2] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    const left = new Map(pool.ids.map((id) => [id, 0]));
    for (const [id] of live) left.set(id, left.get(id)! + 1);
    for (let k = 0, dropped = 0; k < live.length && dropped < live.length - target; k++) {
      const [id, i] = live[k];
      if (left.get(id)! <= 1) continue;
      out.get(id)![i] = 0;
      left.set(id, left.get(id)! - 1);
      dropped++;
    }
  }
  return out;
}

/** Rewind: set every parameter to its value in `snapshot`, then zero the dead weights. */
export function rewind(t: TrainNet, snapshot: TrainNet, masks: Masks): void {
  for (const [id, p] of t.params) {
    const s = snapshot.params.get(id)!;
    p.w.set(s.w);
    p.b.set(s.b);
  }
  applyMasks(t, masks);
}

/** Per trainable layer: weight index -> RMS of the input that weight reads, over the given rows. */
export function inputRms(t: TrainNet, values: ReadonlyMap<string, Float32Array | Float64Array>, n: number): Map<string, (i: number) => number> {
  const out = new Map<string, (i: number) => number>();
  for (const l of t.net.layers) {
    if (l.kind !== "affine" && l.kind !== "conv") continue;
    const x = values.get(l.inputs[0]);
    if (!x) continue;
    if (l.kind === "affine") {
      const f = l.inFeatures, ss = new Float64Array(f);
      for (let i = 0; i < x.length; i++) ss[i % f] += x[i] * x[i];
      const rows = x.length / f;
      const r = Float64Array.from(ss, (v) => Math.sqrt(v / rows));
      out.set(l.id, (i) => r[i % f]);
    } else {
      const c = l.inChannels, plane = x.length / (n * c), ss = new Float64Array(c);
      for (let i = 0; i < x.length; i++) ss[Math.floor(i / plane) % c] += x[i] * x[i];
      const r = Float64Array.from(ss, (v) => Math.sqrt(v / (n * plane)));
      const cg = c / l.groups, mg = l.outChannels / l.groups, per = l.weight.length / l.outChannels, k = per / cg;
      out.set(l.id, (i) => r[Math.floor(Math.floor(i / per) / mg) * cg + Math.floor((i % per) / k)]);
    }
  }
  return out;
}
