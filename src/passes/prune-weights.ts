// prune-weights (budgeted): remove the dense weights that matter least by layerwise Optimal Brain Surgeon, then
// re-fit each row's remaining weights by least squares to reproduce the layer's original pre-activation; keep the
// fewest weights within budget.
//   y_o = Σ_i W_oi x_i + b_o  ->  Σ_{i in S_o} W'_oi x_i + b'_o   (S_o: the kept inputs of row o)
// Cost of removing W_oi (obs.ts): s_o · W_oi^2 / [H^-1]_ii, the squared change of row o's pre-activation on the
// fit rows (H = X^T X of the layer's input) times s_o, how much unit o moves the output (sensitivity.ts: the
// top-1 margin of a classifier), so that one threshold allocates sparsity across layers by measured
// sensitivity. Rows are swept column by column (the OBS update moves the weights not yet visited), layers in
// order, each on the pruned net's own inputs; then each row is re-fit by least squares on its support.
// The threshold is searched on a geometric grid of kept counts, galloping down from all weights then bisecting,
// on every analysis row the re-fits did not see, with candidates swept but not re-fit (the re-fit is most of a
// candidate's cost); flip counts are noisy and not monotone in the count, so a failing step whose next smaller
// step passes is taken as noise. The choice (and the step below it) is then re-fit and checked again. A layer wider than OBS_MAX_IN inputs uses OBS's diagonal approximation
// ([H^-1]_ii ≈ 1 / H_ii: magnitude times input rms) and no sweep.
import type { Tensor } from "../graph/tensor.ts";
import type { AffineLayer, Layer, Net } from "../net/net.ts";
import type { SimplifyPass, SimplifyState } from "./simplify.ts";
import { simplifyReport } from "./report.ts";
import { activations, budgetRows, BUDGET_SHARE, describe, ruleOf, fits, measure, measureShared, nonzeros, runOn, sharedValues, smallestPassingFromTop, tooFewRows, type BudgetRows, type Measure } from "./budget.ts";
import { crossAug, refitProblemOn, refitRow, type RefitProblem } from "./refit.ts";
import { hinvApply, hinvUpper, obsSweep, OBS_DAMP } from "./obs.ts";
import { unitSensitivity } from "./sensitivity.ts";

type Dense = Layer & AffineLayer;

/** Largest number of dense weights ranked and searched (the ranking holds one score per weight). */
const MAX_WEIGHTS = 4e6;
/** Widest layer (inputs) pruned by the full OBS sweep: H^-1 costs d^3, the sweep rows x d^2. */
const OBS_MAX_IN = 1024;

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

/** One layer's least-squares problem on some inputs: G = X'^T X' and targets (refit.ts), and the factor U of
 *  (G + λI)^-1 (obs.ts), or undefined for a layer pruned by the diagonal approximation. */
interface LayerProblem { p: RefitProblem; U?: Float64Array; Uls?: Float64Array }

/** Ridge of the dense least-squares re-fit (relative to the mean diagonal): rounding level, unlike OBS_DAMP. */
const LS_DAMP = 1e-6;

/** The problem of layer l on inputs xNew (`same`: the original's inputs), z its original pre-activation. */
function layerProblem(l: Dense, xNew: Tensor, z: Tensor, same: boolean, rows: number): LayerProblem {
  const d = l.inFeatures;
  const G = crossAug(xNew.data as Float32Array, d, xNew.data as Float32Array, d, rows);
  const p = refitProblemOn(G, xNew.data as Float32Array, d, z.data as Float32Array, l.outFeatures, rows);
  const U = d <= OBS_MAX_IN ? liveFactor(G, d + 1, OBS_DAMP) : undefined;
  return { p, ...(U ? { U } : {}), ...(U && !same ? { Uls: liveFactor(G, d + 1, LS_DAMP) } : {}) };
}

/** hinvUpper of G restricted to its live inputs (non-zero diagonal; the bias is always live), scattered back
 *  into n × n with 1 on the diagonal of the dead ones. Their weights are removed before the sweep, so their rows
 *  and columns of U are never read; leaving them out of the factorisation saves its cube (MNIST: 117 of 785
 *  pixels are 0 on every fit row). */
export function liveFactor(G: Float64Array, n: number, damp: number): Float64Array {
  const live: number[] = [];
  for (let i = 0; i < n; i++) if (G[i * n + i] !== 0 || i === n - 1) live.push(i);
  if (live.length === n) return hinvUpper(G, n, damp);
  const m = live.length;
  const Gl = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) Gl[a * m + b] = G[live[a] * n + live[b]];
  const Ul = hinvUpper(Gl, m, damp);
  const U = new Float64Array(n * n);
  for (let i = 0; i < n; i++) U[i * n + i] = 1;
  for (let a = 0; a < m; a++) for (let b = a; b < m; b++) U[live[a] * n + live[b]] = Ul[a * m + b];
  return U;
}

/** Indices < d of the non-zero entries of a row. */
function supportOf(w: ArrayLike<number>, d: number): number[] {
  const S: number[] = [];
  for (let i = 0; i < d; i++) if (w[i] !== 0) S.push(i);
  return S;
}

/** Row o of a layer, augmented with its bias. */
function augRow(l: Dense, o: number): Float64Array {
  const d = l.inFeatures;
  const w = new Float64Array(d + 1);
  for (let i = 0; i < d; i++) w[i] = l.W[o * d + i];
  w[d] = l.b[o];
  return w;
}

/** What the pass shares between candidates: the rows, the original net's values on the fit rows, per-unit
 *  sensitivities, and the problems of layers whose inputs no candidate changes. */
interface Context {
  net: Net;
  layers: Dense[];
  rows: BudgetRows;
  ref: Map<string, Tensor>;
  sens: Map<string, Float64Array>;
  /** Whether sens was back-propagated (else: each row's share of its output energy). */
  propagated: boolean;
  cache: Map<string, LayerProblem>;
}

/** One layer pruned at threshold tau on inputs xNew (the original's are xOld): re-fit to xNew, swept, and (with
 *  `refit`) re-fit on the support. */
function pruneLayer(c: Context, l: Dense, xNew: Tensor, xOld: Tensor, tau: number, refit: boolean): Dense {
  const same = xNew === xOld;
  let lp = same ? c.cache.get(l.id) : undefined;
  if (!lp) {
    lp = layerProblem(l, xNew, c.ref.get(l.id)!, same, c.rows.fitCount);
    if (same) c.cache.set(l.id, lp);
  }
  const d = l.inFeatures, n = d + 1, outF = l.outFeatures;
  const s = c.sens.get(l.id)!;
  const Wa = new Float64Array(outF * n);
  for (let o = 0; o < outF; o++) {
    const w0 = augRow(l, o);
    // inputs changed: the least-squares row on the new inputs first (the sweep's starting point)
    const row = same || !lp.Uls ? w0 : hinvApply(lp.Uls, n, lp.p.targets[o]);
    if (!same) for (let i = 0; i < d; i++) if (w0[i] === 0) row[i] = 0; // zeros stay zeros
    Wa.set(row, o * n);
  }
  // weights on inputs that are 0 on every fit row change nothing there: removed first, at no cost
  const G = lp.p.G;
  for (let i = 0; i < d; i++) if (G[i * n + i] === 0) for (let o = 0; o < outF; o++) Wa[o * n + i] = 0;
  if (lp.U) obsSweep(Wa, outF, n, lp.U, (o, _i, cost) => s[o] * cost < tau);
  else {
    for (let o = 0; o < outF; o++) for (let i = 0; i < d; i++) if (s[o] * Wa[o * n + i] ** 2 * G[i * n + i] < tau) Wa[o * n + i] = 0;
  }
  const W = new Float32Array(outF * d), b = new Float32Array(outF);
  for (let o = 0; o < outF; o++) {
    const w = Wa.subarray(o * n, (o + 1) * n);
    const row = refit ? refitRow(lp.p, o, supportOf(w, d), w) : w;
    for (let i = 0; i < d; i++) W[o * d + i] = row[i];
    b[o] = row[d];
  }
  return { ...l, W, b };
}

/** The net with every prunable layer pruned at threshold tau, in order, each on the pruned net's own inputs;
 *  `refit`: each row re-fit by least squares on its support after the sweep (the sweep's own update leaves the
 *  weights it visited first fixed; the re-fit is most of a candidate's cost, and improves it a little). */
function prunedNet(c: Context, tau: number, refit = true): Net {
  const ids = new Set(c.layers.map((l) => l.id));
  const env = new Map<string, Tensor>(Object.entries(c.rows.fit));
  const out: Layer[] = [];
  // values upstream of every pruned layer are the original's (the same tensors, so their problems are cached)
  const changed = new Set<string>();
  for (const l of c.net.layers) {
    const nl = ids.has(l.id) && prunable(l) ? pruneLayer(c, l, env.get(l.inputs[0])!, c.ref.get(l.inputs[0])!, tau, refit) : l;
    out.push(nl);
    if (nl !== l || l.inputs.some((i) => changed.has(i))) {
      changed.add(l.id);
      env.set(nl.id, runOn(nl, env));
    } else env.set(l.id, c.ref.get(l.id)!);
  }
  return { ...c.net, layers: out };
}

/** Build the context and every weight's initial cost (on the original net), most important first. */
function prepare(s: SimplifyState, rows: BudgetRows): { c: Context; scores: Float64Array } {
  const layers = s.net.layers.filter(prunable);
  const ref = activations(s.net, rows.fit, s.oneSample);
  const c: Context = { net: s.net, layers, rows, ref, sens: new Map(), propagated: false, cache: new Map() };
  const sens = unitSensitivity(s.net, layers, ref, s.classifier);
  c.propagated = sens !== undefined;
  const costs: number[] = [];
  for (const l of layers) {
    const x = ref.get(l.inputs[0])!;
    const lp = layerProblem(l, x, ref.get(l.id)!, true, rows.fitCount);
    c.cache.set(l.id, lp);
    const d = l.inFeatures, n = d + 1, G = lp.p.G;
    // without a dense chain to back-propagate through: each row's cost relative to its energy w^T H w
    const s0 = sens?.get(l.id) ?? Float64Array.from({ length: l.outFeatures }, (_, o) => {
      const w = augRow(l, o);
      let e = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) e += w[i] * G[i * n + j] * w[j];
      return 1 / Math.max(e, 1e-30);
    });
    c.sens.set(l.id, s0);
    for (let o = 0; o < l.outFeatures; o++) {
      for (let i = 0; i < d; i++) {
        const w = l.W[o * d + i];
        if (w === 0 || G[i * n + i] === 0) continue;
        costs.push(lp.U ? (s0[o] * w * w) / lp.U[i * n + i] ** 2 : s0[o] * w * w * G[i * n + i]);
      }
    }
  }
  return { c, scores: Float64Array.from(costs).sort().reverse() };
}

/** The threshold that keeps about `keep` weights (by their initial costs). */
function tauFor(scores: Float64Array, keep: number): number {
  return keep >= scores.length ? 0 : keep <= 0 ? Infinity : scores[keep - 1];
}

/** Steps of the grid of kept counts per halving: 8 (about 8% apart) under the margin-aware rule, which is smooth in
 *  the count, so a finer grid lands nearer its limit (the search gallops: about two more candidates); 4 (19%) under
 *  the count rules, whose noisy failures a finer grid would only meet more often. */
function gridSteps(s: SimplifyState): number {
  return s.classifier && ruleOf(s) === "margin" ? 8 : 4;
}

/** Kept counts tried: total · 2^(-j/steps), j = 0, 1, ..., down to one weight. */
function grid(total: number, steps: number): number[] {
  const g: number[] = [];
  for (let j = 0; ; j++) {
    const k = Math.max(1, Math.ceil(total * 2 ** (-j / steps)));
    if (g.length && k === g[g.length - 1]) { if (k === 1) break; continue; }
    g.push(k);
    if (k === 1) break;
  }
  return g.reverse();
}

/** The net pruned to about `keep` dense weights (the pass's costs, sweep and re-fit, no search): for benchmarks
 *  that trace the whole curve of weights kept against fidelity. */
export function pruneToCount(s: SimplifyState, keep: number): Net {
  const { c, scores } = prepare(s, budgetRows(s));
  return keep >= scores.length ? s.net : prunedNet(c, tauFor(scores, keep));
}

/** Non-zero weights of the dense layers this pass prunes. */
export function prunableWeights(net: Net): number {
  return net.layers.filter(prunable).reduce((a, l) => a + nonzeros(l.W), 0);
}

export const pruneWeightsPass: SimplifyPass = {
  name: "prune-weights",
  kind: "budgeted",
  doc: "the dense weights of least cost (layerwise Optimal Brain Surgeon, scaled by each unit's measured effect on the output) removed and each row re-fit by least squares; the fewest weights within budget",
  run(s: SimplifyState) {
    const layers = s.net.layers.filter(prunable);
    if (s.budget.exact || !layers.length) return simplifyReport(this, s, s, "nothing to prune (no dense layers, or --exact)");
    const rows = budgetRows(s);
    const few = tooFewRows(s, rows, BUDGET_SHARE.weights);
    if (few) return simplifyReport(this, s, s, few);
    if (prunableWeights(s.net) > MAX_WEIGHTS) return simplifyReport(this, s, s, `${prunableWeights(s.net)} dense weights: more than this pass searches (${MAX_WEIGHTS})`);
    const { c, scores } = prepare(s, rows);
    const total = scores.length;
    const ks = grid(total, gridSteps(s));
    // Stage 1, on the check rows: candidates swept but not re-fit (cheaper, and no better than re-fit ones),
    // galloping down the grid from all weights, then bisection. Flip counts are noisy and not monotone in the count: a point that fails while the
    // next smaller one passes is taken as noise (two consecutive failures end the descent).
    const swept = new Map<number, Net>(), refitted = new Map<number, Net>();
    const candidate = (j: number, refit: boolean) => {
      if (j >= ks.length - 1) return s.net;
      const cache = refit ? refitted : swept;
      let n = cache.get(j);
      if (!n) { n = prunedNet(c, tauFor(scores, ks[j]), refit); cache.set(j, n); }
      return n;
    };
    let tried = 0;
    // every candidate changes only the prunable layers and what follows: the values before them are computed once
    const shared = sharedValues(s, s.net, rows.check, layers[0].id);
    const measureCheck = (n: Net) => (shared ? measureShared(s, n, shared, rows.checkRef) : measure(s, n, rows.check, rows.checkRef));
    const sweptMeasures = new Map<number, Measure>();
    const measureSwept = (j: number) => {
      let m = sweptMeasures.get(j);
      if (!m) { tried++; m = measureCheck(candidate(j, false)); sweptMeasures.set(j, m); }
      return m;
    };
    const passSearch = (j: number) => fits(s, measureSwept(j), BUDGET_SHARE.weights);
    const ok = (j: number) => passSearch(j) || (j > 0 && passSearch(j - 1));
    const top = ks.length - 1;
    const j0 = smallestPassingFromTop(0, top, ok);
    // Stage 2, on every analysis row the re-fits did not see: up the grid from stage 1's choice until a swept
    // candidate fits; then re-fit candidates (least squares on each row's support), one grid step below first
    // (the re-fit may have made room), else the chosen step; the swept one stays when neither fits.
    let full: Measure | undefined;
    const checkFits = (j: number, refit: boolean) => {
      const m = refit ? measureCheck(candidate(j, true)) : measureSwept(j);
      const v = fits(s, m, BUDGET_SHARE.weights);
      if (v || !full) full = m;
      return v;
    };
    let j = j0;
    while (j < top && !checkFits(j, false)) j++;
    let net = candidate(j, false);
    for (const jr of j > 0 && j < top ? [j - 1, j] : []) {
      if (checkFits(jr, true)) { net = candidate(jr, true); j = jr; break; }
    }
    if (j === top) full = measureCheck(s.net);
    const kept = prunableWeights(net), all = prunableWeights(s.net);
    const wide = layers.filter((l) => l.inFeatures > OBS_MAX_IN).map((l) => l.id);
    const details = [
      `cost of each weight: ${c.propagated ? (s.classifier ? "effect on the top-1 margin (back-propagated)" : "effect on the outputs (back-propagated)") : "share of its row's output energy"} x w^2/[H^-1]_ii (layerwise OBS, H of each layer's input on ${rows.fitCount} analysis rows)${wide.length ? `; ${wide.join(", ")} wider than ${OBS_MAX_IN} inputs: diagonal approximation` : ""}; rows swept with the OBS update, then re-fit by least squares on their support`,
      `search: ${tried} thresholds on the ${rows.checkRef[0].shape[0]} analysis rows the re-fits did not see (geometric grid of kept counts, ${gridSteps(s) === 8 ? "8%" : "19%"} steps, galloping down from all weights; swept candidates; a failure with a passing step below taken as noise), then the choice re-fit by least squares on each row's support (from one step below); chosen: ${kept} of ${all} weights (${(100 * kept / all).toFixed(1)}%)`,
      `budget share ${BUDGET_SHARE.weights}: ${describe(s, full!)}`,
      ...net.layers.filter(prunable).map((l) => `${l.id}: ${nonzeros(l.W)} of ${l.W.length} weights kept`),
    ];
    const summary = net === s.net ? "kept every weight (no smaller net within budget)" : `kept ${kept} of ${all} dense weights (${(100 * kept / all).toFixed(1)}%): layerwise OBS, re-fit by least squares`;
    return simplifyReport(this, s, { ...s, net }, summary, details);
  },
};
