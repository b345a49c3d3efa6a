// How the simplify stage shows up in report.md and on the terminal: one summary line for the stage and one row
// per sub-pass (what it did, units and weights before and after, fidelity after, time).
import { ruleOf } from "../passes/budget.ts";
import type { PassReport } from "./pass.ts";
import type { SimplifyBudget, SimplifyReport, SimplifyState } from "../passes/simplify.ts";
import { pct, sci } from "../verify/metrics.ts";

/** What the explain state keeps of the simplify stage. */
export interface SimplifyOutcome {
  reports: SimplifyReport[];
  budget: SimplifyBudget;
  classifier: boolean;
  /** Whether the domain was a box (claims proven by bounds) rather than data only. */
  box: boolean;
}

/** The stage's one-line report, with the budget and how the classifier question was decided in its details. */
export function simplifySummary(reports: readonly SimplifyReport[], s: SimplifyState): PassReport {
  const first = reports[0];
  const last = reports[reports.length - 1];
  const units = first ? `hidden units ${first.units.before} -> ${last.units.after}` : "nothing to simplify";
  const weights = first ? `, weights ${first.weights.before} -> ${last.weights.after}` : "";
  const err = last ? `, held-out maxAbsErr ${sci(last.heldOut.maxAbsErr)}` : "";
  // The last certified bound against the original; only with a box (near-zero bounds its own step otherwise).
  const cert = s.box ? [...reports].reverse().find((r) => r.certifiedMaxErr !== undefined)?.certifiedMaxErr : undefined;
  const mode = s.budget.exact ? "exact passes only (--exact)" : `exact and budgeted passes (tolerance ${sci(s.budget.tolerance)}${s.classifier ? `, min top-1 agreement ${pct(s.budget.minAgreement)} by the ${ruleOf(s)} rule` : ""})`;
  return {
    pass: "simplify",
    summary: `${units}${weights}${err}${cert !== undefined ? `, certified over the box ${sci(cert)}` : ""}; ${mode}`,
    details: [
      `evidence: ${s.box ? "a box domain: exact claims are proven by interval bounds over the whole box" : s.exhaustive ? "every point of the domain: exact claims are proven on all of them" : "data only: exact claims are observed on every row (analysis and held-out), not proven beyond them"}`,
      `outputs ${s.classifier ? "are" : "are not"} treated as class scores (one output of k >= 2 scores, made by a softmax or with every class the top-1 of some analysis row)`,
      ...reports.map((r) => `${r.pass} (${r.kind}): ${r.summary}`),
    ],
    maxAbsErr: last?.heldOut.maxAbsErr ?? 0,
  };
}

/** One report.md pass-table row per simplify sub-pass (times go to timings.json, so report.md stays the same run to run). */
export function simplifyRows(reports: readonly SimplifyReport[], esc: (s: string) => string): string[] {
  return reports.map((r) => {
    const fid = `held-out maxAbsErr ${sci(r.heldOut.maxAbsErr)}${r.heldOut.top1Agreement !== undefined ? `, top-1 ${pct(r.heldOut.top1Agreement)}` : ""}${r.certifiedMaxErr !== undefined ? `, certified ${sci(r.certifiedMaxErr)}` : ""}`;
    return `| simplify/${r.pass} (${r.kind}) | ${esc(r.summary)}; units ${r.units.before} -> ${r.units.after}, weights ${r.weights.before} -> ${r.weights.after}; ${fid} |`;
  });
}
