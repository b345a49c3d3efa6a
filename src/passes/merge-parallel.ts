// merge-parallel (exact): units whose incoming weights and bias are parallel with a positive ratio compute the
// same thing up to scale, so one of them does the work of all (the split obfuscation, and what training leaves).
//   c1 relu(s1 (w.x + b)) + c2 relu(s2 (w.x + b)) -> (c1 s1 + c2 s2) relu(w.x + b)     (s1, s2 > 0)
// Any number of copies merge into the first. This needs f(s z) = s f(z): ReLU, leaky ReLU, identity; for other
// activations only identical rows (s = 1) merge. Opposite rows (relu(z), relu(-z)) are not parallel and stay two
// units here (the linear-pairs pass turns a pair whose outgoing weights cancel into a linear map).
import type { SimplifyPass } from "./simplify.ts";
import { applyPlan, incoming, unitSites, type NewUnit, siteById } from "./sites.ts";
import { positiveHomogeneous } from "./net-edit.ts";
import { simplifyReport } from "./report.ts";

/** Two normalised rows are the same when every entry agrees to this (rows are scaled to max |entry| = 1). */
export const ROW_TOL = 2e-6;

/** A row scaled so its largest |entry| is 1, with that scale; undefined for an all-zero row. */
export function normalised(r: Float64Array): { row: Float64Array; scale: number } | undefined {
  let m = 0;
  for (const v of r) m = Math.max(m, Math.abs(v));
  if (m === 0) return undefined;
  return { row: r.map((v) => v / m), scale: m };
}

/** Do two normalised rows agree (sign = 1) or are they opposite (sign = -1), entry by entry within ROW_TOL? */
export function sameRow(a: Float64Array, b: Float64Array, sign: 1 | -1 = 1): boolean {
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - sign * b[i]) > ROW_TOL) return false;
  return true;
}

export const mergeParallelPass: SimplifyPass = {
  name: "merge-parallel",
  kind: "exact",
  doc: "units with parallel incoming weights (positive ratio) merged into one, their outgoing weights added with the ratio",
  run(s) {
    let net = s.net;
    let merged = 0;
    const details: string[] = [];
    for (const site0 of unitSites(net)) {
      const site = siteById(net, site0.pre.id);
      if (!site) continue;
      const homog = positiveHomogeneous(site.act);
      const rows = Array.from({ length: site.units }, (_, u) => normalised(incoming(site.pre, u)));
      const into = new Array<number>(site.units).fill(-1);
      const plan: NewUnit[] = [];
      const groups: number[][] = [];
      for (let u = 0; u < site.units; u++) {
        if (into[u] >= 0) continue;
        const ru = rows[u];
        const unit: NewUnit = { src: u, inScale: 1, out: [{ from: u, coef: 1 }] };
        const group = [u];
        if (ru) {
          for (let v = u + 1; v < site.units; v++) {
            const rv = rows[v];
            if (into[v] >= 0 || !rv || !sameRow(ru.row, rv.row)) continue;
            const ratio = rv.scale / ru.scale;
            // Without positive homogeneity only an identical row is the same unit.
            if (!homog && Math.abs(ratio - 1) > ROW_TOL) continue;
            into[v] = u;
            unit.out.push({ from: v, coef: homog ? ratio : 1 });
            group.push(v);
          }
        }
        plan.push(unit);
        if (group.length > 1) groups.push(group);
      }
      if (plan.length === site.units) continue;
      net = applyPlan(net, site, plan);
      merged += site.units - plan.length;
      details.push(`${site.pre.id}: ${groups.map((g) => `{${g.join(", ")}}`).join(" ")} -> ${groups.length} unit(s)`);
    }
    return simplifyReport(this, s, { ...s, net }, merged ? `merged ${merged} parallel unit(s) into copies they duplicate` : "no parallel units", details);
  },
};
