// round-weights (budgeted): every weight and bias of a layer rounded to a short decimal, the coarsest the budget
// allows per layer:  w -> round(w / q) q  with q in {1, 2, 5} x 10^e, so printed weights are short (0.25, -1.4).
// A weight that rounds to 0 is gone.
import type { SimplifyPass, SimplifyState } from "./simplify.ts";
import { simplifyReport } from "./report.ts";
import { BUDGET_SHARE, nonzeros } from "./budget.ts";
import { meanBits, params, searchGrid, weighted, type Weighted } from "./grid-weights.ts";

/** Decimal steps from coarse to fine: {5, 2, 1} x 10^e from about the largest |weight| down to 1e-7 of it. */
export function decimalSteps(l: Weighted): number[] {
  const { w, b } = params(l);
  let big = 0;
  for (const v of w) big = Math.max(big, Math.abs(v));
  for (const v of b) big = Math.max(big, Math.abs(v));
  if (!(big > 0)) return [];
  const top = Math.ceil(Math.log10(big));
  const out: number[] = [];
  for (let e = top; e >= top - 7; e--) for (const m of [5, 2, 1]) out.push(Number(`${m}e${e}`));
  return out;
}

export const roundWeightsPass: SimplifyPass = {
  name: "round-weights",
  kind: "budgeted",
  doc: "weights and biases rounded to the shortest decimals (steps 1, 2, 5 x 10^e per layer) within budget",
  run(s: SimplifyState) {
    if (s.budget.exact || !weighted(s.net).length) return simplifyReport(this, s, s, "nothing to round (no weighted layers, or --exact)");
    const c = searchGrid(s, BUDGET_SHARE.round, decimalSteps);
    const details = [
      ...[...c.steps].map(([id, q]) => `${id}: step ${q} (${nonzeros(params(weighted(c.net).find((l) => l.id === id)!).w)} non-zero weights)`),
      `bits per weight: ${meanBits(s.net).toFixed(1)} -> ${meanBits(c.net).toFixed(1)} (levels spanned per layer)`,
      `search: ${c.tried} candidates; budget share ${BUDGET_SHARE.round}: ${c.note}`,
    ];
    if (!c.steps.size && c.tried === 0) return simplifyReport(this, s, s, c.note);
    const summary = c.steps.size ? `rounded ${c.steps.size} layer(s) to decimal steps (${[...c.steps.values()].join(", ")}), ${meanBits(c.net).toFixed(1)} bits per weight` : "no rounding within budget";
    return simplifyReport(this, s, { ...s, net: c.net }, summary, details);
  },
};
