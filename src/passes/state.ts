// Building the SimplifyState the passes start from: the lowered Net's reference outputs on the analysis and
// held-out rows, whether those outputs are class scores, and the absolute tolerance the budget allows.
import type { Tensor } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import { looksLikeScores } from "../verify/metrics.ts";
import type { BoxDomain, SimplifyBudget, SimplifyState } from "./simplify.ts";
import { runRows } from "./report.ts";

/** The default tolerance, relative to the range of the outputs (max - min over the analysis rows). */
export const DEFAULT_RELATIVE_TOLERANCE = 1e-3;

export interface StateOptions {
  box?: BoxDomain;
  /** Absolute max error the budgeted passes may add; default DEFAULT_RELATIVE_TOLERANCE x the outputs' range. */
  tolerance?: number;
  minAgreement?: number;
  /** The agreement rule and its confidence (SimplifyBudget.agreementRule, confidence). */
  agreementRule?: "count" | "binomial" | "margin";
  confidence?: number;
  exact?: boolean;
  exhaustive?: boolean;
  oneSample?: boolean;
}

/** Do the Net's outputs look like class scores? One output, a vector of k >= 2 scores, and either a softmax makes
 *  it or every class is the top-1 of some analysis row (a regression output such as sort's is always largest in
 *  the same place, so it is not taken for scores). */
export function isClassifier(net: Net, analysisOut: readonly Tensor[]): boolean {
  if (net.outputs.length !== 1 || analysisOut.length !== 1) return false;
  const t = analysisOut[0];
  if (!looksLikeScores(t)) return false;
  const src = net.layers.find((l) => l.id === net.outputs[0].from);
  if (src?.kind === "softmax") return true;
  const k = t.shape[t.shape.length - 1];
  const d = t.data as ArrayLike<number>;
  const won = new Set<number>();
  for (let r = 0; r * k < d.length; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (d[r * k + j] > d[r * k + best]) best = j;
    won.add(best);
  }
  return won.size === k;
}

/** Range of all outputs' values over some rows (max - min), 0 when there are none. */
export function outputRange(outs: readonly Tensor[]): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of outs) {
    const d = t.data as ArrayLike<number>;
    for (let i = 0; i < d.length; i++) {
      if (d[i] < lo) lo = d[i];
      if (d[i] > hi) hi = d[i];
    }
  }
  return hi > lo ? hi - lo : 0;
}

/** The state the simplify passes start from, for a lowered Net and its analysis and held-out rows (by input name). */
export function simplifyState(net: Net, analysis: Record<string, Tensor>, heldOut: Record<string, Tensor>, opts: StateOptions = {}): SimplifyState {
  const reference = { analysis: runRows(net, analysis, opts.oneSample), heldOut: runRows(net, heldOut, opts.oneSample) };
  const budget: SimplifyBudget = {
    tolerance: opts.tolerance ?? DEFAULT_RELATIVE_TOLERANCE * outputRange(reference.analysis),
    minAgreement: opts.minAgreement ?? 0.999,
    ...(opts.agreementRule !== undefined ? { agreementRule: opts.agreementRule } : {}),
    ...(opts.confidence !== undefined ? { confidence: opts.confidence } : {}),
    exact: opts.exact ?? false,
  };
  return {
    net, original: net, analysis, heldOut, reference, budget,
    classifier: isClassifier(net, reference.analysis),
    ...(opts.box ? { box: opts.box } : {}),
    ...(opts.exhaustive ? { exhaustive: true } : {}),
    ...(opts.oneSample ? { oneSample: true } : {}),
  };
}
