// Networks of max/min as order statistics: sort, and one-hot of the largest.
//   A max/min expression over n values is a lattice polynomial; on reals it is determined by its values on
//   {0, 1}^n, and the k-th smallest of n is the one that is 1 exactly when at least n - k inputs are 1.
//   So a set of outputs that are the n order statistics of the same n values is sort(values) (compare-exchange
//   pairs (min, max) are the n = 2 case), proven by 2^n evaluations, no sampling.
//   onehot: relu(k - (M - x_i) * s) * (1 / k) ... with M = max(x_0..x_n-1): outputs y_i = c * relu(x_i - M + k)
//   with c * k = 1 are 1 at the largest entry and 0 wherever x_i <= M - k: onehot(argmax(x)) where the largest
//   entry leads by >= k (the promise is stated; the residual covers samples that break it).
import { evalAtom } from "./atom-kinds.ts";
import type { SliceRecogniser } from "./recogniser.ts";
import { addInto, atomLin, copyLin, linKey, maxCoef, normalized, scaled, termIds, type Lin, type SymView } from "./symbolic.ts";

/** Largest number of values whose 2^n points are enumerated. */
const MAX_LEAVES = 10;

/** The atom of a form that is exactly 1 * atom (within tolerance), else undefined. */
function unitAtom(f: Lin, v: SymView): number | undefined {
  const ids = termIds(f);
  if (ids.length !== 1) return undefined;
  const c = f.t.get(ids[0])!;
  if (Math.abs(c - 1) > v.tol || Math.abs(f.c) > v.tol) return undefined;
  return ids[0];
}

/** The leaves of a pure max/min expression (operands exactly atoms), ascending, or undefined. */
export function latticeLeaves(id: number, v: SymView, out = new Set<number>()): number[] | undefined {
  const a = v.at(id);
  if (a.kind !== "max" && a.kind !== "min") {
    out.add(id);
    return [...out].sort((p, q) => p - q);
  }
  for (const f of a.args) {
    const ids = termIds(f);
    if (ids.length !== 1 || f.c !== 0 || f.t.get(ids[0]) !== 1) return undefined;
    if (!latticeLeaves(ids[0], v, out)) return undefined;
  }
  return [...out].sort((p, q) => p - q);
}

/** Which order statistic (0 = smallest) a lattice expression over `leaves` is, by its 0/1 table; -1 if none. */
export function orderStatistic(id: number, leaves: number[], v: SymView): number {
  const n = leaves.length;
  const table: { ones: number; val: number }[] = [];
  let t = Infinity;
  for (let m = 0; m < 1 << n; m++) {
    const env = new Map<number, number>(leaves.map((l, b) => [l, (m >> b) & 1]));
    const val = evalAtom(v, id, env);
    let ones = 0;
    for (let b = 0; b < n; b++) ones += (m >> b) & 1;
    if (val !== 0 && val !== 1) return -1;
    if (val === 1) t = Math.min(t, ones);
    table.push({ ones, val });
  }
  // The k-th smallest (0-based) is 1 exactly when at least n - k inputs are 1.
  if (!(t >= 1 && t <= n) || table.some((r) => r.val !== (r.ones >= t ? 1 : 0))) return -1;
  return n - t;
}

export const sortRecogniser: SliceRecogniser = {
  name: "sort",
  doc: "outputs that are all n order statistics of the same n values (compare-exchange networks): sort(values)",
  identity: "a max/min network equals sort on reals iff it sorts every 0/1 input (lattice polynomials, the 0-1 principle)",
  vector(fs, v) {
    const info = fs.map((f) => {
      const id = unitAtom(f, v);
      const leaves = id === undefined ? undefined : latticeLeaves(id, v);
      return id !== undefined && leaves && leaves.length >= 2 && leaves.length <= MAX_LEAVES ? { id, leaves } : undefined;
    });
    const groups = new Map<string, number[]>();
    info.forEach((x, i) => {
      if (!x || !["max", "min"].includes(v.at(x.id).kind)) return;
      const key = x.leaves.join(",");
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    let out: Lin[] | undefined;
    for (const [key, outs] of groups) {
      const leaves = key.split(",").map(Number);
      if (outs.length < leaves.length) continue;
      const stat = outs.map((i) => orderStatistic(info[i]!.id, leaves, v));
      if (stat.some((k) => k < 0) || new Set(stat).size !== leaves.length) continue;
      out ??= fs.map((f) => ({ t: new Map(f.t), c: f.c }));
      const args = leaves.map((l) => atomLin(l));
      outs.forEach((i, j) => {
        const units = v.at(info[i]!.id).units;
        const a = v.atom("order", args, [stat[j]], { units: [...units, ...collectUnits(info[i]!.id, v)], lo: v.at(info[i]!.id).lo, hi: v.at(info[i]!.id).hi });
        out![i] = atomLin(a.id);
      });
      v.fire("sort");
    }
    return out;
  },
};

/** Units of the max/min atoms inside a lattice expression (what the sort stands for). */
function collectUnits(id: number, v: SymView, seen = new Set<number>()): string[] {
  const a = v.at(id);
  if ((a.kind !== "max" && a.kind !== "min") || seen.has(id)) return [];
  seen.add(id);
  return [...a.units, ...a.args.flatMap((f) => termIds(f).flatMap((x) => collectUnits(x, v, seen)))];
}

/** A form with every max/min atom written back as the relu units that define it, where the view has them:
 *  max(a, b) = a + relu(b - a), min(a, b) = a - relu(a - b) (either operand order). Two forms that expand to
 *  the same form are the same function (the expansion only substitutes identities). */
export function expandLattice(l: Lin, v: SymView, depth = 0): Lin {
  const out: Lin = { t: new Map(), c: l.c };
  for (const [id, k] of l.t) {
    const a = v.at(id);
    const e = depth < 32 && (a.kind === "max" || a.kind === "min") ? definition(a.kind, a.args[0], a.args[1], v) : undefined;
    addInto(out, e ? expandLattice(e, v, depth + 1) : atomLin(id), k);
  }
  return out;
}

/** A canonical form for comparing functions: max/min expanded into relu atoms, and of each opposite pair
 *  relu(z), relu(-z) only the older kept (relu(z) = relu(-z) + z), repeated until nothing changes. */
export function canonicalForm(l: Lin, v: SymView): Lin {
  let cur = expandLattice(l, v);
  for (let round = 0; round < 8; round++) {
    let changed = false;
    for (const [id, c] of [...cur.t]) {
      const r = v.at(id);
      if (r.kind !== "relu") continue;
      const neg = v.find("relu", [scaled(r.args[0], -1)]);
      if (!neg || neg.id >= id) continue;
      // relu(z) = relu(-z) + z
      cur.t.delete(id);
      addInto(cur, atomLin(neg.id), c);
      addInto(cur, r.args[0], c);
      changed = true;
    }
    if (!changed) break;
    cur = expandLattice(cur, v);
  }
  for (const [id, c] of cur.t) if (c === 0) cur.t.delete(id);
  return cur;
}

/** max(a, b) or min(a, b) as a +- relu(+-(b - a)) over a relu atom the view has, if any. */
function definition(kind: "max" | "min", a: Lin, b: Lin, v: SymView): Lin | undefined {
  for (const [p, q] of [[a, b], [b, a]]) {
    // max: p + relu(q - p); min: p - relu(p - q)
    const inner = kind === "max" ? addInto(copyLin(q), p, -1) : addInto(copyLin(p), q, -1);
    const { s, f } = normalized(inner);
    if (s === 0) continue;
    const r = v.find("relu", [f]);
    if (r) return addInto(copyLin(p), atomLin(r.id), kind === "max" ? s : -s);
  }
  return undefined;
}

/** s and k with g = s * (e + k) when g - s * e is a constant (within tolerance), else undefined. */
function multipleOf(g: Lin, e: Lin, v: SymView): { s: number; k: number } | undefined {
  const ids = termIds(e).filter((id) => Math.abs(e.t.get(id)!) > 0);
  if (!ids.length) return undefined;
  const s = (g.t.get(ids[0]) ?? 0) / e.t.get(ids[0])!;
  if (!(Math.abs(s) > 0)) return undefined;
  const d = addInto(copyLin(g), e, -s);
  if (maxCoef(d) > v.tol * Math.max(maxCoef(g), 1e-30)) return undefined;
  return { s, k: d.c / s };
}

export const onehotRecogniser: SliceRecogniser = {
  name: "onehot-argmax",
  doc: "outputs c * relu(s * (x_i - max(x) + k)) with c * s * k = 1, one per x_i: onehot(argmax(x)) where the largest leads by >= k",
  identity: "c * relu(s * (x_i - max_j x_j + k)) = [x_i is the largest] where the largest leads by >= k, when c * s * k = 1",
  vector(fs, v) {
    if (fs.length < 2) return undefined;
    const rs = fs.map((f) => {
      const ids = termIds(f);
      const r = ids.length === 1 && Math.abs(f.c) <= v.tol ? v.at(ids[0]) : undefined;
      return r && r.kind === "relu" ? { r, c: f.t.get(ids[0])! } : undefined;
    });
    if (rs.some((x) => !x)) return undefined;
    // Candidates for M: max atoms that are the largest of exactly as many values as there are outputs; a unit
    // relu(b - a) defines max(a, b) = a + relu(b - a) even where no form asked for it by name.
    for (const r of [...v.atoms]) {
      if (r.kind !== "relu" || r.args[0].t.size !== 2 || Math.abs(r.args[0].c) > v.tol) continue;
      const [[p, x], [q, y]] = [...r.args[0].t];
      if (Math.abs(x + y) > v.tol * Math.max(Math.abs(x), Math.abs(y))) continue;
      if (!latticeLeaves(p, v) || !latticeLeaves(q, v)) continue;
      const [a, b] = linKey(atomLin(p)) <= linKey(atomLin(q)) ? [atomLin(p), atomLin(q)] : [atomLin(q), atomLin(p)];
      if (!v.find("max", [a, b])) v.atom("max", [a, b], [], { lo: Math.max(v.at(p).lo, v.at(q).lo), hi: Math.max(v.at(p).hi, v.at(q).hi) });
    }
    for (const M of [...v.atoms]) {
      if (M.kind !== "max") continue;
      const leaves = latticeLeaves(M.id, v);
      if (!leaves || leaves.length !== fs.length || orderStatistic(M.id, leaves, v) !== leaves.length - 1) continue;
      const xs: number[] = [];
      let lead = 0;
      const ok = rs.every((x) => {
        const g = canonicalForm(x!.r.args[0], v);
        for (const leaf of leaves) {
          if (xs.includes(leaf)) continue;
          const m = multipleOf(g, canonicalForm(addInto(atomLin(leaf), atomLin(M.id), -1), v), v);
          if (!m || !(m.s > 0) || !(m.k > 0) || Math.abs(x!.c * m.s * m.k - 1) > 10 * v.tol) continue;
          if (lead && Math.abs(m.k - lead) > v.tol * lead) continue;
          lead = m.k;
          xs.push(leaf);
          return true;
        }
        return false;
      });
      if (!ok) continue;
      const args = xs.map((x) => atomLin(x));
      const units = [...rs.flatMap((x) => x!.r.units), ...collectUnits(M.id, v)];
      v.fire("onehot");
      return fs.map((_, i) => atomLin(v.atom("onehot", args, [i, lead], { units: i === 0 ? units : [], lo: 0, hi: 1 }).id));
    }
    return undefined;
  },
};
