// canonical-scale (exact): ReLU is positively homogeneous, so each unit's scale is a free choice; fix it.
//   c relu(w.x + b) -> (c m) relu((w.x + b) / m),   m = max(|w|, |b|) > 0
// Every unit then has largest |incoming weight or bias| = 1 and its size lives in its outgoing weights, so two
// units doing the same thing have equal rows, and rescaled copies of a network print the same numbers.
import type { SimplifyPass } from "./simplify.ts";
import { applyPlan, incoming, unitSites, type NewUnit, siteById } from "./sites.ts";
import { simplifyReport } from "./report.ts";

export const canonicalScalePass: SimplifyPass = {
  name: "canonical-scale",
  kind: "exact",
  doc: "each ReLU unit scaled so its largest |incoming weight or bias| is 1, the scale moved to its outgoing weights",
  run(s) {
    let net = s.net;
    let scaled = 0;
    const details: string[] = [];
    for (const site0 of unitSites(net)) {
      const site = siteById(net, site0.pre.id);
      if (!site || !(site.act.fn === "relu" || site.act.fn === "leaky_relu")) continue;
      let changed = 0;
      const plan: NewUnit[] = Array.from({ length: site.units }, (_, u) => {
        let m = 0;
        for (const v of incoming(site.pre, u)) m = Math.max(m, Math.abs(v));
        if (m === 0 || m === 1) return { src: u, inScale: 1, out: [{ from: u, coef: 1 }] };
        changed++;
        return { src: u, inScale: 1 / m, out: [{ from: u, coef: m }] };
      });
      if (!changed) continue;
      net = applyPlan(net, site, plan);
      scaled += changed;
      details.push(`${site.pre.id}: ${changed} of ${site.units} units rescaled`);
    }
    return simplifyReport(this, s, { ...s, net }, scaled ? `${scaled} unit(s) rescaled to max |incoming| = 1` : "every unit already at scale 1", details);
  },
};
