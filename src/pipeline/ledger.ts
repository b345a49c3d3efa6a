// One budget for the whole explain run. Every budgeted step (simplify's budgeted passes, carve's fit residuals, the
// builder's conv abs pairs, module cuts and module bodies, the residuals pass) draws from this ledger: a step is
// accepted only when the whole result after it (a Net or a program) stays within the budget measured against the
// ORIGINAL Net's outputs on the same rows, never against the step's own input. So steps that would each fit alone
// cannot together spend the budget twice, and the ledger records, step by step, what each spent (the total after
// it and what it added): program.json `budget`, report.md.
//
// The limit: BUDGET_SHARE.residuals x --tolerance on the analysis rows (all of it when the rows are the whole
// domain: explain-budget.ts residualShare), and the whole --tolerance on fresh points of the box when the domain is
// a box; classifiers also keep that share of --min-agreement's allowed disagreements. Under --exact the limit is
// rounding level (EXACT_REL x max |y|): no step may spend anything.
import type { Tensor } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import { EXACT_REL } from "../passes/index.ts";
import { runRows } from "../passes/report.ts";
import type { BudgetSpent, BudgetStep, Program } from "../program/program.ts";
import type { BudgetJudge, Verdict } from "../program/budget-judge.ts";

export type { BudgetJudge, Verdict };
import { runProgram } from "../program/run.ts";
import { looksLikeScores, maxAbsErr, topAgrees } from "../verify/metrics.ts";
import { parseDomain, sampleDomain } from "./domain.ts";
import { explainBudget, residualShare, type ExplainBudget } from "./explain-budget.ts";
import type { ExplainState } from "./explain.ts";

/** Points of the box drawn afresh to check a step on (besides the analysis rows). */
export const BOX_CHECK_ROWS = 2048;

/** Rows to judge on: inputs (one tensor per Net input, in order) and the original Net's outputs on them. */
export interface LedgerRows { inputs: Tensor[]; ref: Tensor[]; n: number; oneSample: boolean }

/** The run's ledger: the budget, the rows every step is measured on, and what was spent so far. */
export interface Ledger {
  budget: ExplainBudget;
  exact: boolean;
  /** Share of the budget the analysis rows may reach (the rest is the held-out margin). */
  share: number;
  /** Max |result - original| allowed on the analysis rows, and on the box's fresh points. */
  limit: number;
  boxLimit: number;
  /** Disagreeing analysis rows allowed (classifiers; Infinity otherwise or under --exact). */
  disagree: number;
  analysis: LedgerRows;
  box?: LedgerRows;
  steps: BudgetStep[];
}

/** The ledger of an explain state: the one made so far, else a new one (nothing spent) on the original Net
 *  (`lowered`, or the Net when simplify did not run), its outputs `ref` on the analysis rows reused when given. */
export function ledgerOf(s: ExplainState, ref?: Tensor[]): Ledger {
  if (s.ledger) return s.ledger;
  const data = s.data, original = s.lowered ?? s.net;
  if (!data || !original) throw new Error("the budget ledger needs the data and the Net (run read and lower first)");
  const analysis = rowsOf(original, data.analysis, data.oneSample, ref);
  const budget = explainBudget(s, original, analysis.ref);
  const exact = !!s.input.exact;
  let top = 0;
  for (const t of analysis.ref) for (let i = 0; i < t.data.length; i++) top = Math.max(top, Math.abs(Number(t.data[i])));
  const share = residualShare(s);
  const box = boxRows(s, original);
  return {
    budget, exact, share, analysis, ...(box ? { box } : {}), steps: [],
    limit: exact ? EXACT_REL * top : share * budget.tolerance,
    boxLimit: exact ? EXACT_REL * top : budget.tolerance,
    disagree: exact || !budget.classifier ? Infinity : Math.floor(share * (1 - budget.minAgreement) * analysis.n + 1e-9),
  };
}

/** Judge a candidate by its outputs on the ledger's rows: within the limit (and agreement) on the analysis rows,
 *  and within the box limit on the box points when there are any. */
export function judge(l: Ledger, run: (inputs: Tensor[], oneSample: boolean) => Tensor[]): Verdict {
  const a = measure(l, run(l.analysis.inputs, l.analysis.oneSample), l.analysis);
  const okRows = a.err <= l.limit && a.disagree <= l.disagree;
  if (!okRows || !l.box) return { ok: okRows, total: a.err, ...(l.budget.classifier ? { disagree: a.disagree } : {}) };
  const b = measure(l, run(l.box.inputs, false), l.box);
  const boxDisagree = l.exact || !l.budget.classifier ? Infinity : Math.floor((1 - l.budget.minAgreement) * l.box.n + 1e-9);
  return { ok: b.err <= l.boxLimit && b.disagree <= boxDisagree, total: a.err, box: b.err, ...(l.budget.classifier ? { disagree: a.disagree } : {}) };
}

/** Judge a Net (same inputs and outputs as the original). */
export function judgeNet(l: Ledger, net: Net): Verdict {
  return judge(l, (inputs, one) => runRows(net, Object.fromEntries(net.inputs.map((inp, i) => [inp.name, inputs[i]])), one));
}

/** Judge a program (its entry takes the original's inputs in order). */
export function judgeProgram(l: Ledger, p: Program): Verdict {
  return judge(l, (inputs) => runProgram(p, inputs));
}

/** The ledger as a BudgetJudge. */
export function judgeOf(l: Ledger): BudgetJudge {
  return { net: (n) => judgeNet(l, n), program: (p) => judgeProgram(l, p) };
}

/** The total spent so far (the last step's total; 0 before any step). */
export function spent(l: Ledger): number {
  return l.steps.length ? l.steps[l.steps.length - 1].total : 0;
}

/** The ledger with a step recorded: what it did and the whole result's verdict after it. */
export function record(l: Ledger, step: string, what: string, v: Verdict): Ledger {
  const e: BudgetStep = { step, what, total: v.total, added: Math.max(0, v.total - spent(l)), ...(v.box !== undefined ? { box: v.box } : {}) };
  return { ...l, steps: [...l.steps, e] };
}

/** What goes into program.json: the limits and the steps. */
export function budgetSpent(l: Ledger): BudgetSpent {
  return {
    tolerance: l.budget.tolerance, ...(l.budget.classifier ? { minAgreement: l.budget.minAgreement } : {}), exact: l.exact,
    limit: l.limit, rows: l.analysis.n, ...(l.box ? { boxLimit: l.boxLimit, boxRows: l.box.n } : {}), steps: l.steps,
  };
}

/** One line per step for report.md and the build report. */
export function budgetLines(b: BudgetSpent): string[] {
  const head = `One budget for the whole run${b.exact ? " (--exact: rounding level, nothing to spend)" : ""}: the program vs the original within ${b.limit.toExponential(2)} on ${b.rows} analysis rows` +
    `${b.boxLimit !== undefined ? ` and ${b.boxLimit.toExponential(2)} on ${b.boxRows} fresh points of the box` : ""} (--tolerance ${b.tolerance.toExponential(2)}${b.minAgreement !== undefined ? `, --min-agreement ${(100 * b.minAgreement).toFixed(2)}%` : ""}); every step is measured against the original, so the steps together stay within it.`;
  const rows = b.steps.map((e) => `- ${e.step}: ${e.what}; whole vs original ${e.total.toExponential(1)} on the analysis rows${e.box !== undefined ? `, ${e.box.toExponential(1)} on the box points` : ""} (added ${e.added.toExponential(1)})`);
  // simplify judges a classifier by its top-1 agreement alone, so its scores may move past the error limit; say so
  // rather than let the head claim a bound the run does not keep.
  const over = b.minAgreement !== undefined ? b.steps.find((e) => e.total > b.limit) : undefined;
  const note = over ? [`A classifier's budgeted simplification is judged by top-1 agreement alone: after ${over.step} the scores are ${over.total.toExponential(1)} from the original's, over the error limit, so no later step could spend any error.`] : [];
  return [head, ...note, ...(rows.length ? ["", ...rows] : ["", "- no step spent any of it"])];
}

function rowsOf(net: Net, inputs: Tensor[], oneSample: boolean, ref?: Tensor[]): LedgerRows {
  const feeds = Object.fromEntries(net.inputs.map((inp, i) => [inp.name, inputs[i]]));
  return { inputs, ref: ref ?? runRows(net, feeds, oneSample), n: oneSample ? 1 : inputs[0]?.shape[0] ?? 0, oneSample };
}

/** Fresh points of the box domain (another seed than the analysis rows), when the domain is a box. */
function boxRows(s: ExplainState, net: Net): LedgerRows | undefined {
  const d = s.input.domain;
  if (s.input.data || d === undefined || !s.model) return undefined;
  const dom = typeof d === "string" ? parseDomain(d) : d;
  if (dom.kind !== "box") return undefined;
  const pts = sampleDomain(dom, s.model.graph.inputs, BOX_CHECK_ROWS, (s.input.seed ?? 0) + 104729);
  return rowsOf(net, pts.tensors, false);
}

/** Max |got - ref| over every output, and the rows whose top-1 differs (ties within rounding agree: topAgrees). */
function measure(l: Ledger, got: readonly Tensor[], rows: LedgerRows): { err: number; disagree: number } {
  let err = 0, disagree = 0;
  got.forEach((t, k) => {
    const e = maxAbsErr(rows.ref[k].data as ArrayLike<number>, t.data as ArrayLike<number>);
    err = Math.max(err, Number.isNaN(e) ? Infinity : e);
    if (l.budget.classifier && looksLikeScores(rows.ref[k])) disagree = Math.max(disagree, disagreements(rows.ref[k], t, l.limit));
  });
  return { err, disagree };
}

/** Rows whose top-1 differs; a class within the error limit of the original's best is a tie at that limit (the
 *  ledger bounds the error by the same limit, so this cannot pass a program that is far off). */
function disagreements(original: Tensor, program: Tensor, limit: number): number {
  const k = original.shape[original.shape.length - 1];
  const x = original.data as ArrayLike<number>, y = program.data as ArrayLike<number>;
  let d = 0;
  for (let r = 0; r * k < x.length; r++) if (!topAgrees(x, y, r * k, k, limit)) d++;
  return d;
}
