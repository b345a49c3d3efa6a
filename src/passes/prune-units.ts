// prune-units (budgeted): remove the hidden units that matter least and re-fit the layer that reads them by least
// squares on the units kept; keep the fewest units within budget, layer by layer.
//   next(relu(z)) = V a + c  ->  V'_K a_K + c'   (K: the kept units; V', c' re-fit to reproduce V a + c)
// Importance of unit u: rms of its activation times the norm of its outgoing weights (its typical contribution
// to the next layer). Applies to dense hidden layers read by one dense layer; others are left as they are.
import type { Tensor } from "../graph/tensor.ts";
import type { Layer, Net } from "../net/net.ts";
import type { SimplifyPass, SimplifyState } from "./simplify.ts";
import { simplifyReport } from "./report.ts";
import { applyPlan, outgoing, unitSites, type UnitSite } from "./sites.ts";
import { activations, budgetRows, BUDGET_SHARE, describe, fits, measure, smallestPassing, tooFewRows, type BudgetRows, type Measure } from "./budget.ts";
import { columnRms } from "./prune-weights.ts";
import { crossAug, refitRow, type RefitProblem } from "./refit.ts";

/** A site this pass handles: a dense hidden layer whose activation only a dense layer reads, directly. */
function simpleSite(site: UnitSite): boolean {
  const o = site.outs[0];
  return site.pre.kind === "affine" && site.outs.length === 1 && o.path.length === 0 && o.next.kind === "affine" && o.offset === 0 && o.positions === 1 && o.next.inFeatures === site.units;
}

/** The net with only units `kept` (ascending) of the site, its reader re-fit on them. G is the augmented Gram of
 *  the site's activations on the fit rows ((n+1) × (n+1), the ones column last). */
function withUnits(net: Net, site: UnitSite, kept: number[], G: Float64Array): Net {
  const n = site.units;
  const next = site.outs[0].next as Layer & { kind: "affine" };
  const idx = [...kept, n];
  const k = kept.length;
  const m = n + 1;
  // the re-fit problem on the kept units: G' = G[K, K], targets (X'^T X w̃)_K = G[K, :] w̃
  const Gk = new Float64Array((k + 1) * (k + 1));
  idx.forEach((a, i) => idx.forEach((c, j) => (Gk[i * (k + 1) + j] = G[a * m + c])));
  const targets: Float64Array[] = [];
  const w = new Float64Array(m);
  for (let o = 0; o < next.outFeatures; o++) {
    for (let j = 0; j < n; j++) w[j] = next.W[o * n + j];
    w[n] = next.b[o];
    targets.push(Float64Array.from(idx, (a) => {
      let s = 0;
      for (let j = 0; j < m; j++) s += G[a * m + j] * w[j];
      return s;
    }));
  }
  const p: RefitProblem = { G: Gk, n: k + 1, targets };
  const plan = kept.map((u) => ({ src: u, inScale: 1, out: [{ from: u, coef: 1 }] }));
  const edited = applyPlan(net, site, plan);
  const W = new Float32Array(next.outFeatures * k), b = new Float32Array(next.outFeatures);
  const support = Array.from({ length: k }, (_, i) => i);
  for (let o = 0; o < next.outFeatures; o++) {
    const w0 = Float64Array.from(idx, (a) => (a === n ? next.b[o] : next.W[o * n + a]));
    const row = refitRow(p, o, support, w0);
    for (let i = 0; i < k; i++) W[o * k + i] = row[i];
    b[o] = row[k];
  }
  return { ...edited, layers: edited.layers.map((l) => (l.id === next.id && l.kind === "affine" ? { ...l, W, b } : l)) };
}

/** Prune one site: the fewest units (most important kept) within the budget share. */
function pruneSite(s: SimplifyState, net: Net, site: UnitSite, rows: BudgetRows): { net: Net; kept: number; m?: Measure; tried: number } {
  const n = site.units;
  const A = activations(net, rows.fit).get(site.act.id)!.data as Float32Array;
  const rms = columnRms(A, n);
  const imp = Array.from({ length: n }, (_, u) => {
    const out = outgoing(site, u);
    let sq = 0;
    for (const v of out) sq += v * v;
    return rms[u] * Math.sqrt(sq);
  });
  const order = imp.map((v, u) => ({ v, u })).sort((a, b) => b.v - a.v || a.u - b.u).map((x) => x.u);
  const G = crossAug(A, n, A, n, rows.fitCount);
  const nets = new Map<number, Net>();
  const cand = (k: number) => {
    if (k >= n) return net;
    let c = nets.get(k);
    if (!c) { c = withUnits(net, site, order.slice(0, k).sort((a, b) => a - b), G); nets.set(k, c); }
    return c;
  };
  let tried = 0;
  let k = smallestPassing(1, n, (k) => (tried++, fits(s, measure(s, cand(k), rows.search, rows.searchRef), BUDGET_SHARE.units)));
  let m = measure(s, cand(k), rows.check, rows.checkRef);
  while (k < n && !fits(s, m, BUDGET_SHARE.units)) {
    k = Math.min(n, Math.ceil(k * 1.2));
    m = measure(s, cand(k), rows.check, rows.checkRef);
  }
  return { net: cand(k), kept: k, m, tried };
}

export const pruneUnitsPass: SimplifyPass = {
  name: "prune-units",
  kind: "budgeted",
  doc: "the least important hidden units (rms activation x outgoing norm) removed and the layer reading them re-fit by least squares; the fewest units within budget",
  run(s: SimplifyState) {
    if (s.budget.exact) return simplifyReport(this, s, s, "skipped (--exact)");
    const rows = budgetRows(s);
    const few = tooFewRows(s, rows, BUDGET_SHARE.units);
    if (few) return simplifyReport(this, s, s, few);
    let net = s.net;
    const details: string[] = [];
    let last: Measure | undefined;
    for (const site0 of unitSites(s.net)) {
      const site = unitSites(net).find((x) => x.pre.id === site0.pre.id);
      if (!site || !simpleSite(site)) {
        details.push(`${site0.pre.id}: not a dense layer read by one dense layer; left as is`);
        continue;
      }
      const r = pruneSite(s, net, site, rows);
      details.push(`${site.pre.id}: kept ${r.kept} of ${site.units} units (${r.tried} candidates searched)`);
      net = r.net;
      last = r.m;
    }
    if (last) details.push(`budget share ${BUDGET_SHARE.units}: ${describe(s, last)}`);
    const removed = details.length ? details.filter((d) => d.includes("kept")).join("; ") : "no prunable hidden layers";
    return simplifyReport(this, s, { ...s, net }, net === s.net ? "kept every unit (no smaller layer within budget)" : removed, details);
  },
};
