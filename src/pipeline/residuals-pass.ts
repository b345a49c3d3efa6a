// The residuals pass (budgeted mode only): a named value that is not exact is built as `y = named + r`, with r
// the slice's own units minus the name (src/recover/slice-build.ts, whole-net.ts). When the program without r
// stays within the budget, r is dropped (src/program/drop-residual.ts: named + r -> named) and what it cost is
// stated: in program.json (`droppedResiduals`), on the statement's comment, in this pass's report; verify then
// measures the program against the original on the held-out rows, so the cost shows in the fidelity too.
//
// The budget is simplify's --tolerance (default 1e-3 x the outputs' range; class scores must also keep
// --min-agreement), and it is shared: the decision measures the whole program (simplify's change and every drop so far) against the
// original Net, within BUDGET_SHARE.residuals of the budget on the analysis rows; when the domain is a box, also
// within the whole budget on a fresh sample of it (points no choice has seen); when the analysis rows are every point
// of the domain, within the whole budget on them (explain-budget.ts residualShare). Under --exact nothing is dropped.
import type { Tensor } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import { runRows } from "../passes/report.ts";
import { dropResidual, residualSites } from "../program/drop-residual.ts";
import { paramWeights, type DroppedResidual, type Program } from "../program/program.ts";
import { runProgram } from "../program/run.ts";
import { looksLikeScores, maxAbsErr, topAgrees } from "../verify/metrics.ts";
import { parseDomain, sampleDomain } from "./domain.ts";
import { explainBudget, residualShare, type ExplainBudget } from "./explain-budget.ts";
import { need, type ExplainPass, type ExplainState } from "./explain.ts";

/** Points of the box drawn afresh to check a drop on (besides the analysis rows). */
export const BOX_CHECK_ROWS = 2048;

/** Rows to judge on: inputs (per program input), and the original Net's outputs on them. */
interface Rows { inputs: Tensor[]; ref: Tensor[]; n: number }

export const residualsPass: ExplainPass = {
  name: "residuals",
  doc: "budgeted mode: drop a named value's residual r (y = named + r -> y = named) when the program stays within --tolerance; its measured cost stated",
  run(s) {
    const program = need(s, "program", "residuals", "build");
    const sites = residualSites(program);
    const none = (summary: string) => ({ out: s, report: { pass: "residuals", summary, details: [] } });
    if (!sites.length) return none("no residual to drop");
    if (s.input.exact) return none(`${sites.length} residual(s) kept (--exact)`);
    const data = need(s, "data", "residuals", "read");
    const net = s.lowered ?? need(s, "net", "residuals", "lower");
    const analysis = rowsOf(net, data.analysis, data.oneSample);
    const budget = explainBudget(s, net, analysis.ref);
    const box = boxRows(s, net);
    const share = residualShare(s);
    const limit = `max |error| <= ${share} x ${budget.tolerance.toExponential(2)} (--tolerance)${budget.classifier ? ` and top-1 agreement >= ${(100 * budget.minAgreement).toFixed(2)}% (share ${share} of the disagreements allowed; a class tied for the program's largest score agrees)` : ""}`;
    const details = [`budget: ${limit}, measured for the whole program against the original Net on ${analysis.n} analysis rows${share === 1 ? " (every point of the domain: no margin is kept for unseen points)" : ""}${box ? `, and within the whole budget on ${box.n} fresh points of the box` : ""}`];
    // Cheapest first: each site's own effect on the outputs, measured alone.
    const base = runProgram(program, analysis.inputs);
    const alone = sites.map((site) => ({ site, change: maxDiff(runProgram(dropResidual(program, site), analysis.inputs), base) }));
    alone.sort((a, b) => a.change - b.change);
    let cur = program;
    const dropped: DroppedResidual[] = [];
    for (const { site, change } of alone) {
      const next = dropResidual(cur, site);
      const onAnalysis = judge(next, analysis, budget, share);
      const onBox = box && onAnalysis.ok ? judge(next, box, budget, 1) : undefined;
      const ok = onAnalysis.ok && (!onBox || onBox.ok);
      const cost = `program vs original ${onAnalysis.err.toExponential(1)} on the analysis rows${onBox ? `, ${onBox.err.toExponential(1)} on ${box!.n} box points` : ""}`;
      if (!ok) {
        details.push(`${site.fn}/${site.value}: kept ${site.residual} (r changes the outputs by ${change.toExponential(1)}; without it ${cost}: over budget)`);
        continue;
      }
      const record: DroppedResidual = {
        fn: site.fn, value: site.value, residual: site.residual, stated: site.stated,
        units: hiddenUnits(cur) - hiddenUnits(next), weights: nonzeroWeights(cur) - nonzeroWeights(next),
        cost: { analysis: onAnalysis.err, rows: analysis.n, ...(onBox ? { box: onBox.err, boxRows: box!.n } : {}) },
        budget: share * budget.tolerance,
      };
      cur = annotate(next, record);
      dropped.push(record);
      details.push(`${site.fn}/${site.value}: dropped ${site.residual} (${record.units} units, ${record.weights} weights; r changes the outputs by ${change.toExponential(1)}; without it ${cost})`);
    }
    const out = dropped.length ? { ...cur, droppedResiduals: [...(program.droppedResiduals ?? []), ...dropped] } : program;
    const worst = Math.max(0, ...dropped.map((d) => Math.max(d.cost.analysis, d.cost.box ?? 0)));
    return {
      out: { ...s, program: out },
      report: {
        pass: "residuals",
        summary: dropped.length ? `dropped ${dropped.length} of ${sites.length} residual(s) within --tolerance (program vs original ${worst.toExponential(1)} after the drops)` : `${sites.length} residual(s) kept: none fits the budget`,
        details,
        ...(dropped.length ? { maxAbsErr: worst } : {}),
      },
    };
  },
};

/** The named statement states that its residual was dropped, and at what cost. */
function annotate(p: Program, d: DroppedResidual): Program {
  const note = `${d.residual} dropped (within --tolerance): program vs original ${d.cost.analysis.toExponential(1)} on the data`;
  return {
    ...p,
    functions: p.functions.map((f) => f.name !== d.fn ? f : {
      ...f, body: f.body.map((st) => (st.kind === "prim" && st.out.name === d.value ? { ...st, comment: [st.comment, note].filter(Boolean).join("; ") } : st)),
    }),
  };
}

function rowsOf(net: Net, inputs: Tensor[], oneSample: boolean): Rows {
  const feeds = Object.fromEntries(net.inputs.map((inp, i) => [inp.name, inputs[i]]));
  return { inputs, ref: runRows(net, feeds, oneSample), n: inputs[0]?.shape[0] ?? 0 };
}

/** Fresh points of the box domain (another seed than the analysis rows), when the domain is a box. */
function boxRows(s: ExplainState, net: Net): Rows | undefined {
  const d = s.input.domain;
  if (s.input.data || d === undefined || !s.model) return undefined;
  const dom = typeof d === "string" ? parseDomain(d) : d;
  if (dom.kind !== "box") return undefined;
  const pts = sampleDomain(dom, s.model.graph.inputs, BOX_CHECK_ROWS, (s.input.seed ?? 0) + 104729);
  return rowsOf(net, pts.tensors, false);
}

/** The program against the original on some rows, within `share` of the budget? */
function judge(p: Program, rows: Rows, b: ExplainBudget, share: number): { ok: boolean; err: number } {
  const got = runProgram(p, rows.inputs);
  const err = maxDiff(got, rows.ref);
  if (!Number.isFinite(err)) return { ok: false, err };
  // The residual's size against --tolerance is the rule; class scores must also keep their top-1.
  if (!(err <= share * b.tolerance)) return { ok: false, err };
  if (!b.classifier) return { ok: true, err };
  let differ = 0;
  got.forEach((g, k) => {
    if (looksLikeScores(rows.ref[k])) differ = Math.max(differ, disagreements(rows.ref[k], g));
  });
  return { ok: differ <= Math.floor(share * (1 - b.minAgreement) * rows.n + 1e-9), err };
}

function maxDiff(a: readonly Tensor[], b: readonly Tensor[]): number {
  let m = 0;
  a.forEach((t, k) => { m = Math.max(m, maxAbsErr(b[k].data as ArrayLike<number>, t.data as ArrayLike<number>)); });
  return m;
}

/** Rows where the program contradicts the original's top-1, ties within rounding agreeing (a named program's scores
 *  tie exactly, e.g. bits [1, 1, 0]: any of the tied classes agrees; verify counts the same way, topAgrees). */
function disagreements(original: Tensor, program: Tensor): number {
  const k = original.shape[original.shape.length - 1];
  const x = original.data as ArrayLike<number>, y = program.data as ArrayLike<number>;
  let d = 0;
  for (let r = 0; r * k < x.length; r++) if (!topAgrees(x, y, r * k, k)) d++;
  return d;
}

/** Hidden units of a program's statements: rows of its affine statements that have an activation. */
function hiddenUnits(p: Program): number {
  let n = 0;
  for (const f of p.functions) for (const st of f.body) if (st.kind === "prim" && st.prim.kind === "affine" && st.prim.params.act) n += st.prim.params.W.shape[0];
  return n;
}

/** Non-zero values of the weights a program's statements compute with. */
function nonzeroWeights(p: Program): number {
  const seen = new Set<string>();
  let n = 0;
  for (const f of p.functions) {
    for (const st of f.body) {
      if (st.kind !== "prim") continue;
      for (const w of paramWeights(st.prim)) {
        if (seen.has(w.name)) continue;
        seen.add(w.name);
        for (const v of w.data) if (v !== 0) n++;
      }
    }
  }
  return n;
}
