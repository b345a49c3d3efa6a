// constant-units (exact): a unit whose output never changes is a constant; its outgoing weights times that
// constant move into the next layer's bias and the unit goes.
//   W [h; act(c)] + b -> W_h h + (b + W_c act(c))
// Evidence as for dead units: over a box, a pre-activation whose interval bound has zero width (a zero incoming
// row) is proven constant; otherwise a unit with one value on every row we have (proven when the rows are the
// whole domain). Dead ReLU units are the dead-units pass's; a constant may not cross an average pool that counts
// padding, nor a padded convolution (its border would see the padding instead).
import type { ActLayer } from "../net/net.ts";
import { actFn } from "../verify/ibp.ts";
import type { SimplifyPass } from "./simplify.ts";
import { applyPlan, nextOutputs, outgoingIn, unitSites, type NewUnit, type UnitSite, siteById } from "./sites.ts";
import { tooFewToObserve, unitRanges } from "./ranges.ts";
import { simplifyReport } from "./report.ts";

/** Can a constant unit of this site be folded into the next layer's bias? */
function foldable(site: UnitSite): boolean {
  return site.outs.every((o) => {
    if (o.path.some((p) => p.kind === "pool" && p.mode === "avg" && p.countIncludePad && p.pads.some((v) => v !== 0))) return false;
    return !(o.next.kind === "conv" && o.next.pads.some((v) => v !== 0));
  });
}

/** The activation's value at a constant pre-activation. */
function actAt(act: ActLayer, z: number): number | undefined {
  if (act.fn === "identity") return z;
  const f = actFn(act);
  return f ? f(z) : undefined;
}

export const constantUnitsPass: SimplifyPass = {
  name: "constant-units",
  kind: "exact",
  doc: "units with one value everywhere (proven over the box, or on every row) folded into the next layer's bias",
  run(s) {
    let net = s.net;
    const sites = unitSites(net).filter(foldable);
    const ranges = unitRanges(s, net, sites.map((x) => x.pre));
    // without a proof, the data must have enough rows to say anything (ranges.ts: MIN_OBSERVED_ROWS)
    const declined = tooFewToObserve(ranges, s);
    if (declined) return simplifyReport(this, s, s, `no constant units folded: ${declined}`);
    let folded = 0;
    const details: string[] = [];
    for (const site0 of sites) {
      const site = siteById(net, site0.pre.id);
      if (!site) continue;
      const d = ranges.data.get(site.pre.id)!;
      const b = ranges.box?.get(site.pre.id);
      const consts = new Map<number, number>();
      for (let u = 0; u < site.units; u++) {
        const [lo, hi] = b ? [b.lo[u], b.hi[u]] : [d.lo[u], d.hi[u]];
        if (!(lo === hi) || !Number.isFinite(lo)) continue;
        const v = actAt(site.act, lo);
        // Dead ReLU units (value 0) are the dead-units pass's business; anything else constant folds here.
        if (v === undefined || v === 0) continue;
        consts.set(u, v);
      }
      if (!consts.size || consts.size === site.units) continue;
      const shifts = site.outs.map((o) => {
        const shift = new Float64Array(nextOutputs(o));
        for (const [u, v] of consts) {
          const blk = outgoingIn(o, u);
          const per = blk.length / shift.length;
          for (let r = 0; r < shift.length; r++) for (let k = 0; k < per; k++) shift[r] += v * blk[r * per + k];
        }
        return shift;
      });
      const plan: NewUnit[] = [];
      for (let u = 0; u < site.units; u++) if (!consts.has(u)) plan.push({ src: u, inScale: 1, out: [{ from: u, coef: 1 }] });
      net = applyPlan(net, site, plan, shifts);
      folded += consts.size;
      details.push(`${site.pre.id}: folded ${consts.size} constant unit(s) into ${site.outs.map((o) => o.next.id).join(", ")}'s bias (${[...consts].map(([u, v]) => `unit ${u} = ${v.toPrecision(4)}`).join(", ")})`);
    }
    const how = ranges.box ? "proven by interval bounds over the box" : s.exhaustive ? `on ${ranges.evidence} (proven)` : `observed on ${ranges.evidence}`;
    return simplifyReport(this, s, { ...s, net }, folded ? `folded ${folded} constant unit(s) into biases (${how})` : "no constant units", details);
  },
};
