// The judge of the run's one budget as the builder's steps see it (the explain pipeline's ledger,
// src/pipeline/ledger.ts, makes it): a candidate Net or program is measured whole against the ORIGINAL Net's
// outputs, so that a step inside build cannot spend again what an earlier step (simplify, carve) already spent.
import type { Net } from "../net/net.ts";
import type { Program } from "./program.ts";

/** How a candidate (the whole Net or program after a step) measures against the original. */
export interface Verdict {
  /** Within the budget left (the whole limit, measured on the whole result). */
  ok: boolean;
  /** Max |candidate - original| on the analysis rows, and on the box points when measured. */
  total: number;
  box?: number;
  /** Rows whose top-1 differs (classifiers). */
  disagree?: number;
}

/** Judges candidates against the original within the run's one budget. */
export interface BudgetJudge {
  net(candidate: Net): Verdict;
  program(candidate: Program): Verdict;
}
