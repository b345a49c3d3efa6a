// quantize (budgeted): each layer's weights on a symmetric uniform grid of 2^bits - 1 levels,
//   w -> round(w / Δ) Δ,  Δ = max|w| / (2^(bits-1) - 1)
// with the fewest bits per layer the budget allows; adopted only when it needs fewer bits per weight than the
// weights already have (after round-weights, a decimal grid may already be as coarse).
import type { SimplifyPass, SimplifyState } from "./simplify.ts";
import { simplifyReport } from "./report.ts";
import { BUDGET_SHARE } from "./budget.ts";
import { meanBits, params, searchGrid, weighted, type Weighted } from "./grid-weights.ts";

/** Grid steps from coarse to fine: 2 to 8 bits. */
export function bitSteps(l: Weighted): number[] {
  const { w } = params(l);
  let big = 0;
  for (const v of w) big = Math.max(big, Math.abs(v));
  if (!(big > 0)) return [];
  return [2, 3, 4, 5, 6, 7, 8].map((bits) => big / (2 ** (bits - 1) - 1));
}

export const quantizePass: SimplifyPass = {
  name: "quantize",
  kind: "budgeted",
  doc: "weights on symmetric low-bit uniform grids (2-8 bits per layer) within budget, when that needs fewer bits than they have",
  run(s: SimplifyState) {
    if (s.budget.exact || !weighted(s.net).length) return simplifyReport(this, s, s, "nothing to quantise (no weighted layers, or --exact)");
    const before = meanBits(s.net);
    const c = searchGrid(s, BUDGET_SHARE.quantize, bitSteps);
    if (!c.steps.size && c.tried === 0) return simplifyReport(this, s, s, c.note);
    const after = meanBits(c.net);
    const adopt = c.steps.size > 0 && after < before;
    const details = [
      `bits per weight: ${before.toFixed(1)} now, ${after.toFixed(1)} on the coarsest grids within budget (${c.tried} candidates; ${c.note})`,
      adopt ? "adopted" : "not adopted: no fewer bits than the weights already need",
    ];
    return simplifyReport(this, s, { ...s, net: adopt ? c.net : s.net }, adopt ? `quantised to ${after.toFixed(1)} bits per weight` : `not adopted (${before.toFixed(1)} bits per weight already)`, details);
  },
};
