// Threshold units: a ReLU unit whose output takes two values on the data (up to the view's tolerance) is a step
// of its pre-activation z:  relu(z) = low + (high - low) [z - b > c]  on every analysis sample, where c is the
// simplest number in the middle of the gap between the two classes of z - b (threshold.ts reads it off).
// Exact on the data; a point off the data may fall in the gap, so the builder's residual measures the rest.
import { addAtomKind } from "./atom-kinds.ts";
import { statsFor } from "../passes/stats.ts";
import { sampleValues } from "./logic.ts";
import type { SliceCtx, SliceRecogniser } from "./recogniser.ts";
import { readThreshold, type ThresholdReading } from "./threshold.ts";
import { roundRow } from "./rational.ts";
import { addInto, atomLin, copyLin, maxCoef, type Atom, type Lin, type SymView } from "./symbolic.ts";

addAtomKind({
  kind: "threshold",
  eval: ([l], [c]) => (l > c ? 1 : 0),
  emit: ([a], e) => {
    const k = e.names.weightIndex();
    const c = { name: `c${k}`, shape: [], data: Float32Array.of(a.params[0]) };
    const name = e.stmt("t", 1, [e.form(a.args[0], "s")], { kind: "threshold", params: { c, strict: true } }, a.units, undefined, [c]);
    e.places.set(a.id, { name, index: 0, n: 1 });
  },
});

/** Whether every unit of an atom looks two-valued ({0, v}) to the probe: then E[x^2] = v E[x] with v = max, which
 *  a unit whose active values spread over (0, v] misses by a third or more. A cheap filter; the sample decides.
 *  On real-valued sources a unit active on one analysis row only is two-valued whatever it computes (a near-dead
 *  unit of a trained net): one row is no evidence of a threshold. (On bits an and of every input is active on one
 *  row of the whole domain, and is one.) */
function twoValuedUnits(a: Atom, ctx: SliceCtx): boolean {
  if (!ctx.stats || !a.units.length) return false;
  return a.units.every((u) => {
    const k = u.lastIndexOf(":");
    const s = statsFor(ctx.stats!, u.slice(0, k));
    const i = Number(u.slice(k + 1));
    if (!s || !(s.max[i] > 0) || s.min[i] < 0 || (!ctx.bits && Math.round(s.fracActive[i] * s.count) < 2)) return false;
    const ex2 = s.std[i] ** 2 + s.mean[i] ** 2;
    return s.binary[i] || Math.abs(ex2 - s.max[i] * s.mean[i]) <= 1e-2 * s.max[i] * s.mean[i];
  });
}

/** Threshold readings of relu atoms, by view and atom id (each atom is read once; null: not a threshold). */
const readings = new WeakMap<SymView, Map<number, ThresholdReading | null>>();

function readingOf(a: Atom, v: SymView, ctx: SliceCtx): ThresholdReading | undefined {
  let m = readings.get(v);
  if (!m) readings.set(v, (m = new Map()));
  if (!m.has(a.id)) {
    const z = a.args[0];
    const zs = twoValuedUnits(a, ctx) ? sampleValues(z, v, ctx)?.y : undefined;
    m.set(a.id, (zs && readThreshold(zs, zs.map((x) => Math.max(0, x)), z.c, v.tol)) ?? null);
  }
  return m.get(a.id) ?? undefined;
}

/** l = z - b, with its coefficients rounded to small fractions when that keeps every sample on its side of c. */
function shortest(a: Atom, r: ThresholdReading, v: SymView, ctx: SliceCtx): Lin {
  const l = copyLin(a.args[0]);
  l.c = 0;
  const ids = [...l.t.keys()];
  const q = roundRow(ids.map((id) => l.t.get(id)!), 0, { relTol: v.tol });
  if (!q || q.maxChange === 0) return l;
  const rounded: Lin = { t: new Map(ids.map((id, k) => [id, q.W[k]] as [number, number]).filter(([, w]) => w !== 0)), c: 0 };
  const before = sampleValues(l, v, ctx)?.y, after = sampleValues(rounded, v, ctx)?.y;
  if (!before || !after || before.some((x, i) => x > r.c !== after[i] > r.c)) return l;
  v.note(q.maxChange / Math.max(maxCoef(l), 1e-30));
  return rounded;
}

export const thresholdRecogniser: SliceRecogniser = {
  name: "threshold",
  observed: true,
  doc: "a ReLU unit two-valued on the data: low + (high - low) * (l(x) > c) over its sources",
  identity: "relu(z) = low + (high - low) [z - b > c] wherever z avoids the gap (every analysis sample)",
  form(f, v, ctx) {
    for (const [id, coef] of f.t) {
      const a = v.at(id);
      if (a.kind !== "relu") continue;
      const r = readingOf(a, v, ctx);
      if (!r) continue;
      const l = shortest(a, r, v, ctx);
      const fresh = !v.find("threshold", [l], [r.c]);
      const t = v.atom("threshold", [l], [r.c], { units: fresh ? [...a.units] : [], lo: 0, hi: 1 });
      // coef * relu(z) -> coef * low + coef * (high - low) * t
      const out = copyLin(f);
      out.t.delete(id);
      addInto(out, atomLin(t.id), coef * (r.high - r.low));
      out.c += coef * r.low;
      v.fire("threshold");
      return out;
    }
    return undefined;
  },
};
