// Opposite ReLU pairs: a unit relu(z) and a unit relu(-z) read together.
//   relu(z) - relu(-z) = z      (the pass-through: a value carried through a ReLU layer)
//   relu(z) + relu(-z) = |z|
// Matched up to positive scale (atoms are normalised), split copies (interned into one atom) and a relative
// tolerance on the two coefficients; what the tolerance ignores is recorded as a snap.
import type { SliceRecogniser } from "./recogniser.ts";
import { addInto, bucketKey, copyLin, scaled, type Lin, type SymView } from "./symbolic.ts";

/** The relu atom reading -z of a relu atom reading z (memoised per atom: atoms never change), if the view has one. */
const partners = new WeakMap<SymView, Map<number, { p: number; seen: number; neg: Lin[]; key: string }>>();
function partnerOf(id: number, v: SymView): number {
  let memo = partners.get(v);
  if (!memo) partners.set(v, (memo = new Map()));
  let got = memo.get(id);
  // A miss is re-checked only when relu atoms were added since (a partner interned later must be found); the
  // negated form and its bucket key are made once per atom.
  const relus = v.count("relu");
  if (got && (got.p >= 0 || got.seen === relus)) return got.p;
  if (!got) {
    const neg = [scaled(v.at(id).args[0], -1)];
    memo.set(id, (got = { p: -1, seen: -1, neg, key: bucketKey("relu", neg, []) }));
  }
  const neg = v.findKeyed(got.key, got.neg);
  got.p = neg && neg.id !== id ? neg.id : -1;
  got.seen = relus;
  return got.p;
}

/** The partner of a relu atom when the form uses it too. */
function partner(f: Lin, id: number, v: SymView): number | undefined {
  if (v.at(id).kind !== "relu") return undefined;
  const p = partnerOf(id, v);
  return p >= 0 && f.t.has(p) ? p : undefined;
}

export const pairRecogniser: SliceRecogniser = {
  name: "relu-pair",
  doc: "opposite units relu(z), relu(-z) read with opposite weights (a pass-through) or equal weights (|z|)",
  identity: "relu(z) - relu(-z) = z;  relu(z) + relu(-z) = |z|",
  form(f, v) {
    for (const [id, a] of f.t) {
      const nid = partner(f, id, v);
      if (nid === undefined) continue;
      const b = f.t.get(nid)!;
      const scale = Math.max(Math.abs(a), Math.abs(b));
      const z = v.at(id).args[0];
      const units = [...v.at(id).units, ...v.at(nid).units];
      const out = copyLin(f);
      out.t.delete(id);
      out.t.delete(nid);
      if (Math.abs(a + b) <= v.tol * scale) {
        // a relu(z) + b relu(-z) with b ~ -a: ((a - b) / 2) z
        v.note(Math.abs(a + b) / (2 * scale));
        addInto(out, z, (a - b) / 2);
        v.addCarriers(z, units);
        v.fire("identity");
        return out;
      }
      if (Math.abs(a - b) <= v.tol * scale) {
        // a relu(z) + b relu(-z) with b ~ a: ((a + b) / 2) |z|
        v.note(Math.abs(a - b) / (2 * scale));
        const [lo, hi] = v.bounds(z);
        const absHi = Math.max(Math.abs(lo), Math.abs(hi));
        const abs = v.atom("abs", [z], [], { units: [...units, ...v.takeCarriers(z)], lo: lo <= 0 && hi >= 0 ? 0 : Math.min(Math.abs(lo), Math.abs(hi)), hi: absHi, layer: v.at(id).layer });
        addInto(out, { t: new Map([[abs.id, 1]]), c: 0 }, (a + b) / 2);
        v.fire("abs");
        return out;
      }
    }
    return undefined;
  },
};
