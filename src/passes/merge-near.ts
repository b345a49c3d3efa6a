// merge-near-parallel (budgeted): units whose incoming weights are parallel up to a small angle (the split
// obfuscation under weight noise, or what training leaves) are merged into one, and the layer that reads them re-fit:
//   c1 relu(w.x + b) + c2 relu(s (w + e).x + s (b + d))  ->  (c1 + beta c2) relu(w.x + b) + gamma c2
// beta = the projection of the copy's incoming row on the kept unit's (s for an exact copy: relu(s z) = s relu(z)),
// gamma = the least-squares constant of what is left (mean of a_v - beta a_u on the fit rows). Any number of copies
// merge (union-find). Opposite rows (relu(z), relu(-z)) are candidates too, measured like the others: one merges
// only when the cost measured says so (without a linear path to the reader they seldom can).
// Which merges are made is decided by measured cost, not by an angle: candidate pairs (|cos| >= COS_FLOOR, a bound on
// the search only) are ordered by their angle, parallel pairs first, then opposite ones; each prefix of that order
// is merged and the longest prefix whose whole Net stays within the budget share against the original is kept
// (bisection on the search rows, then checked on the rows no choice saw). Only under a budget: --exact keeps the
// exact merge (merge-parallel.ts). Applies to hidden layers whose units one dense layer reads as a vector (directly
// or through a concat); others are left as they are. With a box domain and too few analysis rows to choose on,
// fresh points of the box are drawn to fit and choose on (any point of the box is valid data).
import type { Tensor } from "../graph/tensor.ts";
import type { Layer, Net } from "../net/net.ts";
import type { SimplifyPass, SimplifyState } from "./simplify.ts";
import { runRows, simplifyReport } from "./report.ts";
import { applyPlan, incoming, rowLength, unitSites, type UnitSite } from "./sites.ts";
import { positiveHomogeneous } from "./net-edit.ts";
import { rowsForAgreement } from "./agreement-bound.ts";
import { activationsWhole, budgetRows, BUDGET_SHARE, confidenceOf, describe, fits, measure, measureShared, sharedValues, smallestPassing, tooFewRows, type BudgetRows, type Measure } from "./budget.ts";
import { crossAug } from "./refit.ts";
import { rng } from "../util/rng.ts";
import { f32 } from "../graph/tensor.ts";
import { concatRows } from "../data/batch.ts";

/** Pairs considered at all: |cos| of the incoming rows (bias included) at least this. A bound on the search, not
 *  the decision (the measured cost decides); rows this far from parallel are never copies of one unit. */
const COS_FLOOR = 0.99;
/** Most units per site the pairwise search reads, and most multiply-adds it spends on row products (n^2 / 2 x the
 *  row length: a VGG classifier's 4,096 x 25,088 layer would take 2e11). */
const MAX_UNITS = 4096;
const MAX_PAIR_WORK = 2e9;

type Affine = Layer & { kind: "affine" };

/** A site this pass handles: a positively homogeneous activation read by one dense layer as a vector. */
function mergeable(site: UnitSite): boolean {
  const o = site.outs[0];
  const work = (site.units * site.units / 2) * (rowLength(site.pre) + 1);
  return site.outs.length === 1 && positiveHomogeneous(site.act) && o.next.kind === "affine" && o.positions === 1 && site.units >= 2 && site.units <= MAX_UNITS && work <= MAX_PAIR_WORK;
}

/** One candidate merge: unit `drop` into unit `keep`; cos of their rows (negative: opposite). */
interface Pair { keep: number; drop: number; cos: number }

/** Fresh points of a box domain drawn to fit and choose on when the analysis rows are too few (any point of the
 *  box is valid data): this many for the re-fits and as many for the choice. */
const BOX_ROWS = 2000;

/** The budget rows, with fresh box points added to the fit and check rows when the analysis rows alone are too few
 *  to choose on and the domain is a box (the original's outputs computed on them). */
function mergeRows(s: SimplifyState): BudgetRows {
  const rows = budgetRows(s);
  if (!s.box || s.oneSample || !tooFewRows(s, rows, BUDGET_SHARE.merge)) return rows;
  const u = rng(0x6d657267);
  const draw = (n: number) => Object.fromEntries(s.original.inputs.map((inp) => {
    const b = s.box![inp.name];
    const per = b.lo.length;
    const data = new Float32Array(n * per);
    for (let r = 0; r < n; r++) for (let i = 0; i < per; i++) data[r * per + i] = b.lo[i] + (b.hi[i] - b.lo[i]) * u();
    return [inp.name, f32([n, ...inp.shape], data) as Tensor];
  }));
  const join = (a: Record<string, Tensor>, b: Record<string, Tensor>) => Object.fromEntries(Object.keys(a).map((k) => [k, concatRows([a[k], b[k]], k)]));
  const fit = join(rows.fit, draw(BOX_ROWS));
  // a classifier's choice needs enough rows that one disagreement is within the share (budget.ts tooFewRows)
  const c = confidenceOf(s);
  const need = !s.classifier ? 0 : c > 0 ? rowsForAgreement(s.budget.minAgreement, c) : Math.ceil(1 / (BUDGET_SHARE.merge * (1 - s.budget.minAgreement)));
  // (twice the rows that prove the floor with none disagreeing, so a candidate may flip a row near a tie)
  const check = join(rows.check, draw(Math.max(BOX_ROWS, 2 * need)));
  const checkRef = runRows(s.original, check);
  return { fit, fitCount: rows.fitCount + BOX_ROWS, search: check, searchRef: checkRef, check, checkRef };
}

/** Candidate pairs of a site, most parallel first, then the opposite ones, most opposite first. */
function candidatePairs(site: UnitSite): { parallel: Pair[]; opposite: Pair[] } {
  const rows = Array.from({ length: site.units }, (_, u) => {
    const r = incoming(site.pre, u);
    let n = 0;
    for (const v of r) n += v * v;
    n = Math.sqrt(n);
    return n > 0 ? r.map((v) => v / n) : undefined;
  });
  const parallel: Pair[] = [], opposite: Pair[] = [];
  for (let i = 0; i < site.units; i++) {
    const a = rows[i];
    if (!a) continue;
    for (let j = i + 1; j < site.units; j++) {
      const b = rows[j];
      if (!b) continue;
      let c = 0;
      for (let k = 0; k < a.length; k++) c += a[k] * b[k];
      if (c >= COS_FLOOR) parallel.push({ keep: i, drop: j, cos: c });
      else if (c <= -COS_FLOOR) opposite.push({ keep: i, drop: j, cos: c });
    }
  }
  parallel.sort((p, q) => q.cos - p.cos || p.keep - q.keep || p.drop - q.drop);
  opposite.sort((p, q) => p.cos - q.cos || p.keep - q.keep || p.drop - q.drop);
  return { parallel, opposite };
}

/** The units a prefix of the pairs removes: union-find in order, each pair joining two groups removes one unit
 *  (the group's later member; a group keeps its first unit), so any number of copies merge into one. */
function removals(pairs: readonly Pair[], n: number, already: ReadonlySet<number> = new Set()): Removal[] {
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const out: Removal[] = [];
  for (const p of pairs) {
    if (already.has(p.keep) || already.has(p.drop)) continue;
    const a = find(p.keep), b = find(p.drop);
    if (a === b) continue;
    const [root, gone] = a < b ? [a, b] : [b, a];
    parent[gone] = root;
    out.push({ unit: gone, into: root });
  }
  return out;
}

/** A unit merged away, and the unit (its group's first) whose column takes over its outgoing weights. */
interface Removal { unit: number; into: number }

/** The kept unit each removed unit goes into, following chains (a unit's `into` may itself be removed later). */
function targetsOf(gone: readonly Removal[]): Map<number, number> {
  const into = new Map(gone.map((r) => [r.unit, r.into]));
  const root = (u: number): number => (into.has(u) ? root(into.get(u)!) : u);
  return new Map(gone.map((r) => [r.unit, root(r.unit)]));
}

/** The net without the site's units `gone`, the reader re-fit per merged unit: a removed unit v is a copy of the
 *  unit u it merges into up to scale, relu(beta z_u + e) = beta relu(z_u) + r, with beta the projection of v's
 *  incoming row on u's (relu(s z) = s relu(z), exact for a true copy, and defined where the data never activates
 *  them); the remainder r is fitted on the fit rows by least squares with a constant, gamma = mean(a_v - beta a_u).
 *  The reader's weights follow: w[u] += beta w[v], bias += gamma w[v]. Every other weight of the reader is left as it
 *  was, so what it shows elsewhere (a pair's equal weights, which the abs readings need) is kept. G: the augmented
 *  Gram of the reader's input on the fit rows (the ones column last). */
function withoutUnits(net: Net, site: UnitSite, gone: readonly Removal[], G: Float64Array): Net {
  const removed = new Set(gone.map((r) => r.unit));
  const into = targetsOf(gone);
  const o = site.outs[0];
  const next = o.next as Affine;
  const inF = next.inFeatures, m = inF + 1;
  const W0 = Float64Array.from(next.W), b0 = Float64Array.from(next.b);
  const N = G[inF * m + inF];
  for (const [v, u] of into) {
    const cu = o.offset + u, cv = o.offset + v;
    const ru = incoming(site.pre, u), rv = incoming(site.pre, v);
    let uv = 0, uu = 0;
    for (let i = 0; i < ru.length; i++) { uv += ru[i] * rv[i]; uu += ru[i] * ru[i]; }
    const beta = uu > 0 ? uv / uu : 0;
    const gamma = N > 0 ? (G[cv * m + inF] - beta * G[cu * m + inF]) / N : 0;
    for (let r = 0; r < next.outFeatures; r++) {
      const wv = W0[r * inF + cv];
      if (wv === 0) continue;
      W0[r * inF + cu] += beta * wv;
      b0[r] += gamma * wv;
    }
  }
  const keepCols = Array.from({ length: inF }, (_, c) => c).filter((c) => c < o.offset || c >= o.offset + site.units || !removed.has(c - o.offset));
  const k = keepCols.length;
  const W = new Float32Array(next.outFeatures * k);
  for (let r = 0; r < next.outFeatures; r++) keepCols.forEach((c, i) => (W[r * k + i] = W0[r * inF + c]));
  const plan = Array.from({ length: site.units }, (_, u) => u).filter((u) => !removed.has(u)).map((u) => ({ src: u, inScale: 1, out: [{ from: u, coef: 1 }] }));
  const edited = applyPlan(net, site, plan);
  return { ...edited, layers: edited.layers.map((l) => (l.id === next.id && l.kind === "affine" ? { ...l, W, b: Float32Array.from(b0) } : l)) };
}

/** Merge one site: the longest prefix of its parallel pairs, then of its opposite pairs, within the budget share. */
function mergeSite(s: SimplifyState, net: Net, site: UnitSite, rows: BudgetRows): { net: Net; removed: Removal[]; parallel: number; opposite: number; m?: Measure; tried: number } {
  const { parallel, opposite } = candidatePairs(site);
  const none = { net, removed: [], parallel: 0, opposite: 0, tried: 0 };
  if (!parallel.length && !opposite.length) return none;
  const next = site.outs[0].next as Affine;
  const values = activationsWhole(net, rows.fit, s.oneSample);
  const X = values.get(next.inputs[0])!.data as Float32Array;
  const G = crossAug(X, next.inFeatures, X, next.inFeatures, rows.fitCount);
  const on = (sub: Record<string, Tensor>, ref: Tensor[]) => {
    const shared = sharedValues(s, net, sub, site.pre.id);
    return (c: Net) => (shared ? measureShared(s, c, shared, ref) : measure(s, c, sub, ref));
  };
  const onSearch = on(rows.search, rows.searchRef), onCheck = on(rows.check, rows.checkRef);
  let tried = 0;
  const nets = new Map<string, Net>();
  const cand = (gone: readonly Removal[]) => {
    if (!gone.length) return net;
    const key = gone.map((r) => r.unit).sort((a, b) => a - b).join(",");
    let c = nets.get(key);
    if (!c) { c = withoutUnits(net, site, gone, G); nets.set(key, c); }
    return c;
  };
  // The longest prefix within budget: bisection on how many of the removals to undo (none undone = all merged).
  const longest = (base: Removal[], order: Removal[]): Removal[] => {
    if (!order.length) return base;
    const undo = smallestPassing(0, order.length, (j) => (tried++, fits(s, onSearch(cand([...base, ...order.slice(0, order.length - j)])), BUDGET_SHARE.merge)));
    let keep = order.length - undo;
    // checked on the rows the re-fit did not see; fewer merges while it fails there
    while (keep > 0 && !fits(s, onCheck(cand([...base, ...order.slice(0, keep)])), BUDGET_SHARE.merge)) keep = Math.floor(keep / 2);
    return [...base, ...order.slice(0, keep)];
  };
  const afterParallel = longest([], removals(parallel, site.units));
  const all = longest(afterParallel, removals(opposite, site.units, new Set(afterParallel.map((r) => r.unit))));
  if (!all.length) return { ...none, tried };
  const out = cand(all);
  return { net: out, removed: all, parallel: afterParallel.length, opposite: all.length - afterParallel.length, m: onCheck(out), tried };
}

export const mergeNearPass: SimplifyPass = {
  name: "merge-near-parallel",
  kind: "budgeted",
  doc: "units whose incoming weights are parallel (or opposite, where the reader also reads the layer's input) up to a small angle merged, the reader re-fit by least squares; the most merges within budget, by measured cost",
  run(s: SimplifyState) {
    if (s.budget.exact) return simplifyReport(this, s, s, "skipped (--exact: merge-parallel merges exact copies only)");
    const rows = mergeRows(s);
    const few = tooFewRows(s, rows, BUDGET_SHARE.merge);
    if (few) return simplifyReport(this, s, s, few);
    let net = s.net;
    const details: string[] = [];
    let last: Measure | undefined, merged = 0;
    for (const site0 of unitSites(s.net)) {
      const site = unitSites(net).find((x) => x.pre.id === site0.pre.id);
      if (!site || !mergeable(site)) {
        if (site && site.units > MAX_UNITS || (site && (site.units * site.units / 2) * (rowLength(site.pre) + 1) > MAX_PAIR_WORK)) details.push(`${site!.pre.id}: not searched (${site!.units} units x ${rowLength(site!.pre)} weights: the pairwise search would cost more than ${MAX_PAIR_WORK.toExponential(0)} products)`);
        continue;
      }
      const r = mergeSite(s, net, site, rows);
      if (!r.removed.length) continue;
      details.push(`${site.pre.id}: ${r.removed.length} of ${site.units} units merged into near-parallel ones (${r.parallel} parallel, ${r.opposite} opposite; ${r.tried} candidates measured)`);
      net = r.net;
      merged += r.removed.length;
      last = r.m;
    }
    if (last) details.push(`budget share ${BUDGET_SHARE.merge}: ${describe(s, last)}`);
    return simplifyReport(this, s, { ...s, net }, merged ? `merged ${merged} near-parallel unit(s) within budget, readers re-fit` : "no near-parallel units merged within budget", details);
  },
};
