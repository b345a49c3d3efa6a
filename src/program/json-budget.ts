// program.json's `budget` entry (Program.budget): the one budget of the explain run and what each budgeted step
// spent of it (src/pipeline/ledger.ts), written as is and checked on read.
import { FormatError } from "./json-check.ts";
import type { BudgetSpent } from "./program.ts";

/** The JSON value of the budget ledger (non-finite numbers, e.g. an unmeasured NaN, become null). */
export function budgetToJson(b: BudgetSpent): unknown {
  return JSON.parse(JSON.stringify(b));
}

const num = (v: unknown) => typeof v === "number" || v === null;

/** Read and check the budget ledger: its limits and one entry per step that spent. */
export function budgetFromJson(v: unknown, path: string): BudgetSpent {
  const o = v as Record<string, unknown> | null;
  const ok = o && typeof o === "object" && num(o.tolerance) && num(o.limit) && typeof o.rows === "number" && typeof o.exact === "boolean" && Array.isArray(o.steps)
    && (o.minAgreement === undefined || num(o.minAgreement)) && (o.boxLimit === undefined || num(o.boxLimit)) && (o.boxRows === undefined || typeof o.boxRows === "number");
  if (!ok) throw new FormatError(path, "expected {tolerance, limit, rows, exact, steps: [...], minAgreement?, boxLimit?, boxRows?}");
  (o.steps as unknown[]).forEach((e, i) => {
    const st = e as Record<string, unknown> | null;
    if (!st || typeof st.step !== "string" || typeof st.what !== "string" || !num(st.total) || !num(st.added) || !(st.box === undefined || num(st.box))) {
      throw new FormatError(`${path}.steps[${i}]`, "expected {step, what, total, added, box?}");
    }
  });
  return o as unknown as BudgetSpent;
}
