// linear-pairs (exact): a pair of ReLU units on opposite rows whose outgoing weights cancel is a linear unit:
//   c relu(z) - c relu(-z) -> c z
// The pair leaves the hidden layer as a skip connection (linearise.ts). Pairs whose outgoing weights do not cancel
// stay as they are, two units, so what the recognisers read off them stays visible:
//   relu(z) + relu(-z) -> abs(z),   a + relu(b - a) -> max(a, b)
// (relu(z) = z + relu(-z) would turn every pair into one unit plus a skip, but would hide abs behind it).
// Opposite rows are found on rows scaled to max |entry| = 1 (incl. bias): row_q = -s row_p with s > 0, and then
// relu(z_q) = s relu(-z_p), so the pair is linear when c_p + s c_q = 0.
import type { SimplifyPass } from "./simplify.ts";
import { incoming, outgoingIn, unitSites, siteById } from "./sites.ts";
import { normalised, sameRow } from "./merge-parallel.ts";
import { linearisable, lineariseUnits } from "./linearise.ts";
import { simplifyReport } from "./report.ts";

/** Outgoing weights cancel when |c_p + s c_q| is below this, relative to the largest |c_p|. */
const CANCEL_TOL = 1e-5;

export const linearPairsPass: SimplifyPass = {
  name: "linear-pairs",
  kind: "exact",
  doc: "pairs relu(z), relu(-z) whose outgoing weights cancel (a pass-through of z) become a linear skip connection",
  run(s) {
    let net = s.net;
    let pairs = 0;
    const details: string[] = [];
    for (const site0 of unitSites(net)) {
      const site = siteById(net, site0.pre.id);
      if (!site || site.act.fn !== "relu" || !linearisable(site)) continue;
      const rows = Array.from({ length: site.units }, (_, u) => normalised(incoming(site.pre, u)));
      const cols = Array.from({ length: site.units }, (_, u) => site.outs.map((o) => outgoingIn(o, u)));
      const used = new Set<number>();
      const linear = new Map<number, Float64Array[]>();
      const partners = new Map<number, number>();
      const found: string[] = [];
      for (let p = 0; p < site.units; p++) {
        const rp = rows[p];
        if (!rp || used.has(p)) continue;
        for (let q = p + 1; q < site.units; q++) {
          const rq = rows[q];
          if (!rq || used.has(q) || !sameRow(rp.row, rq.row, -1)) continue;
          const sc = rq.scale / rp.scale;
          const e = cols[p].map((cp, oi) => Float64Array.from(cp, (v, r) => (v - sc * cols[q][oi][r]) / 2));
          const big = Math.max(...cols[p].flatMap((c) => [...c].map(Math.abs)), 1e-30);
          const cancel = cols[p].every((cp, oi) => cp.every((v, r) => Math.abs(v + sc * cols[q][oi][r]) <= CANCEL_TOL * big));
          if (!cancel) continue;
          used.add(p).add(q);
          linear.set(p, e);
          partners.set(p, q);
          found.push(`(${p}, ${q})`);
          break;
        }
      }
      if (!linear.size) continue;
      net = lineariseUnits(net, site, linear, used, partners);
      pairs += linear.size;
      details.push(`${site.pre.id}: pairs ${found.join(" ")} pass their value through; now a skip connection into ${site.outs.map((o) => o.next.id).join(", ")}`);
    }
    return simplifyReport(this, s, { ...s, net }, pairs ? `${pairs} pass-through pair(s) relu(z) - relu(-z) made linear (${2 * pairs} units)` : "no pass-through pairs", details);
  },
};
