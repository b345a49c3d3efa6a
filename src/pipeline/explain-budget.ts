// The run's budget (--tolerance / --min-agreement): simplify's own when it ran, else the same defaults computed on the
// original Net's outputs (--no-simplify). Every budgeted step draws from it through one ledger (ledger.ts).
import type { Tensor } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import { DEFAULT_RELATIVE_TOLERANCE, isClassifier, outputRange } from "../passes/state.ts";
import type { ExplainState } from "./explain.ts";
import { BUDGET_SHARE } from "../passes/budget.ts";

/** Absolute max error (--tolerance), and top-1 agreement for classifiers (--min-agreement). */
export interface ExplainBudget { tolerance: number; minAgreement: number; classifier: boolean }

/** The share of --tolerance the whole program may reach on the analysis rows when dropping residuals (carve's and
 *  the residuals pass's): BUDGET_SHARE.residuals, the rest kept as a margin for points no choice has seen; all of
 *  it when the analysis rows are every point of the domain, since then no point is unseen and the max measured on
 *  them is the program's max error. */
export function residualShare(s: ExplainState): number {
  return s.data?.whole ? 1 : BUDGET_SHARE.residuals;
}

/** The explain run's budget: simplify's, else --tolerance / --min-agreement or their defaults on `ref`, the original's outputs. */
export function explainBudget(s: ExplainState, net: Net, ref: readonly Tensor[]): ExplainBudget {
  if (s.simplify) return { tolerance: s.simplify.budget.tolerance, minAgreement: s.simplify.budget.minAgreement, classifier: s.simplify.classifier };
  return {
    tolerance: s.input.tolerance ?? DEFAULT_RELATIVE_TOLERANCE * outputRange(ref),
    minAgreement: s.input.minAgreement ?? 0.999,
    classifier: isClassifier(net, ref),
  };
}
