// max, min and clamp from single ReLU units and what reads them.
//   p a + q b + (p - q) relu(b - a) = p max(a, b) + q min(a, b)
//     (since relu(b - a) = max(a, b) - a = b - min(a, b) and max + min = a + b); special cases:
//   a + relu(b - a) = max(a, b)          b - relu(b - a) = min(a, b)
//   a - b - 2 relu(a - b)... = min - max (a compare-exchange whose two outputs are read together)
//   relu(x - lo) - relu(x - hi) + lo = clamp(x, lo, hi)        (lo < hi)
//   hi - relu(hi - x) + relu(lo - x) = clamp(x, lo, hi)        (the mirrored form)
// A rule fires only when it makes the form simpler: the max/min rule needs the form to hold the `a` and `b`
// the identity absorbs, so `relu(b - a)` alone stays a unit. Trees of max/min come out of applying it again
// to forms over earlier maxes (max4: max(max(x0, x1), max(x2, x3))).
import type { SliceRecogniser } from "./recogniser.ts";
import { addInto, atomLin, copyLin, linKey, type Lin, type SymView } from "./symbolic.ts";

/** relu(alpha * (A_i - A_j) + k) with alpha > 0: the two atoms and the affine shift. */
interface Difference {
  i: number;
  j: number;
  alpha: number;
  k: number;
}

function differenceOf(g: Lin, v: SymView): Difference | undefined {
  if (g.t.size !== 2) return undefined;
  const [[p, x], [q, y]] = [...g.t];
  if (Math.sign(x) === Math.sign(y)) return undefined;
  const scale = Math.max(Math.abs(x), Math.abs(y));
  if (Math.abs(x + y) > v.tol * scale) return undefined;
  const [i, j] = x > 0 ? [p, q] : [q, p];
  return { i, j, alpha: (Math.abs(x) + Math.abs(y)) / 2, k: g.c };
}

const near = (a: number, b: number, v: SymView) => Math.abs(a - b) <= v.tol * Math.max(Math.abs(a), Math.abs(b), 1e-30);

/** A max or min atom of two forms (operands in a canonical order: max(a, b) = max(b, a)). */
function maxMinAtom(kind: "max" | "min", a: Lin, b: Lin, v: SymView, units: string[]) {
  const [p, q] = linKey(a) <= linKey(b) ? [a, b] : [b, a];
  const [la, ha] = v.bounds(p), [lb, hb] = v.bounds(q);
  const lo = kind === "max" ? Math.max(la, lb) : Math.min(la, lb);
  const hi = kind === "max" ? Math.max(ha, hb) : Math.min(ha, hb);
  return v.atom(kind, [p, q], [], { units: [...units, ...v.takeCarriers(p), ...v.takeCarriers(q)], lo, hi });
}

export const maxMinRecogniser: SliceRecogniser = {
  name: "max-min",
  doc: "a unit relu(b - a) read beside a and b with weights p, q where p - q is its own weight: p max(a, b) + q min(a, b)",
  identity: "p a + q b + (p - q) relu(b - a) = p max(a, b) + q min(a, b)  (a + relu(b - a) = max, b - relu(b - a) = min)",
  form(f, v) {
    for (const [id, c] of f.t) {
      const r = v.at(id);
      if (r.kind !== "relu") continue;
      const d = differenceOf(r.args[0], v);
      if (!d) continue;
      // c * relu(g) = cc * relu(b - a) with b = A_i, a = A_j - k / alpha.
      const cc = c * d.alpha;
      const p = f.t.get(d.j) ?? 0, q = f.t.get(d.i) ?? 0;
      // Only when the form holds a or b (else relu(b - a) alone is simpler than max(a, b) - a).
      if ((p === 0 && q === 0) || !near(p - q, cc, v)) continue;
      v.note(Math.abs(p - q - cc) / Math.max(Math.abs(cc), 1e-30));
      const a = addInto(atomLin(d.j), { t: new Map(), c: -d.k / d.alpha });
      const b = atomLin(d.i);
      const out = copyLin(f);
      out.t.delete(id);
      out.t.delete(d.i);
      out.t.delete(d.j);
      // p * A_j = p * a + p * k / alpha
      out.c += (p * d.k) / d.alpha;
      let units = r.units;
      for (const [kind, w] of [["max", p], ["min", q]] as const) {
        if (Math.abs(w) <= v.tol * Math.abs(cc)) continue;
        addInto(out, atomLin(maxMinAtom(kind, a, b, v, units).id), w);
        units = [];
        v.fire(kind);
      }
      return out;
    }
    return undefined;
  },
};

/** relu(s * A + k) with s = +1 or -1 (normalised single-atom units). */
function rampOf(g: Lin): { a: number; s: number; k: number } | undefined {
  if (g.t.size !== 1) return undefined;
  const [[a, s]] = [...g.t];
  return { a, s: Math.sign(s), k: g.c / Math.abs(s) };
}

export const clampRecogniser: SliceRecogniser = {
  name: "clamp",
  doc: "two ramps of one value with opposite weights: clamp(x, lo, hi)",
  identity: "relu(x - lo) - relu(x - hi) + lo = clamp(x, lo, hi);  hi - relu(hi - x) + relu(lo - x) = clamp(x, lo, hi)",
  form(f, v) {
    const ramps = [...f.t].flatMap(([id, c]) => {
      const r = v.at(id);
      const q = r.kind === "relu" ? rampOf(r.args[0]) : undefined;
      return q ? [{ id, c: c * Math.abs([...r.args[0].t.values()][0]), ...q }] : [];
    });
    for (const p of ramps) {
      for (const q of ramps) {
        if (p.id === q.id || p.a !== q.a || p.s !== q.s || !near(p.c, -q.c, v)) continue;
        // s = +1: relu(A - t) with t = -k; s = -1: relu(t - A) with t = k.
        const tp = p.s > 0 ? -p.k : p.k, tq = q.s > 0 ? -q.k : q.k;
        if (!(tp < tq)) continue;
        const [lo, hi] = [tp, tq];
        const c = (p.c - q.c) / 2;
        v.note(Math.abs(p.c + q.c) / (2 * Math.abs(c)));
        const units = [...v.at(p.id).units, ...v.at(q.id).units, ...v.takeCarriers(atomLin(p.a))];
        const cl = v.atom("clamp", [atomLin(p.a)], [lo, hi], { units, lo, hi });
        const out = copyLin(f);
        out.t.delete(p.id);
        out.t.delete(q.id);
        if (p.s > 0) {
          // c relu(A - lo) - c relu(A - hi) = c (clamp(A, lo, hi) - lo)
          addInto(out, atomLin(cl.id), c);
          out.c -= c * lo;
        } else {
          // c relu(lo - A) - c relu(hi - A) = c (clamp(A, lo, hi) - hi)
          addInto(out, atomLin(cl.id), c);
          out.c -= c * hi;
        }
        v.fire("clamp");
        return out;
      }
    }
    return undefined;
  },
};

/** |a - b| read beside units, where the view reads max(a, b) or min(a, b): written as their range so the max/min
 *  rule can see them (median3: min(max(a, b), c) - min(a, b) first comes out as |a - b| - relu(max(a, b) - c)). */
export const rangeRecogniser: SliceRecogniser = {
  name: "abs-range",
  doc: "|a - b| in a form that still has units, where the view knows max(a, b) and min(a, b): max(a, b) - min(a, b)",
  identity: "|a - b| = max(a, b) - min(a, b)",
  form(f, v) {
    const hasUnits = [...f.t.keys()].some((id) => v.at(id).kind === "relu");
    if (!hasUnits) return undefined;
    for (const [id, c] of f.t) {
      const a = v.at(id);
      if (a.kind !== "abs") continue;
      const d = differenceOf(a.args[0], v);
      if (!d || Math.abs(d.k) > v.tol) continue;
      const p = atomLin(d.i), q = atomLin(d.j);
      const [x, y] = linKey(p) <= linKey(q) ? [p, q] : [q, p];
      // Only where the view already reads one of them by name (else |a - b| is the better name).
      if (!v.find("max", [x, y]) && !v.find("min", [x, y])) continue;
      const mx = maxMinAtom("max", x, y, v, []), mn = maxMinAtom("min", x, y, v, []);
      // c |s (A - B)| = c s (max(A, B) - min(A, B))
      const out = copyLin(f);
      out.t.delete(id);
      addInto(out, atomLin(mx.id), c * d.alpha);
      addInto(out, atomLin(mn.id), -c * d.alpha);
      mx.units.push(...a.units);
      v.fire("abs-range");
      return out;
    }
    return undefined;
  },
};
