// canonical-order (exact): hidden units sorted by their incoming rows, layer by layer from the input, so that two
// networks equal up to a permutation of hidden units become the same network, weight for weight.
//   W2 P^T relu(P (W1 x + b1)) = W2 relu(W1 x + b1)     (P a permutation)
// Order: by the first input the unit reads (units reading the same inputs sit together), then by the row's entries,
// largest first, then the bias; entries within ROW_TOL count as equal, so rounding noise does not decide the order.
// Run after canonical-scale so rows are comparable; each layer's rows are over the already sorted layer before it.
import type { SimplifyPass } from "./simplify.ts";
import { applyPlan, incoming, unitSites, type NewUnit, siteById } from "./sites.ts";
import { ROW_TOL } from "./merge-parallel.ts";
import { simplifyReport } from "./report.ts";

/** Compare two incoming rows (bias last) for the canonical order. */
export function compareRows(a: Float64Array, b: Float64Array): number {
  const n = a.length - 1;
  const first = (r: Float64Array) => {
    let m = 0;
    for (const v of r) m = Math.max(m, Math.abs(v));
    for (let i = 0; i < n; i++) if (Math.abs(r[i]) > ROW_TOL * Math.max(m, 1e-30)) return i;
    return n;
  };
  const fa = first(a);
  const fb = first(b);
  if (fa !== fb) return fa - fb;
  for (let i = 0; i <= n; i++) if (Math.abs(a[i] - b[i]) > ROW_TOL * Math.max(Math.abs(a[i]), Math.abs(b[i]), 1)) return b[i] - a[i];
  return 0;
}

export const canonicalOrderPass: SimplifyPass = {
  name: "canonical-order",
  kind: "exact",
  doc: "hidden units sorted by their incoming rows (input support, then values), so permuted copies become identical",
  run(s) {
    let net = s.net;
    let moved = 0;
    const details: string[] = [];
    for (const site0 of unitSites(net)) {
      const site = siteById(net, site0.pre.id);
      if (!site) continue;
      const rows = Array.from({ length: site.units }, (_, u) => incoming(site.pre, u));
      const order = rows.map((_, u) => u).sort((a, b) => compareRows(rows[a], rows[b]) || a - b);
      const changed = order.filter((u, k) => u !== k).length;
      if (!changed) continue;
      const plan: NewUnit[] = order.map((u) => ({ src: u, inScale: 1, out: [{ from: u, coef: 1 }] }));
      net = applyPlan(net, site, plan);
      moved += changed;
      details.push(`${site.pre.id}: ${changed} of ${site.units} units moved`);
    }
    return simplifyReport(this, s, { ...s, net }, moved ? `${moved} unit(s) moved into canonical order` : "units already in canonical order", details);
  },
};
