// always-on (exact): a ReLU whose pre-activation is never negative is the identity there, so the unit is linear:
//   relu(z) with z >= 0 everywhere -> z
// and leaves the hidden layer as a skip connection into the layers that read it (linearise.ts); fuse-affine then
// carries it on. Evidence: over a box, the interval lower bound of the pre-activation is >= 0 (proven); without a
// box, the unit's minimum on every row we have is >= 0 (observed; proven when the rows are the whole domain).
// A layer whose units are all always-on disappears: its activation is gone and the affine maps around it fuse.
// When only some are, the skip is a dense [next x input] block of rank k (linearise.ts): on wide layers that is more
// weights than the k units it replaces (a music-genre MLP: 2 units of 256 cost 26,004 more weights), so a site's
// units are linearised only when the whole layer goes or the Net does not grow.
import type { SimplifyPass } from "./simplify.ts";
import { outgoingIn, unitSites, siteById } from "./sites.ts";
import { tooFewToObserve, unitRanges } from "./ranges.ts";
import { linearisable, lineariseUnits } from "./linearise.ts";
import { simplifyReport } from "./report.ts";
import { nonzeroWeights } from "./net-edit.ts";

export const alwaysOnPass: SimplifyPass = {
  name: "always-on",
  kind: "exact",
  doc: "ReLU units never negative (proven over the box, or on every row) become linear: skip connections that fuse",
  run(s) {
    let net = s.net;
    const sites = unitSites(net).filter((x) => (x.act.fn === "relu" || x.act.fn === "leaky_relu") && linearisable(x));
    const ranges = unitRanges(s, net, sites.map((x) => x.pre));
    // without a proof, the data must have enough rows to say anything (ranges.ts: MIN_OBSERVED_ROWS)
    const declined = tooFewToObserve(ranges, s);
    let onData = 0;
    let proven = 0;
    let done = 0;
    const details: string[] = [];
    const grows: string[] = [];
    for (const site0 of sites) {
      const site = siteById(net, site0.pre.id);
      if (!site || !linearisable(site)) continue;
      const d = ranges.data.get(site.pre.id)!;
      const b = ranges.box?.get(site.pre.id);
      const on: number[] = [];
      for (let u = 0; u < site.units; u++) {
        const dataOn = d.lo[u] >= 0;
        const boxOn = b ? b.lo[u] >= 0 : false;
        if (dataOn) onData++;
        if (boxOn) proven++;
        if (b ? boxOn : dataOn && !declined) on.push(u);
      }
      if (!on.length) continue;
      const linear = new Map(on.map((u) => [u, site.outs.map((o) => outgoingIn(o, u))]));
      const next = lineariseUnits(net, site, linear, new Set(on));
      const added = on.length < site.units ? nonzeroWeights(next) - nonzeroWeights(net) : 0;
      if (added > 0) {
        grows.push(`${site.pre.id}: ${on.length} of ${site.units} units always-on, left as they are (the skip would add ${added} weights)`);
        continue;
      }
      net = next;
      done += on.length;
      details.push(`${site.pre.id}: units ${on.join(", ")} of ${site.units} are the identity; now a skip connection into ${site.outs.map((o) => o.next.id).join(", ")}`);
    }
    const how = ranges.box
      ? `${proven} proven >= 0 over the box (interval bounds), ${onData} >= 0 on ${ranges.evidence}; linearised the proven ones`
      : `${onData} >= 0 on ${ranges.evidence}${s.exhaustive ? " (proven: that is the whole domain)" : " (observed, not proven: no box domain)"}`;
    const kept = grows.length ? `; kept ${grows.length} layer(s) whose skip would be larger than its units` : "";
    return simplifyReport(this, s, { ...s, net }, `${done} always-on ReLU unit(s) made linear: ${how}${declined && onData ? `; ${declined}` : ""}${kept}`, [...details, ...grows]);
  },
};
