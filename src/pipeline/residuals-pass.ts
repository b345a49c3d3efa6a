// The residuals pass (budgeted mode only): a named value that is not exact is built as `y = named + r`, with r
// the slice's own units minus the name (src/recover/slice-build.ts, whole-net.ts). When the program without r
// stays within the budget, r is dropped (src/program/drop-residual.ts: named + r -> named) and what it cost is
// stated: in program.json (`droppedResiduals`), on the statement's comment, in this pass's report; verify then
// measures the program against the original on the held-out rows, so the cost shows in the fidelity too.
//
// The budget is the run's one budget (src/pipeline/ledger.ts: --tolerance, default 1e-3 x the outputs' range; class
// scores must also keep --min-agreement), shared by every budgeted step: the decision measures the whole program
// (simplify's, carve's and the builder's changes and every drop so far) against the original Net, within BUDGET_SHARE.residuals of the budget on the analysis rows; when the domain is a box, also
// within the whole budget on a fresh sample of it (points no choice has seen); when the analysis rows are every point
// of the domain, within the whole budget on them (explain-budget.ts residualShare). Under --exact nothing is dropped.
import type { Tensor } from "../graph/tensor.ts";
import { dropResidual, residualSites } from "../program/drop-residual.ts";
import { paramWeights, type DroppedResidual, type Program } from "../program/program.ts";
import { runProgram } from "../program/run.ts";
import { maxAbsErr } from "../verify/metrics.ts";
import { need, type ExplainPass } from "./explain.ts";
import { budgetSpent, judgeProgram, ledgerOf, record as recordStep, spent } from "./ledger.ts";

export { BOX_CHECK_ROWS } from "./ledger.ts";

export const residualsPass: ExplainPass = {
  name: "residuals",
  doc: "budgeted mode: drop a named value's residual r (y = named + r -> y = named) when the program stays within --tolerance; its measured cost stated",
  run(s) {
    const program = need(s, "program", "residuals", "build");
    const sites = residualSites(program);
    const none = (summary: string) => ({ out: s, report: { pass: "residuals", summary, details: [] } });
    if (!sites.length) return none("no residual to drop");
    if (s.input.exact) return none(`${sites.length} residual(s) kept (--exact)`);
    need(s, "data", "residuals", "read");
    // The run's one budget (ledger.ts): each drop is judged by the whole program after it against the original.
    let ledger = ledgerOf(s);
    const analysisN = ledger.analysis.n, box = ledger.box;
    const share = ledger.share, budget = ledger.budget;
    const limit = `max |error| <= ${share} x ${budget.tolerance.toExponential(2)} (--tolerance)${budget.classifier ? ` and top-1 agreement >= ${(100 * budget.minAgreement).toFixed(2)}% (share ${share} of the disagreements allowed; a class tied for the program's largest score agrees)` : ""}`;
    const details = [`budget: ${limit}, measured for the whole program against the original Net on ${analysisN} analysis rows${share === 1 ? " (every point of the domain: no margin is kept for unseen points)" : ""}${box ? `, and within the whole budget on ${box.n} fresh points of the box` : ""}; the run's one budget, which the steps before spent ${spent(ledger).toExponential(1)} of`];
    // Cheapest first: each site's own effect on the outputs, measured alone.
    const inputs = ledger.analysis.inputs;
    const base = runProgram(program, inputs);
    const alone = sites.map((site) => ({ site, change: maxDiff(runProgram(dropResidual(program, site), inputs), base) }));
    alone.sort((a, b) => a.change - b.change);
    let cur = program;
    const dropped: DroppedResidual[] = [];
    for (const { site, change } of alone) {
      const next = dropResidual(cur, site);
      const v = judgeProgram(ledger, next);
      const cost = `program vs original ${v.total.toExponential(1)} on the analysis rows${v.box !== undefined ? `, ${v.box.toExponential(1)} on ${box!.n} box points` : ""}`;
      if (!v.ok) {
        details.push(`${site.fn}/${site.value}: kept ${site.residual} (r changes the outputs by ${change.toExponential(1)}; without it ${cost}: over budget)`);
        continue;
      }
      const record: DroppedResidual = {
        fn: site.fn, value: site.value, residual: site.residual, stated: site.stated,
        units: hiddenUnits(cur) - hiddenUnits(next), weights: nonzeroWeights(cur) - nonzeroWeights(next),
        cost: { analysis: v.total, rows: analysisN, ...(v.box !== undefined ? { box: v.box, boxRows: box!.n } : {}) },
        budget: ledger.limit,
      };
      cur = annotate(next, record);
      ledger = recordStep(ledger, "residuals", `${site.fn}/${site.value}: ${site.residual} dropped (${record.units} units, ${record.weights} weights)`, v);
      dropped.push(record);
      details.push(`${site.fn}/${site.value}: dropped ${site.residual} (${record.units} units, ${record.weights} weights; r changes the outputs by ${change.toExponential(1)}; without it ${cost})`);
    }
    const out = dropped.length ? { ...cur, droppedResiduals: [...(program.droppedResiduals ?? []), ...dropped], budget: budgetSpent(ledger) } : program;
    const worst = Math.max(0, ...dropped.map((d) => Math.max(d.cost.analysis, d.cost.box ?? 0)));
    return {
      out: { ...s, program: out, ledger },
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

function maxDiff(a: readonly Tensor[], b: readonly Tensor[]): number {
  let m = 0;
  a.forEach((t, k) => { m = Math.max(m, maxAbsErr(b[k].data as ArrayLike<number>, t.data as ArrayLike<number>)); });
  return m;
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
