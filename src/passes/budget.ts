// What the budgeted passes share: the rows they fit and choose on (subsets of the analysis split), the budget
// test, and the search for the smallest setting within budget.
//
// The budget: for a classifier, top-1 agreement with the original (--min-agreement); otherwise max |error|
// (--tolerance). Each pass may use a share of it (BUDGET_SHARE), so later passes have room and the held-out
// split, which no choice sees, keeps a margin.
import type { Tensor } from "../graph/tensor.ts";
import type { Layer, Net } from "../net/net.ts";
import { runLayer } from "../net/run.ts";
import { maxAbsErr, looksLikeScores, TIE_REL, topAgrees } from "../verify/metrics.ts";
import type { SimplifyState } from "./simplify.ts";
import { chunkFor, runReusing } from "./report.ts";
import { concatRows, sliceRows } from "../data/batch.ts";
import { gemm as sgemm } from "../ops/util/gemm.ts";
import { AGREEMENT_CONFIDENCE, agreementHolds, marginRate, marginShrinks, rateUpperBound, rowsForAgreement, type AgreementRule } from "./agreement-bound.ts";

/** Cumulative share of the budget each budgeted pass may reach (a design constant, the same for every net):
 *  merging near-parallel units and unit pruning a quarter together, weight pruning up to 70%, rounding and quantisation up to 80%, and the named values'
 *  residuals the builder drops (src/pipeline/residuals-pass.ts) up to 80% too; the rest is the held-out margin. */
export const BUDGET_SHARE = { merge: 0.25, units: 0.25, weights: 0.7, round: 0.8, quantize: 0.8, residuals: 0.8 } as const;

/** Rows the re-fits use, and rows the searches choose on (beyond these, every analysis row is used at the end). */
const FIT_ROWS = 2000;
const SEARCH_ROWS = 3000;

/** Rows at evenly spaced indices of every tensor (axis 0). */
export function takeRows(rows: Record<string, Tensor>, idx: readonly number[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(rows)) out[k] = takeTensorRows(t, idx);
  return out;
}

function takeTensorRows(t: Tensor, idx: readonly number[]): Tensor {
  const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const src = t.data as Float32Array;
  const data = new (src.constructor as Float32ArrayConstructor)(idx.length * per);
  // runs of consecutive rows in one copy each (the check rows are mostly runs)
  for (let i = 0; i < idx.length; ) {
    let j = i + 1;
    while (j < idx.length && idx[j] === idx[j - 1] + 1) j++;
    data.set(src.subarray(idx[i] * per, (idx[j - 1] + 1) * per), i * per);
    i = j;
  }
  return { dtype: t.dtype, shape: [idx.length, ...t.shape.slice(1)], data } as Tensor;
}

/** Up to k evenly spaced entries of a list of row indices. */
function spaced(idx: readonly number[], k: number): number[] {
  if (idx.length <= k) return [...idx];
  const step = idx.length / k;
  return Array.from({ length: k }, (_, i) => idx[Math.floor(i * step)]);
}

/** The analysis rows a budgeted pass works on: fit rows for the re-fits, and disjoint rows to choose on (so
 *  that a choice is not flattered by the re-fit having seen its rows). */
export interface BudgetRows {
  fit: Record<string, Tensor>;
  fitCount: number;
  /** Rows the searches choose on, with the original's outputs on them. */
  search: Record<string, Tensor>;
  searchRef: Tensor[];
  /** Every analysis row the re-fits did not use: the final check of a choice. */
  check: Record<string, Tensor>;
  checkRef: Tensor[];
}

/** Pick the fit, search and check rows from the analysis split (every 4th row fits, up to FIT_ROWS; with fewer
 *  than 8 rows they all do every job). */
export function budgetRows(s: SimplifyState): BudgetRows {
  // The rows depend on the analysis rows, their reference outputs and oneSample alone, and nothing writes into
  // them (nets run on them make new tensors): each budgeted pass (and prune-weights twice) takes the same rows,
  // so they are copied out once per analysis set, not once per call (on MNIST, 3 x 19 MB six times).
  const key = s.oneSample ? "one" : "rows";
  let per = budgetRowsMade.get(s.analysis);
  if (!per) budgetRowsMade.set(s.analysis, (per = new WeakMap()));
  const made = per.get(s.reference.analysis);
  if (made?.[key]) return made[key]!;
  const rows = makeBudgetRows(s);
  per.set(s.reference.analysis, { ...made, [key]: rows });
  return rows;
}

/** budgetRows already taken, per analysis rows and reference outputs (weak: they go with their state). */
const budgetRowsMade = new WeakMap<Record<string, Tensor>, WeakMap<readonly Tensor[], { one?: BudgetRows; rows?: BudgetRows }>>();

/** budgetRows' work: copy the fit, search and check rows out of the analysis split. */
function makeBudgetRows(s: SimplifyState): BudgetRows {
  const n = Object.values(s.analysis)[0]?.shape[0] ?? 0;
  const all = Array.from({ length: n }, (_, i) => i);
  const small = n < 8 || s.oneSample;
  const fitIdx = small ? all : spaced(all.filter((i) => i % 4 === 0), FIT_ROWS);
  const fitSet = new Set(fitIdx);
  const checkIdx = small ? all : all.filter((i) => !fitSet.has(i));
  const searchIdx = spaced(checkIdx, SEARCH_ROWS);
  const ref = (idx: number[]) => s.reference.analysis.map((t) => takeTensorRows(t, idx));
  return {
    fit: takeRows(s.analysis, fitIdx), fitCount: fitIdx.length,
    search: takeRows(s.analysis, searchIdx), searchRef: ref(searchIdx),
    check: takeRows(s.analysis, checkIdx), checkRef: ref(checkIdx),
  };
}

/** How far a candidate is from the original on some rows. */
export interface Measure {
  maxAbsErr: number;
  /** Rows whose top-1 class differs (classifiers). */
  disagree: number;
  rows: number;
  /** Under the margin-aware rule (classifiers): the estimated disagreement rate and its upper bound (marginRate). */
  rate?: { estimate: number; upper: number };
}

/** Measure a candidate net on rows against the original's outputs on them. */
export function measure(s: SimplifyState, net: Net, rows: Record<string, Tensor>, ref: readonly Tensor[]): Measure {
  return compare(s, runReusing(net, rows, s.oneSample), ref);
}

/** A candidate's outputs against the original's. */
function compare(s: SimplifyState, got: readonly Tensor[], ref: readonly Tensor[]): Measure {
  let err = 0, disagree = 0;
  let rate: Measure["rate"];
  const n = ref[0]?.shape[0] ?? 0;
  got.forEach((g, k) => {
    const want = ref[k];
    err = Math.max(err, maxAbsErr(want.data as ArrayLike<number>, g.data as ArrayLike<number>));
    if (s.classifier && looksLikeScores(want)) {
      disagree = Math.max(disagree, disagreements(want, g));
      if (ruleOf(s) === "margin") {
        const { margin, shrink } = marginShrinks(want.data as ArrayLike<number>, g.data as ArrayLike<number>, want.shape[want.shape.length - 1], TIE_REL);
        const r = marginRate(margin, shrink, confidenceOf(s));
        if (!rate || r.upper > rate.upper) rate = r;
      }
    }
  });
  return { maxAbsErr: err, disagree, rows: n, ...(rate ? { rate } : {}) };
}

/** Rows whose top-1 differs (ties within rounding agree, as verify counts them: topAgrees). */
function disagreements(a: Tensor, b: Tensor): number {
  const k = a.shape[a.shape.length - 1];
  const x = a.data as ArrayLike<number>, y = b.data as ArrayLike<number>;
  let d = 0;
  for (let r = 0; r * k < x.length; r++) if (!topAgrees(x, y, r * k, k)) d++;
  return d;
}

/** What every candidate of a search shares on some rows: the layers before the first one candidates change
 *  (`before`, by id), and the values of those (and of the inputs) that later layers read. */
export interface SharedValues {
  before: Set<string>;
  values: Map<string, Tensor>;
  /** Output buffers of the dense layers and ReLUs measureShared runs itself, by layer id, reused from one
   *  candidate to the next: a fresh multi-megabyte array per layer per candidate cost its page faults and GC. */
  buffers: Map<string, Float32Array>;
}

/** The original net's SharedValues on `rows` when candidates change only layers from `first` (a layer id) on.
 *  Undefined when the rows must run in chunks (a fixed batch, one sample): then measure as usual. */
export function sharedValues(s: SimplifyState, net: Net, rows: Record<string, Tensor>, first: string): SharedValues | undefined {
  if (s.oneSample || net.inputs.some((i) => typeof i.batchDim === "number")) return undefined;
  const at = net.layers.findIndex((l) => l.id === first);
  if (at < 0) return undefined;
  if (at === 0) return { before: new Set(), values: new Map(Object.entries(rows)), buffers: new Map() };
  const read = new Set(net.layers.slice(at).flatMap((l) => l.inputs));
  for (const o of net.outputs) read.add(o.from);
  const prefix = net.layers.slice(0, at);
  const all = activationsWhole({ ...net, layers: prefix }, rows, s.oneSample);
  const values = new Map<string, Tensor>(Object.entries(rows));
  for (const [k, v] of all) if (read.has(k)) values.set(k, v);
  return { before: new Set(prefix.map((l) => l.id)), values, buffers: new Map() };
}

/** measure() for a candidate whose layers in shared.before are the original's (sharedValues of the same rows):
 *  only the layers after them run. Dense layers and ReLUs write into shared.buffers (their values do not outlive
 *  the comparison). */
export function measureShared(s: SimplifyState, net: Net, shared: SharedValues, ref: readonly Tensor[]): Measure {
  const env = new Map(shared.values);
  for (const l of net.layers) {
    if (shared.before.has(l.id)) continue;
    const xs = l.inputs.map((r) => env.get(r)!);
    env.set(l.id, runPooled(l, xs, shared.buffers) ?? runLayer(l, xs));
  }
  return compare(s, net.outputs.map((o) => env.get(o.from)!), ref);
}

/** A reused float32 buffer of `size` values for layer `id`. */
function buffer(pool: Map<string, Float32Array>, id: string, size: number): Float32Array {
  let b = pool.get(id);
  if (!b || b.length !== size) pool.set(id, (b = new Float32Array(size)));
  return b;
}

/** A float32 dense layer (the Gemm runLayer runs: y = x W^T + b, b as a column bias) or ReLU on float32 rows,
 *  computed as the ops compute it into a buffer of the pool; undefined for any other layer (run it as usual). */
function runPooled(l: Layer, xs: Tensor[], pool: Map<string, Float32Array>): Tensor | undefined {
  const x = xs[0];
  if (l.dtype !== "float32" || x?.dtype !== "float32" || !(x.data instanceof Float32Array)) return undefined;
  const rows = x.shape[0];
  if (l.kind === "affine" && l.shape.length === 1 && x.shape.length === 2 && x.shape[1] === l.inFeatures && l.outFeatures > 0) {
    const c = buffer(pool, l.id, rows * l.outFeatures);
    // as the Gemm op: beta (1) times C of shape [out] is a column bias, in float64
    sgemm({ m: rows, n: l.outFeatures, k: l.inFeatures, a: x.data, b: l.W, transB: true, c, alpha: 1, beta: 0, colBias: Float64Array.from(l.b) });
    return { dtype: "float32", shape: [rows, l.outFeatures], data: c };
  }
  if (l.kind === "act" && l.fn === "relu") {
    const src = x.data, y = buffer(pool, l.id, src.length);
    for (let i = 0; i < src.length; i++) y[i] = src[i] < 0 ? 0 : src[i]; // as the Relu op (NaN stays NaN)
    return { dtype: "float32", shape: [...x.shape], data: y };
  }
  return undefined;
}

/** Within `share` of the budget: classifiers by agreement (agreement-bound.ts: at most share × (1 - minAgreement)
 *  of the rows disagree, and, by the run's rule, the margin-aware upper bound on the disagreement rate is at most
 *  share × (1 - minAgreement), or the binomial one at most 1 - minAgreement), other nets by max |error| (at most
 *  share × tolerance). */
export function fits(s: SimplifyState, m: Measure, share: number): boolean {
  if (!Number.isFinite(m.maxAbsErr)) return false;
  if (!s.classifier) return m.maxAbsErr <= share * s.budget.tolerance;
  return agreementHolds(ruleOf(s), m.disagree, m.rows, s.budget.minAgreement, share, m.rate, confidenceOf(s));
}

/** The agreement rule when the budget does not name one. */
export const DEFAULT_AGREEMENT_RULE: AgreementRule = "margin";

/** The agreement rule this run uses: the count alone when the rows are every point of the domain (their count is
 *  the rate, not a sample of it). */
export function ruleOf(s: SimplifyState): AgreementRule {
  return s.exhaustive ? "count" : (s.budget.agreementRule ?? DEFAULT_AGREEMENT_RULE);
}

/** The confidence of the agreement bound this run uses. */
export function confidenceOf(s: SimplifyState): number {
  return s.budget.confidence ?? AGREEMENT_CONFIDENCE;
}

/** Fewest check rows (analysis rows the re-fits did not use) for any budgeted choice: a max error or an
 *  agreement measured on fewer says too little about held-out data. */
export const MIN_CHECK_ROWS = 1000;

/** Why the rows cannot support a choice within `share` of the budget (undefined: they can). A classifier's check
 *  rows must be enough that a candidate with none disagreeing bounds the rate under 1 - A at the confidence
 *  (rowsForAgreement; with confidence 0, that the share allows one disagreeing row), else agreement on the rows
 *  proves nothing at that level. */
export function tooFewRows(s: SimplifyState, rows: BudgetRows, share: number): string | undefined {
  const n = rows.checkRef[0]?.shape[0] ?? 0;
  // binomial: enough rows that none disagreeing proves the floor; otherwise enough that one may disagree
  const need = !s.classifier ? MIN_CHECK_ROWS : Math.max(MIN_CHECK_ROWS, ruleOf(s) === "binomial" ? rowsForAgreement(s.budget.minAgreement, confidenceOf(s)) : Math.ceil(1 / (share * (1 - s.budget.minAgreement))));
  return n >= need ? undefined : `too few analysis rows to choose within budget (${n} not used by the re-fits; ${need} needed)`;
}

/** The budget's measure in words, e.g. "agreement 99.95% (4 of 8000 rows differ)". */
export function describe(s: SimplifyState, m: Measure): string {
  if (s.classifier) {
    const c = confidenceOf(s), rule = ruleOf(s);
    const bound = rule === "binomial" ? `; disagreement rate <= ${(100 * rateUpperBound(m.disagree, m.rows, c)).toFixed(3)}% at ${100 * c}% confidence (one-sided Clopper-Pearson)`
      : m.rate ? `; margin-aware disagreement rate ${(100 * m.rate.estimate).toFixed(3)}%, <= ${(100 * m.rate.upper).toFixed(3)}% at ${100 * c}% confidence` : "";
    return `top-1 agreement ${(100 * (1 - m.disagree / Math.max(m.rows, 1))).toFixed(2)}% on ${m.rows} analysis rows (${m.disagree} differ${bound})`;
  }
  return `max |error| ${m.maxAbsErr.toExponential(2)} on ${m.rows} analysis rows`;
}

/** The smallest integer k in [lo, hi] for which ok(k) holds, by bisection (ok is taken to be monotone, and
 *  ok(hi) to hold: hi is "change nothing"). */
export function smallestPassing(lo: number, hi: number, ok: (k: number) => boolean): number {
  let a = lo, b = hi;
  if (a >= b) return b;
  if (ok(a)) return a;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (ok(mid)) b = mid;
    else a = mid;
  }
  return b;
}

/** Like smallestPassing, for answers near hi (most of a layer kept): gallop down from hi in steps of 1, 2, 4, ...
 *  while ok holds, then bisect the last step. Costs about 2 log2(hi - answer) calls instead of log2(hi - lo). */
export function smallestPassingFromTop(lo: number, hi: number, ok: (k: number) => boolean): number {
  let b = hi, step = 1;
  while (b - step >= lo && ok(b - step)) { b -= step; step *= 2; }
  let a = b - step; // failed, or below lo (then lo is untried)
  if (a < lo) {
    if (lo >= b) return b;
    if (ok(lo)) return lo;
    a = lo;
  }
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (ok(mid)) b = mid;
    else a = mid;
  }
  return b;
}

/** Every layer's value on some rows, in layer order, for a Net (by id, and Net inputs by name). A net exported
 *  with a fixed batch (baked into its reshapes) is run that many rows at a time, as runRows does. */
export function activations(net: Net, rows: Record<string, Tensor>, oneSample = false): Map<string, Tensor> {
  const n = rows[net.inputs[0]?.name]?.shape[0] ?? 0;
  const chunk = chunkFor(net, n, oneSample);
  const run = (part: Record<string, Tensor>) => {
    const env = new Map<string, Tensor>(Object.entries(part));
    for (const l of net.layers) env.set(l.id, runLayer(l, l.inputs.map((r) => env.get(r)!)));
    return env;
  };
  if (oneSample || n <= chunk) return run(rows);
  const parts: Map<string, Tensor>[] = [];
  for (let s = 0; s < n; s += chunk) parts.push(run(Object.fromEntries(Object.entries(rows).map(([k, t]) => [k, sliceRows(t, s, Math.min(n, s + chunk))]))));
  return new Map([...parts[0].keys()].map((k) => [k, concatRows(parts.map((p) => p.get(k)!), `value '${k}'`)]));
}

/** Largest number of values (rows × units, over every layer) activationsWhole computes in one run, as
 *  runReusing keeps (report.ts). */
const WHOLE_VALUES = 16e6;

/** activations(), all rows in one run when the net takes any batch and its values are not too many: the same
 *  values (every layer computes each row on its own) without chunks to concatenate, whose fresh arrays cost more
 *  than the run on the fit rows. */
export function activationsWhole(net: Net, rows: Record<string, Tensor>, oneSample = false): Map<string, Tensor> {
  const n = rows[net.inputs[0]?.name]?.shape[0] ?? 0;
  const size = net.layers.reduce((a, l) => a + n * l.shape.reduce((p, d) => p * d, 1), 0);
  if (oneSample || net.inputs.some((i) => typeof i.batchDim === "number") || !(size <= WHOLE_VALUES) || net.layers.some((l) => l.shape.some((d) => d < 0))) return activations(net, rows, oneSample);
  const env = new Map<string, Tensor>(Object.entries(rows));
  for (const l of net.layers) env.set(l.id, runOn(l, env));
  return env;
}

/** Run one layer on values already computed (used when a pass rebuilds a net layer by layer). */
export function runOn(l: Layer, env: Map<string, Tensor>): Tensor {
  return runLayer(l, l.inputs.map((r) => env.get(r)!));
}

/** Non-zero entries of a weight array. */
export function nonzeros(w: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) n++;
  return n;
}
