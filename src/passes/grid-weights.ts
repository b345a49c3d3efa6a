// Putting the weights of the dense and conv layers on a grid (shared by round-weights and quantize): snap every
// weight and bias of chosen layers to multiples of a per-layer step, search the coarsest steps within budget,
// and count the bits per weight the grid needs.
import type { Layer, Net } from "../net/net.ts";
import type { SimplifyState } from "./simplify.ts";
import { budgetRows, describe, fits, measure, smallestPassing, tooFewRows, type Measure } from "./budget.ts";

export type Weighted = Layer & ({ kind: "affine" } | { kind: "conv" });

/** Layers with weights to snap. */
export function weighted(net: Net): Weighted[] {
  return net.layers.filter((l): l is Weighted => l.kind === "affine" || l.kind === "conv");
}

/** A layer's weights and bias. */
export function params(l: Weighted): { w: Float32Array; b: Float32Array } {
  return l.kind === "affine" ? { w: l.W, b: l.b } : { w: l.weight, b: l.bias };
}

/** Snapped layers already made, per layer and step: the same snap is the same object, so a search's next
 *  candidate re-runs only the layers it changed (budget.ts measure). */
const snapped = new WeakMap<Weighted, Map<number, Weighted>>();

/** The layer with weights and bias snapped to multiples of `step` (0 keeps it as is). */
export function snapLayer(l: Weighted, step: number): Weighted {
  if (!(step > 0)) return l;
  let m = snapped.get(l);
  if (!m) snapped.set(l, (m = new Map()));
  const hit = m.get(step);
  if (hit) return hit;
  const out = snapOnce(l, step);
  m.set(step, out);
  return out;
}

function snapOnce(l: Weighted, step: number): Weighted {
  // (A loop, not Float32Array.from with a map function: the same values at a fraction of the cost.)
  const snap = (a: Float32Array) => {
    const out = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = Math.round(a[i] / step) * step;
    return out;
  };
  const { w, b } = params(l);
  return l.kind === "affine" ? { ...l, W: snap(w), b: snap(b) } : { ...l, weight: snap(w), bias: snap(b) };
}

/** The net with each weighted layer snapped to its step (by layer id; missing: unchanged). */
export function snapNet(net: Net, steps: ReadonlyMap<string, number>): Net {
  return { ...net, layers: net.layers.map((l) => (l.kind === "affine" || l.kind === "conv") && steps.has(l.id) ? snapLayer(l, steps.get(l.id)!) : l) };
}

/** Bits a weight of this layer needs: log2 of the number of grid levels its non-zero weights span (rounded up);
 *  32 when they are not on a grid of at most 2^16 levels. */
export function bitsPerWeight(l: Weighted): number {
  const { w } = params(l);
  const vals = new Set<number>();
  for (const v of w) {
    if (v !== 0) vals.add(v);
    if (vals.size > 65536) return 32;
  }
  return Math.max(1, Math.ceil(Math.log2(vals.size + 1)));
}

/** Mean bits per non-zero weight over the net's weighted layers. */
export function meanBits(net: Net): number {
  let bits = 0, n = 0;
  for (const l of weighted(net)) {
    const { w } = params(l);
    let nz = 0;
    for (const v of w) if (v !== 0) nz++;
    bits += bitsPerWeight(l) * nz;
    n += nz;
  }
  return n ? bits / n : 0;
}

/** What a grid search chose. */
export interface GridChoice { net: Net; steps: Map<string, number>; measure: Measure; tried: number; note: string }

/** Search per-layer grids: one option index for every layer first (options run coarse to fine; index
 *  options.length means unchanged), then each layer alone one or two options coarser while still within budget. */
export function searchGrid(s: SimplifyState, share: number, options: (l: Weighted) => number[]): GridChoice {
  const rows = budgetRows(s);
  const few = tooFewRows(s, rows, share);
  if (few) return { net: s.net, steps: new Map(), measure: { maxAbsErr: 0, disagree: 0, rows: 0 }, tried: 0, note: few };
  const layers = weighted(s.net);
  const opts = new Map(layers.map((l) => [l.id, options(l)]));
  const len = Math.max(0, ...[...opts.values()].map((o) => o.length));
  const stepsFor = (pick: ReadonlyMap<string, number>) => {
    const m = new Map<string, number>();
    for (const l of layers) {
      const j = pick.get(l.id)!, o = opts.get(l.id)!;
      if (j < o.length) m.set(l.id, o[j]);
    }
    return m;
  };
  let tried = 0;
  const ok = (pick: ReadonlyMap<string, number>) => (tried++, fits(s, measure(s, snapNet(s.net, stepsFor(pick)), rows.search, rows.searchRef), share));
  const uniform = (j: number) => new Map(layers.map((l) => [l.id, Math.min(j, opts.get(l.id)!.length)]));
  const j0 = smallestPassing(0, len, (j) => (j === len ? true : ok(uniform(j))));
  const pick = uniform(j0);
  for (const l of layers) {
    for (let t = 0; t < 2 && pick.get(l.id)! > 0; t++) {
      const trial = new Map(pick).set(l.id, pick.get(l.id)! - 1);
      if (!ok(trial)) break;
      pick.set(l.id, trial.get(l.id)!);
    }
  }
  // confirm on the check rows; fall back to finer grids for all layers until it holds
  let steps = stepsFor(pick);
  let m = measure(s, snapNet(s.net, steps), rows.check, rows.checkRef);
  while (steps.size && !fits(s, m, share)) {
    for (const l of layers) pick.set(l.id, Math.min(pick.get(l.id)! + 1, opts.get(l.id)!.length));
    steps = stepsFor(pick);
    m = measure(s, snapNet(s.net, steps), rows.check, rows.checkRef);
  }
  return { net: steps.size ? snapNet(s.net, steps) : s.net, steps, measure: m, tried, note: describe(s, m) };
}
