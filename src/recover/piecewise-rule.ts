// One-variable slices: an output that depends on a single source entry x through ReLU units is a
// piecewise-linear function of x, computed exactly from the weights (pl.ts: affine combinations and relu,
// knot by knot), then read as the shortest piecewise function within the view's tolerance (piecewise.ts):
//   c0 + a x + sum_k c_k relu(w_k x + b_k) = piecewise(x, breaks, slopes)   (breaks -b_k / w_k, slopes summed)
// named `clamp(x, lo, hi)`, `s * |x - c|` or `a x + b` when it is one of those. When the exact reading is not
// one of those, a fitted one (within 5% of the output's range) that is becomes the name, and the builder keeps
// the rest of the slice as a stated residual: a trained |x| net reads `abs(x)` plus its small error.
import { addAtomKind } from "./atom-kinds.ts";
import { srcIsBits, support } from "./logic.ts";
import { readPiecewise, type PiecewiseReading } from "./piecewise.ts";
import { plAffine, plCombine, plRelu, plRestrict, type PL } from "./pl.ts";
import type { SliceCtx, SliceRecogniser } from "./recogniser.ts";
import { atomLin, type Atom, type Lin, type SymView } from "./symbolic.ts";

/** Most breakpoints a general piecewise reading may have and still be worth reading. */
const MAX_BREAKS = 12;
/** A fitted (not exact) reading is accepted when it names a shape within this fraction of the output's range. */
const FIT_REL = 0.05;

/** params of a piecewise atom: [breaks..., slopes..., value0] with breaks.length = (params.length - 2) / 2. */
function unpack(p: readonly number[]): { breakpoints: number[]; slopes: number[]; value0: number } {
  const nb = (p.length - 2) / 2;
  return { breakpoints: p.slice(0, nb), slopes: p.slice(nb, 2 * nb + 1), value0: p[p.length - 1] };
}

/** The piecewise function of the kernel (value0 at breakpoints[0]), at one point. */
export function piecewiseAt(x: number, q: { breakpoints: number[]; slopes: number[]; value0: number }): number {
  const { breakpoints: b, slopes: s, value0 } = q;
  if (!b.length) return value0 + s[0] * x;
  let y = value0 + s[0] * (Math.min(x, b[0]) - b[0]);
  for (let j = 0; j < b.length; j++) {
    const hi = j + 1 < b.length ? b[j + 1] : Infinity;
    if (x > b[j]) y += s[j + 1] * (Math.min(x, hi) - b[j]);
  }
  return y;
}

addAtomKind({
  kind: "piecewise",
  eval: ([z], p) => piecewiseAt(z, unpack(p)),
  emit: ([a], e) => {
    const name = e.stmt("p", 1, [e.form(a.args[0])], { kind: "piecewise", params: unpack(a.params) }, a.units);
    e.places.set(a.id, { name, index: 0, n: 1 });
  },
});

/** The exact PL function of x that an atom computes, or undefined for kinds that are not piecewise linear. */
function plOfAtom(id: number, v: SymView, memo: Map<number, PL | undefined>): PL | undefined {
  if (memo.has(id)) return memo.get(id);
  const a = v.at(id);
  const args = a.args.map((f) => plOfLin(f, v, memo));
  let r: PL | undefined;
  if (args.every((x): x is PL => x !== undefined)) {
    const [z] = args;
    const relu = (f: PL, c: number, k = 1) => plRelu(plCombine([f], [k], c));
    switch (a.kind) {
      case "src": r = plAffine(1, 0); break;
      case "relu": r = plRelu(z); break;
      // |z| = relu(z) + relu(-z)
      case "abs": r = plCombine([relu(z, 0), relu(z, 0, -1)], [1, 1], 0); break;
      // clamp(z, lo, hi) = lo + relu(z - lo) - relu(z - hi)
      case "clamp": r = plCombine([relu(z, -a.params[0]), relu(z, -a.params[1])], [1, -1], a.params[0]); break;
      // max(a, b) = a + relu(b - a); min(a, b) = a - relu(a - b)
      case "max": case "min": r = args.reduce((acc, b) => (a.kind === "max"
        ? plCombine([acc, plRelu(plCombine([b, acc], [1, -1], 0))], [1, 1], 0)
        : plCombine([acc, plRelu(plCombine([acc, b], [1, -1], 0))], [1, -1], 0))); break;
      // piecewise(z) = value0 + s0 (z - b0) + sum_j (s_{j+1} - s_j) relu(z - b_j)
      case "piecewise": {
        const q = unpack(a.params);
        if (!q.breakpoints.length) { r = plCombine([z], [q.slopes[0]], q.value0); break; }
        const parts = [z, ...q.breakpoints.map((b) => relu(z, -b))];
        r = plCombine(parts, [q.slopes[0], ...q.breakpoints.map((_, j) => q.slopes[j + 1] - q.slopes[j])], q.value0 - q.slopes[0] * q.breakpoints[0]);
        break;
      }
      default: r = undefined;
    }
  }
  memo.set(id, r);
  return r;
}

function plOfLin(f: Lin, v: SymView, memo: Map<number, PL | undefined>): PL | undefined {
  const ids = [...f.t.keys()];
  const pls = ids.map((id) => plOfAtom(id, v, memo));
  if (pls.some((p) => !p)) return undefined;
  return plCombine(pls as PL[], ids.map((id) => f.t.get(id)!), f.c);
}

/** The interval x lives on: the box when the view knows it, else the analysis data's range of that entry. */
export function interval(a: Atom, ctx: SliceCtx): [number, number] | undefined {
  if (Number.isFinite(a.lo) && Number.isFinite(a.hi) && a.hi > a.lo) return [a.lo, a.hi];
  const s = ctx.stats?.sample;
  const t = a.src && (s?.inputs[a.src.value] ?? s?.activations[a.src.value]);
  if (!t || !a.src) return undefined;
  const w = t.shape.slice(1).reduce((p, q) => p * q, 1);
  const d = t.data as Float32Array;
  let lo = Infinity, hi = -Infinity;
  for (let r = 0; r * w < d.length; r++) { lo = Math.min(lo, d[r * w + a.src.index]); hi = Math.max(hi, d[r * w + a.src.index]); }
  return hi > lo ? [lo, hi] : undefined;
}

/** The reading to name the output by: the exact one when it is short, else a fitted named shape. */
export function choose(f: PL, lo: number, hi: number, tol: number): PiecewiseReading | undefined {
  const g = plRestrict(f, lo, hi);
  const range = Math.max(...g.values) - Math.min(...g.values);
  const exact = readPiecewise(f, lo, hi, Math.max(tol * range, 1e-12));
  if (exact.shape.kind !== "general") return exact;
  const fit = readPiecewise(f, lo, hi, FIT_REL * range);
  if (fit.shape.kind !== "general") return fit;
  return exact.params.breakpoints.length <= MAX_BREAKS ? exact : undefined;
}

/** The form or atom naming a reading of x (the source atom). */
export function named(r: PiecewiseReading, x: number, units: string[], v: SymView): Lin {
  const s = r.shape;
  switch (s.kind) {
    case "affine": return { t: new Map([[x, s.slope]]), c: s.offset };
    case "clamp": return atomLin(v.atom("clamp", [atomLin(x)], [s.lo, s.hi], { units, lo: s.lo, hi: s.hi }).id);
    case "abs": return atomLin(v.atom("abs", [{ t: new Map([[x, 1]]), c: -s.center }], [], { units, lo: 0 }).id, s.scale);
    case "general": {
      const q = r.params;
      return atomLin(v.atom("piecewise", [atomLin(x)], [...q.breakpoints, ...q.slopes, q.value0], { units }).id);
    }
  }
}

/** An output that is exactly clamp(x, lo, hi) of a source entry, named by another rule with the weights'
 *  numbers (lo = -0.99978): the bounds become the short numbers the reading snaps them to, within tolerance. */
function snapClamp(f: Lin, x: number, v: SymView, ctx: SliceCtx): boolean {
  const ids = [...f.t.keys()];
  if (ids.length !== 1 || f.c !== 0 || f.t.get(ids[0]) !== 1) return false;
  const a = v.at(ids[0]);
  const arg = a.args[0];
  if (a.kind !== "clamp" || arg.t.size !== 1 || arg.t.get(x) !== 1 || arg.c !== 0) return false;
  const span = interval(v.at(x), ctx);
  const pl = span && plOfLin(f, v, new Map());
  if (!span || !pl) return false;
  const r = readPiecewise(pl, span[0], span[1], v.tol * Math.max(1e-12, a.params[1] - a.params[0]));
  if (r.shape.kind !== "clamp" || (r.shape.lo === a.params[0] && r.shape.hi === a.params[1])) return false;
  v.note(Math.max(Math.abs(r.shape.lo - a.params[0]), Math.abs(r.shape.hi - a.params[1])) / Math.max(Math.abs(a.params[0]), Math.abs(a.params[1]), 1e-30));
  a.params = [r.shape.lo, r.shape.hi];
  v.fire("piecewise:snap");
  return true;
}

export const piecewiseRecogniser: SliceRecogniser = {
  name: "piecewise",
  doc: "outputs of one source entry through ReLU units: exact breakpoints and slopes (clamp, |x - c|, affine, or piecewise)",
  identity: "c0 + a x + sum_k c_k relu(w_k x + b_k) = piecewise(x, breaks -b_k/w_k, slopes summed left to right)",
  vector(fs, v, ctx) {
    let changed = false;
    const out = fs.map((f) => {
      const { srcs, inner } = support(f, v);
      if (srcs.length === 1 && snapClamp(f, srcs[0], v, ctx)) changed = true;
      // One unit alone is just relu(a x + b): a name needs at least two.
      if (srcs.length !== 1 || inner.filter((id) => v.at(id).kind === "relu").length < 2) return f;
      const x = srcs[0];
      if (srcIsBits(v.at(x), ctx)) return f; // two points: the logic rule reads those
      const span = interval(v.at(x), ctx);
      const pl = span && plOfLin(f, v, new Map());
      if (!span || !pl) return f;
      const r = choose(pl, span[0], span[1], v.tol);
      if (!r) return f;
      const units = [...inner.flatMap((id) => v.at(id).units), ...v.takeCarriers(f)];
      v.fire(r.shape.kind === "general" ? "piecewise" : `piecewise:${r.shape.kind}`);
      changed = true;
      return named(r, x, units, v);
    });
    return changed ? out : undefined;
  },
};

