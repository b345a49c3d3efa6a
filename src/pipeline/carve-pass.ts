// The `carve` explain pass: structure the dense weights hide, recovered as a Net -> Net rewrite before build.
// Today: convolutions (and average pools) written as dense layers (src/recover/carve-conv.ts). A conv fitted to
// weights that are not exactly one leaves a residual: it is dropped only when the outputs move by no more than
// the budget (rounding level under --exact; what simplify left of --tolerance otherwise), measured by the run's
// ledger on the analysis rows and fresh points of a box domain (under --exact also certified over the box, and
// under a budget the certified bound stated); otherwise it stays as explicit weights beside the conv
// (src/recover/carve-residual.ts) and the rewrite is exact. Every rewrite is checked and its change reported.
import type { Tensor } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import { runNet } from "../net/run.ts";
import { sliceRows } from "../data/batch.ts";
import { probePass as probeNetPass } from "../passes/probe.ts";
import { carveConvs, type CarvedConv } from "../recover/carve-conv.ts";
import type { RangeEvidence } from "../recover/carve-ranges.ts";
import { findModules } from "../recover/modules.ts";
import type { NetStats } from "../passes/stats.ts";
import type { ExplainPass, ExplainState } from "./explain.ts";
import { UserError } from "../errors.ts";
import { boxOf } from "./simplify-pass.ts";
import { certifiedMaxErr, intervalBounds } from "../verify/bounds.ts";
import { boundsUnaffordable } from "../passes/bound-limit.ts";
import { perturbationBound } from "../verify/perturb.ts";
import type { BoxDomain } from "../passes/simplify.ts";
import { judgeNet, ledgerOf, record, type Ledger } from "./ledger.ts";

// A type-only import of explain.ts: importing its values here would make a cycle that breaks loading this file first.
function need<K extends keyof ExplainState>(s: ExplainState, key: K, madeBy: string): NonNullable<ExplainState[K]> {
  const v = s[key];
  if (v === undefined || v === null) throw new UserError(`pass 'carve' needs the ${String(key)}, which pass '${madeBy}' makes: run it first`);
  return v as NonNullable<ExplainState[K]>;
}

/** Relative residual of the conv fit (dense-to-conv's `tol`: the structure test). */
const CARVE_TOL = 1e-3;

/** Rows compared when checking a rewrite (enough to see a wrong conv; cheap on wide layers). */
const CHECK_ROWS = 256;

/** Largest |a - b| over the outputs of two Nets with the same inputs and outputs, on the given rows. */
export function netOutputDiff(a: Net, b: Net, feeds: Record<string, Tensor>): number {
  const ra = runNet(a, feeds, { keep: [] }).outputs, rb = runNet(b, feeds, { keep: [] }).outputs;
  let m = 0;
  for (const o of a.outputs) {
    const x = ra[o.name].data, y = rb[o.name].data;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(Number(x[i]) - Number(y[i])));
  }
  return m;
}

/** One line per carved layer, for the report. */
export function carvedLine(c: CarvedConv): string {
  const g = `${c.grid.c}x${c.grid.h}x${c.grid.w}${c.gridFrom === "factorisation" ? " (factorised width)" : ""}`;
  const dil = c.dilations.some((d) => d !== 1) ? `, dilation ${c.dilations.join("x")}` : "";
  const kept = c.explained < c.rows ? `; ${c.rows - c.explained} row(s) stay dense beside it` : "";
  const res = c.residualKept ? `; the fit's residual kept as explicit weights (${c.residualKept.layer}: ${c.residualKept.nonzero} non-zero, max |w| ${c.residualKept.maxAbs.toExponential(1)}${c.residualKept.boxBound !== undefined ? `, |R x + r| <= ${c.residualKept.boxBound.toExponential(1)} over the box` : ""})` : "";
  const where = c.evidence ?? "over the box";
  const free = c.freeWeights ? `; ${c.freeWeights} weight(s) on inputs that are 0 ${where} left free (the kernel's value taken)` : "";
  const skips = (c.skips ?? []).map((k) => `; ${k.reader}: the skip connection from the layer's input read from the conv in ${k.rows} of ${k.of} row(s) (positions where it is the identity ${where})${k.skipLeft ? ", the rest stays" : ""}`).join("");
  return `${c.layer}: dense ${c.rows} rows over image ${g} -> ${c.kind} ${c.outChannels} x ${c.kernel.join("x")}, stride ${c.strides.join("x")}, pads ${c.pads.join(",")}${dil}; ` +
    `weight residual ${c.residual.rel.toExponential(1)} relative (max ${c.residual.maxAbs.toExponential(1)}); units ${c.order}${kept}${res}${free}${skips}`;
}

/** What dropping one layer's fit residual would cost, and whether the budget allowed it. */
export interface ResidualDecision {
  layer: string;
  /** Non-zero weights of the residual (R, r) and the largest. */
  size: { nonzero: number; maxAbs: number };
  /** Max |output change| of the Net with the conv alone (and the earlier drops, and simplify's changes) vs the
   *  original Net, on the check rows. */
  change: number;
  /** The same on the ledger's fresh points of the box (when the domain is a box and the rows passed). */
  boxChange?: number;
  /** The same over the whole box, certified (when the domain is a box and simplify's change is certified; under
   *  --exact carve's own change, simplify's passes being each held to rounding). */
  certified?: number;
  /** The most the whole Net may differ from the original on the rows: rounding level under --exact, else
   *  BUDGET_SHARE.residuals x --tolerance (all of it when the rows are the whole domain). */
  budget: number;
  dropped: boolean;
}

/** A decision's change over the box: measured on the ledger's fresh points, and certified (under a budget the
 *  certificate is stated, not required: see the carve pass). */
function boxText(d: ResidualDecision, l: Ledger): string {
  const pts = d.boxChange !== undefined && l.box ? `, ${d.boxChange.toExponential(1)} on ${l.box.n} fresh points of the box` : "";
  return `${pts}${d.certified !== undefined ? `${pts ? " (certified" : ", certified"} <= ${d.certified.toExponential(1)} over the box${pts ? ")" : ""}` : ""}`;
}

/** What the carve pass adds to the explain state: the residual decisions and its certified change. */
export interface CarveOutcome {
  decisions: ResidualDecision[];
  /** Max |carved Net - Net entering carve| on the check rows. */
  maxAbsErr: number;
  /** The same, certified over the box (undefined: no box, or too big to bound). */
  certifiedMaxErr?: number;
  /** Rows the changes were measured on. */
  rows: number;
}

/** A certified bound over the box on max |output change| when layer `id`'s rows become the conv's (asDense):
 *  each row's change |(W_u - W'_u) x + b_u - b'_u| bounded over the interval of the layer's input, then carried
 *  to the outputs with |W| (src/verify/perturb.ts). Undefined when some layer downstream has no such bound. */
function droppedBound(before: Net, asDense: Net, id: string, box: BoxDomain): number | undefined {
  const a = before.layers.find((x) => x.id === id), f = asDense.layers.find((x) => x.id === id);
  if (a?.kind !== "affine" || f?.kind !== "affine") return undefined;
  const iv = intervalBounds(before, box).get(a.inputs[0]);
  if (!iv) return undefined;
  const n = a.inFeatures, rho = new Float64Array(a.outFeatures);
  for (let u = 0; u < a.outFeatures; u++) {
    let up = a.b[u] - f.b[u], dn = up;
    for (let i = 0; i < n; i++) {
      const w = a.W[u * n + i] - f.W[u * n + i];
      if (w === 0) continue;
      up += Math.max(w * iv.lo[i], w * iv.hi[i]);
      dn += Math.min(w * iv.lo[i], w * iv.hi[i]);
    }
    rho[u] = Math.max(Math.abs(up), Math.abs(dn));
  }
  const per = perturbationBound(before, id, rho);
  return per && per.reduce((m, v) => Math.max(m, v), 0);
}

export const carvePass: ExplainPass = {
  name: "carve",
  doc: "dense layers that are convolutions (or average pools) over an image become conv layers: kernels, stride, padding, dilation and unit order found from the weights; the fit's residual dropped within the budget (rounding level under --exact), else kept as explicit weights",
  run(s) {
    const net = need(s, "net", "lower");
    const data = need(s, "data", "read");
    const feeds = Object.fromEntries(net.inputs.map((inp, i) => [inp.name, data.oneSample ? data.analysis[i] : sliceRows(data.analysis[i], 0, Math.min(CHECK_ROWS, data.analysis[i].shape[0]))]));
    const box = boxOf(s, net);
    const affordable = !boundsUnaffordable(net);
    // The run's one budget (ledger.ts): a drop is judged by the whole Net after it against the original.
    let ledger = ledgerOf(s);
    const decisions: ResidualDecision[] = [];
    // Each layer's residual is dropped only when the Net with the conv alone (and every earlier carve) stays
    // within the budget, measured on the rows and the box's points (and under --exact certified). The certified change adds up (triangle
    // inequality): simplify's certificate, then per carved layer a bound on the dense form (the layer's rows
    // replaced by the conv's, which the conv computes up to rounding), where only one layer's weights differ.
    const lastCert = [...(s.simplify?.reports ?? [])].reverse().find((x) => x.certifiedMaxErr !== undefined)?.certifiedMaxErr;
    // (Under --exact simplify's passes are each held to rounding on their own; a loose certificate of theirs must not
    // keep a rounding-level residual, so there carve's own certified change is what the budget sees.)
    const simplified = !s.lowered || s.lowered === net || s.input.exact ? 0 : lastCert;
    let certifiedSoFar = 0;
    const accept = (before: Net, after: Net, c: CarvedConv, asDense: Net): boolean => {
      const v = judgeNet(ledger, after);
      const step = v.ok && box ? droppedBound(before, asDense, c.layer, box) : undefined;
      const certified = step === undefined || simplified === undefined ? undefined : simplified + certifiedSoFar + step;
      // Under --exact a drop must be proven over the box (rounding level everywhere). Under a budget it is judged as
      // every other budgeted step is, by the ledger (the whole Net against the original on the analysis rows and on
      // fresh points of the box), and the certified bound is stated beside it: simplify's budgeted passes are
      // themselves accepted on those points, so their certificate can be far looser than the change they made
      // (merge-near-parallel's is the outputs' whole range on a noisy edge detector), and a drop must not wait on it.
      const dropped = v.ok && (!box || !ledger.exact || (certified !== undefined && certified <= ledger.boxLimit));
      decisions.push({ layer: c.layer, size: c.residualSize, change: v.total, ...(v.box !== undefined ? { boxChange: v.box } : {}), ...(certified !== undefined ? { certified } : {}), budget: ledger.limit, dropped });
      if (dropped) ledger = record(ledger, "carve", `${c.layer}: the conv's fit residual dropped (${c.residualSize.nonzero} weights${certified !== undefined ? `; certified <= ${certified.toExponential(1)} over the box` : ""})`, v);
      if (dropped && step !== undefined) certifiedSoFar += step;
      return dropped;
    };
    // Where values lie: proven over the box, else observed on every row (analysis and held-out), as simplify's
    // always-on and dead-units passes saw them.
    const rowSets = data.oneSample ? [] : [data.analysis, data.heldOut].map((ts) => Object.fromEntries(net.inputs.map((inp, i) => [inp.name, ts[i]])));
    const evidence: RangeEvidence | undefined = box ? { kind: "box", box } : rowSets.length ? { kind: "rows", rows: data.heldOut === data.analysis ? rowSets.slice(0, 1) : rowSets } : undefined;
    // Every row has to be a shifted kernel within 10x the fit's tolerance (dense-to-conv's placement test); the whole
    // fit is accepted up to that same bound, since its residual is never lost: dropped only within the budget,
    // else kept as explicit weights and the rewrite exact.
    const r = carveConvs(net, { accept, tol: CARVE_TOL, maxResidual: 10 * CARVE_TOL, ...(evidence ? { evidence } : {}) });
    if (!r.carved.length) {
      // (The weight graph's clusterability is the modules pass's to report.)
      return { out: { ...s, ledger }, report: { pass: "carve", summary: "no dense layer is a convolution", details: r.kept.map((k) => `${k.layer}: stays dense (${k.reason})`) } };
    }
    // A kept residual's size over the box: the interval of R x + r, stated beside it.
    let carvedNet = r.net;
    if (box && affordable && r.carved.some((c) => c.residualKept)) {
      const iv = intervalBounds(carvedNet, box);
      carvedNet = { ...carvedNet, layers: carvedNet.layers.map((x) => {
        const c = r.carved.find((k) => k.residualKept?.layer === x.id);
        const b = iv.get(x.id);
        if (!c || !b) return x;
        let m = 0;
        for (let i = 0; i < b.lo.length; i++) m = Math.max(m, Math.abs(b.lo[i]), Math.abs(b.hi[i]));
        c.residualKept!.boxBound = m;
        return { ...x, note: `${x.note}, |value| <= ${m.toExponential(1)} over the box` };
      }) };
    }
    // A dropped residual's cost goes with the conv's statement (program.txt and program.json), as the report says.
    const rows = data.oneSample ? "the sample" : `${ledger.analysis.n} analysis rows`;
    carvedNet = { ...carvedNet, layers: carvedNet.layers.map((x) => {
      const d = decisions.find((k) => k.dropped && k.layer === x.id);
      return d ? { ...x, note: `carve dropped its fit residual: the Net without it vs the original ${d.change.toExponential(1)} on ${rows}${boxText(d, ledger)} (budget ${d.budget.toExponential(1)})` } : x;
    }) };
    const details = [...r.carved.map(carvedLine), ...r.kept.map((k) => `${k.layer}: stays dense (${k.reason})`)];
    const maxAbsErr = netOutputDiff(net, carvedNet, feeds);
    // Over the box: bounds of the whole carved Net against the Net before are tight where the rewrite is exact (a
    // kept residual) and loose where a residual was dropped; then the per-layer bounds (up to float rounding) are used.
    const drops = decisions.filter((d) => d.dropped);
    const whole = box && affordable ? certifiedMaxErr(net, carvedNet, box).maxErr : undefined;
    const certified = drops.length ? (drops.every((d) => d.certified !== undefined) ? Math.min(whole ?? Infinity, certifiedSoFar) : undefined) : whole;
    if (decisions.length) details.push(`budget for dropping fit residuals: the run's one budget (the whole Net vs the original within ${ledger.limit.toExponential(2)} on ${ledger.analysis.n} analysis rows${ledger.box ? `, ${ledger.boxLimit.toExponential(2)} over the box` : ""}${ledger.exact ? ": rounding level under --exact" : ""}), shared with simplify, the builder and the residuals pass`);
    for (const d of decisions) {
      details.push(`${d.layer}: with the conv alone the Net differs from the original by ${d.change.toExponential(1)} on ${rows}${boxText(d, ledger)}: ${d.dropped ? "within" : "over"} the budget, residual ${d.dropped ? "dropped" : "kept"}`);
    }
    details.push(`carved Net vs the Net before: max |difference| ${maxAbsErr.toExponential(1)} on ${data.oneSample ? "the sample" : `${feeds[net.inputs[0].name].shape[0]} analysis rows`}${certified !== undefined ? `, certified <= ${certified.toExponential(1)} over the box` : ""}`);
    // Units changed: probe the carved Net again so the statistics name its layers.
    const stats = s.stats ? probeNetPass.run({ net: carvedNet, data: Object.fromEntries(net.inputs.map((inp, i) => [inp.name, data.analysis[i]])), oneSample: data.oneSample }).out.stats : undefined;
    const kept = r.carved.filter((c) => c.residualKept).length;
    const carve: CarveOutcome = { decisions, maxAbsErr, rows: ledger.analysis.n, ...(certified !== undefined ? { certifiedMaxErr: certified } : {}) };
    return {
      out: { ...s, net: carvedNet, carve, ledger, ...(stats ? { stats } : {}) },
      report: {
        pass: "carve",
        summary: `${r.carved.length} dense layer(s) carved: ${r.carved.map((c) => `${c.layer} -> ${c.kind} ${c.outChannels}x${c.kernel.join("x")}${c.residualKept ? " + residual" : ""}`).join(", ")}` +
          `${kept ? `; ${kept} fit residual(s) kept as explicit weights (over the budget)` : ""}; max output change ${maxAbsErr.toExponential(1)}${certified !== undefined ? ` (certified <= ${certified.toExponential(1)} over the box)` : ""}`,
        details, maxAbsErr,
      },
    };
  },
};

/** Graphs smaller than this are not worth a clusterability line (compiled nets: modules say more). */
const CLUSTER_MIN_NODES = 64;
/** Clusters compared with shuffled copies, as in Filan et al. */
const CLUSTER_K = 12;

/** Whether the dense layers' weight graph has modules at all: spectral clusters (k from the eigengap) and their
 *  n-cut beside the n-cut of weight-shuffled copies (lower than shuffled = more modular than chance). */
export function clusterability(net: Net, stats?: NetStats): string | undefined {
  const n = net.layers.reduce((a, l) => a + (l.kind === "affine" ? l.outFeatures : 0), 0);
  if (n < CLUSTER_MIN_NODES || n > 20000) return undefined;
  const gap = findModules(net, stats, { minSplit: CLUSTER_MIN_NODES, shuffles: 0 });
  if (gap.graph.adj.n < CLUSTER_MIN_NODES) return undefined;
  // At the paper's k = 12 (Filan et al.), beside shuffled copies; the eigengap's own choice is stated too. (The same
  // graph: its components' spectral bases are built once for both.)
  const m = findModules(net, stats, { minSplit: CLUSTER_MIN_NODES, k: CLUSTER_K, shuffles: 3, graph: gap.graph });
  const shuf = m.shuffled ? ` vs ${m.shuffled.mean.toFixed(3)} +- ${m.shuffled.sd.toFixed(3)} on ${m.shuffled.copies} weight-shuffled copies` : "";
  return `clusterability of the dense layers' weight graph (${m.graph.adj.n} units): the eigengap suggests ${gap.count} cluster(s); ` +
    `at k = ${CLUSTER_K}, n-cut ${m.ncut.toFixed(3)}${shuf}`;
}
