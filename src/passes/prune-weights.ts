// prune-weights (budgeted): remove the dense weights that matter least, then re-fit each layer's remaining
// weights by least squares to reproduce its original pre-activation; keep the fewest weights within budget.
//   y_o = Σ_i W_oi x_i + b_o  ->  Σ_{i in S_o} W'_oi x_i + b'_o   (S_o: the kept inputs of row o)
// Importance of W_oi: |W_oi| · rms(x_i) (the weight's typical contribution) over the norm of row o's
// contributions, so that rows and layers compare on one scale; with standardised inputs this is magnitude
// pruning. One global ranking over all dense layers; the kept count is searched on a geometric grid by
// bisection on the analysis rows, then checked on every analysis row.
import type { Tensor } from "../graph/tensor.ts";
import type { AffineLayer, Layer, Net } from "../net/net.ts";
import type { SimplifyPass, SimplifyState } from "./simplify.ts";
import { simplifyReport } from "./report.ts";
import { activations, budgetRows, BUDGET_SHARE, describe, fits, measure, nonzeros, runOn, smallestPassing, tooFewRows, type BudgetRows } from "./budget.ts";
import { crossAug, refitProblem, refitRow, type RefitProblem } from "./refit.ts";

type Dense = Layer & AffineLayer;

/** Largest number of dense weights ranked and searched (the ranking holds one record per weight). */
const MAX_WEIGHTS = 4e6;

/** Dense layers whose weights this pass prunes: vector in, vector out. */
function prunable(l: Layer): l is Dense {
  return l.kind === "affine" && l.shape.length === 1;
}

/** Root mean square of each column of a [rows × d] matrix. */
export function columnRms(X: Float32Array, d: number): Float64Array {
  const rows = X.length / d;
  const r = new Float64Array(d);
  for (let k = 0; k < X.length; k++) r[k % d] += X[k] * X[k];
  for (let i = 0; i < d; i++) r[i] = Math.sqrt(r[i] / Math.max(rows, 1));
  return r;
}

/** One weight in the global ranking. */
interface Ranked { layer: number; o: number; i: number; score: number }

/** Every non-zero weight of the prunable layers, most important first. */
function rank(layers: Dense[], rms: Float64Array[]): Ranked[] {
  const all: Ranked[] = [];
  layers.forEach((l, li) => {
    for (let o = 0; o < l.outFeatures; o++) {
      let norm = 0;
      for (let i = 0; i < l.inFeatures; i++) norm += (l.W[o * l.inFeatures + i] * rms[li][i]) ** 2;
      norm = Math.sqrt(norm) + 1e-30;
      for (let i = 0; i < l.inFeatures; i++) {
        const w = l.W[o * l.inFeatures + i];
        if (w !== 0) all.push({ layer: li, o, i, score: (Math.abs(w) * rms[li][i]) / norm });
      }
    }
  });
  return all.sort((a, b) => b.score - a.score || a.layer - b.layer || a.o - b.o || a.i - b.i);
}

/** The net with only the top `keep` ranked weights, each layer re-fit (in order, on the pruned net's own inputs). */
function prunedNet(net: Net, layers: Dense[], ranked: Ranked[], keep: number, rows: BudgetRows, ref: Map<string, Tensor>, cache: Map<string, RefitProblem>): Net {
  const support = layers.map((l) => Array.from({ length: l.outFeatures }, () => [] as number[]));
  for (let k = 0; k < keep; k++) support[ranked[k].layer][ranked[k].o].push(ranked[k].i);
  const byId = new Map(layers.map((l, li) => [l.id, li]));
  const env = new Map<string, Tensor>(Object.entries(rows.fit));
  const out: Layer[] = [];
  for (const l of net.layers) {
    const li = byId.get(l.id);
    let nl: Layer = l;
    if (li !== undefined && prunable(l)) {
      const d = l.inFeatures;
      const xNew = env.get(l.inputs[0])!, xOld = ref.get(l.inputs[0])!;
      // a layer whose inputs are unchanged (the first) has the same problem for every candidate
      const same = xNew === xOld;
      let p = same ? cache.get(l.id) : undefined;
      if (!p) {
        const G = crossAug(xNew.data as Float32Array, d, xNew.data as Float32Array, d, rows.fitCount);
        const C = same ? G : crossAug(xNew.data as Float32Array, d, xOld.data as Float32Array, d, rows.fitCount);
        p = refitProblem(G, C, d, d, l.W, l.b, l.outFeatures);
        if (same) cache.set(l.id, p);
      }
      const W = new Float32Array(l.W.length), b = new Float32Array(l.outFeatures);
      for (let o = 0; o < l.outFeatures; o++) {
        const w0 = new Float64Array(d + 1);
        for (let i = 0; i < d; i++) w0[i] = l.W[o * d + i];
        w0[d] = l.b[o];
        const row = refitRow(p, o, support[li][o].sort((x, y) => x - y), w0);
        for (let i = 0; i < d; i++) W[o * d + i] = row[i];
        b[o] = row[d];
      }
      nl = { ...l, W, b };
    }
    out.push(nl);
    env.set(nl.id, runOn(nl, env));
  }
  return { ...net, layers: out };
}

/** Kept counts tried: total · 2^(-j/4), j = 0, 1, ... (about 19% apart), down to one weight. */
function grid(total: number): number[] {
  const g: number[] = [];
  for (let j = 0; ; j++) {
    const k = Math.max(1, Math.ceil(total * 2 ** (-j / 4)));
    if (g.length && k === g[g.length - 1]) { if (k === 1) break; continue; }
    g.push(k);
    if (k === 1) break;
  }
  return g.reverse();
}

/** The net pruned to exactly `keep` dense weights (the pass's ranking and re-fit, no search): for benchmarks
 *  that trace the whole curve of weights kept against fidelity. */
export function pruneToCount(s: SimplifyState, keep: number): Net {
  const layers = s.net.layers.filter(prunable);
  const rows = budgetRows(s);
  const ref = activations(s.net, rows.fit);
  const ranked = rank(layers, layers.map((l) => columnRms(ref.get(l.inputs[0])!.data as Float32Array, l.inFeatures)));
  return keep >= ranked.length ? s.net : prunedNet(s.net, layers, ranked, keep, rows, ref, new Map());
}

/** Non-zero weights of the dense layers this pass prunes. */
export function prunableWeights(net: Net): number {
  return net.layers.filter(prunable).reduce((a, l) => a + nonzeros(l.W), 0);
}

export const pruneWeightsPass: SimplifyPass = {
  name: "prune-weights",
  kind: "budgeted",
  doc: "the least important dense weights (|w| x rms of its input, per row) removed and each layer re-fit by least squares; the fewest weights within budget",
  run(s: SimplifyState) {
    const layers = s.net.layers.filter(prunable);
    if (s.budget.exact || !layers.length) return simplifyReport(this, s, s, "nothing to prune (no dense layers, or --exact)");
    const rows = budgetRows(s);
    const few = tooFewRows(s, rows, BUDGET_SHARE.weights);
    if (few) return simplifyReport(this, s, s, few);
    if (prunableWeights(s.net) > MAX_WEIGHTS) return simplifyReport(this, s, s, `${prunableWeights(s.net)} dense weights: more than this pass searches (${MAX_WEIGHTS})`);
    const ref = activations(s.net, rows.fit);
    const rms = layers.map((l) => columnRms(ref.get(l.inputs[0])!.data as Float32Array, l.inFeatures));
    const ranked = rank(layers, rms);
    const total = ranked.length;
    const cache = new Map<string, RefitProblem>();
    const ks = grid(total);
    const nets = new Map<number, Net>();
    const candidate = (j: number) => {
      if (j === ks.length - 1) return s.net;
      let n = nets.get(j);
      if (!n) { n = prunedNet(s.net, layers, ranked, ks[j], rows, ref, cache); nets.set(j, n); }
      return n;
    };
    let tried = 0;
    const okSearch = (j: number) => (tried++, fits(s, measure(s, candidate(j), rows.search, rows.searchRef), BUDGET_SHARE.weights));
    let j = smallestPassing(0, ks.length - 1, okSearch);
    // confirm on every analysis row; step back up the grid if the search rows were optimistic
    let full = measure(s, candidate(j), rows.check, rows.checkRef);
    while (j < ks.length - 1 && !fits(s, full, BUDGET_SHARE.weights)) {
      j++;
      full = measure(s, candidate(j), rows.check, rows.checkRef);
    }
    const net = candidate(j);
    const kept = ks[j];
    const details = [
      `ranking: ${total} non-zero dense weights in ${layers.length} layer(s) by |w| x rms(input), normalised per row; re-fit by least squares on ${rows.fitCount} analysis rows`,
      `search: ${tried} candidates on ${rows.search[Object.keys(rows.search)[0]].shape[0]} analysis rows (geometric grid, 19% steps); chosen: ${kept} of ${total} weights (${(100 * kept / total).toFixed(1)}%)`,
      `budget share ${BUDGET_SHARE.weights}: ${describe(s, full)}`,
      ...net.layers.filter(prunable).map((l) => `${l.id}: ${nonzeros(l.W)} of ${l.W.length} weights kept`),
    ];
    const summary = net === s.net ? "kept every weight (no smaller net within budget)" : `kept ${kept} of ${total} dense weights (${(100 * kept / total).toFixed(1)}%), re-fit by least squares`;
    return simplifyReport(this, s, { ...s, net }, summary, details);
  },
};
