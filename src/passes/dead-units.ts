// dead-units (exact): a ReLU unit whose pre-activation is never > 0 outputs 0, so it and its outgoing weights go.
//   relu(z) with z <= 0 everywhere -> 0
// Two kinds of evidence, both counted: never active on the data (every row we have), and provably dead over the
// box by interval bounds. With a box domain only proven units are removed (the data alone proves nothing there);
// without one the data is all we know and the report says the claim is observed, or proven when the rows are
// every point of the domain.
import type { SimplifyPass } from "./simplify.ts";
import { applyPlan, unitSites, type NewUnit, siteById } from "./sites.ts";
import { tooFewToObserve, unitRanges } from "./ranges.ts";
import { simplifyReport } from "./report.ts";

export const deadUnitsPass: SimplifyPass = {
  name: "dead-units",
  kind: "exact",
  doc: "ReLU units never active (on the data, or provably over the box by interval bounds) removed with their outgoing weights",
  run(s) {
    let net = s.net;
    const sites = unitSites(net).filter((x) => x.act.fn === "relu");
    const ranges = unitRanges(s, net, sites.map((x) => x.pre));
    // without a proof, the data must have enough rows to say anything (ranges.ts: MIN_OBSERVED_ROWS)
    const declined = tooFewToObserve(ranges, s);
    let onData = 0;
    let proven = 0;
    let removed = 0;
    const details: string[] = [];
    for (const site0 of sites) {
      // Earlier rewrites change other layers only; re-find this site in the current Net.
      const site = siteById(net, site0.pre.id);
      if (!site) continue;
      const d = ranges.data.get(site.pre.id)!;
      const b = ranges.box?.get(site.pre.id);
      const dead: number[] = [];
      for (let u = 0; u < site.units; u++) {
        const dataDead = d.hi[u] <= 0;
        const boxDead = b ? b.hi[u] <= 0 : false;
        if (dataDead) onData++;
        if (boxDead) proven++;
        if (b ? boxDead : dataDead && !declined) dead.push(u);
      }
      // A layer keeps at least one unit, so every layer still has a value (its outgoing weights are then all 0).
      const drop = new Set(dead.length === site.units ? dead.slice(1) : dead);
      if (!drop.size) continue;
      const plan: NewUnit[] = [];
      for (let u = 0; u < site.units; u++) {
        if (!drop.has(u)) plan.push({ src: u, inScale: 1, out: dead.includes(u) ? [] : [{ from: u, coef: 1 }] });
      }
      net = applyPlan(net, site, plan);
      removed += drop.size;
      details.push(`${site.pre.id}: removed ${drop.size} of ${site.units} units (${[...drop].join(", ")})`);
    }
    const how = ranges.box
      ? `${proven} provably dead over the box (interval bounds), ${onData} never active on ${ranges.evidence}; removed the proven ones`
      : `${onData} never active on ${ranges.evidence}${s.exhaustive ? " (proven: that is the whole domain)" : " (observed, not proven: no box domain)"}`;
    return simplifyReport(this, s, { ...s, net }, `removed ${removed} dead unit(s): ${how}${declined && onData ? `; ${declined}` : ""}`, details);
  },
};
