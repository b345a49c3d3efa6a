// CROWN-style linear relaxation of the difference network a - b over a box: linear upper bounds are
// back-substituted through the product network (a and b side by side on the same inputs) down to the inputs,
// where the box concretises them. Before bounding the outputs, the pre-activation bounds of every ReLU are
// tightened the same way, and units of b (or copies within a) that compute a positive multiple of an earlier
// unit are tied to it (`Hint`), so that equal computations cancel instead of being relaxed twice: after exact
// passes only, the bound is at rounding level.
import type { Net } from "../net/net.ts";
import type { BoxDomain } from "../passes/simplify.ts";
import { ibpLayer, boxIntervals } from "./bounds.ts";
import { concretize, backLayer, isLinearisable, type BackCtx } from "./crown-layers.ts";
import { productNet, type ProductNet } from "./product.ts";
import { findHints, type Hint } from "./hints.ts";
import { poolWindows, unbounded, type Interval } from "./ibp.ts";

/** Work allowed (rows × coefficients summed over the values crossed) for tightening hidden bounds and binding
 *  ties in one product network; past it, layers keep their interval bounds and units stay untied. Bounds stay
 *  sound either way, only looser. About a second of back-substitution here. */
const WORK_LIMIT = 3e8;

/** The product network with the best bounds known for each value and the ties between units. */
export interface CrownState {
  net: ProductNet;
  bounds: Map<string, Interval>;
  /** Per hinted layer, per element: y[p] - scale * y_rep[repIdx] lies in [lo, hi]. */
  hints: Map<string, (Hint | undefined)[]>;
  box: Map<string, Interval>;
  /** Work spent so far against WORK_LIMIT. */
  spent: number;
}

/** Upper bounds of m linear functions of the product network's values, each given by its coefficients
 *  (m × size per value key), by back-substitution to the inputs. */
export function backsubUpper(st: CrownState, start: Map<string, Float64Array>, m: number): Float64Array {
  const coefs = new Map(start);
  const cst = new Float64Array(m);
  const nodes = st.net.nodes;
  const ctx: BackCtx = {
    m, cst,
    coef(key) {
      let c = coefs.get(key);
      if (!c) { c = new Float64Array(m * nodes[st.net.index.get(key)!].size); coefs.set(key, c); }
      return c;
    },
    bounds: (key) => st.bounds.get(key)!,
  };
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k];
    const lam = coefs.get(node.key);
    if (!lam) continue;
    coefs.delete(node.key);
    if (!node.layer) { concretize(lam, st.box.get(node.key) ?? unbounded(node.size), cst, m); continue; }
    applyHints(st, node.key, node.size, lam, ctx);
    backLayer(node.layer, node.key, node.inputs, node.inputs.map((r) => nodes[st.net.index.get(r)!].shape), lam, ctx);
  }
  return cst;
}

// Tie hinted elements to their representatives: λ y_p = λ s y_rep + λ (y_p - s y_rep), the last term bounded by
// the hint's interval.
function applyHints(st: CrownState, key: string, n: number, lam: Float64Array, ctx: BackCtx): void {
  const hs = st.hints.get(key);
  if (!hs) return;
  // descending: a tie to an earlier element of the same layer that is itself tied moves on along the chain
  for (let p = n - 1; p >= 0; p--) {
    const h = hs[p];
    if (!h) continue;
    const dst = h.rep === key ? lam : ctx.coef(h.rep);
    const repSize = dst.length / ctx.m;
    for (let q = 0; q < ctx.m; q++) {
      const v = lam[q * n + p];
      if (v === 0) continue;
      lam[q * n + p] = 0;
      dst[q * repSize + h.repIdx] += v * h.scale;
      if (h.pre) ctx.coef(h.pre.key)[q * (ctx.coef(h.pre.key).length / ctx.m) + h.repIdx] += v * h.pre.coef;
      ctx.cst[q] += v > 0 ? v * h.hi : v * h.lo;
    }
  }
}

/** One term of a sparse linear function over the product network's values: c · value[idx]. */
export interface Term { key: string; idx: number; c: number }

/** Rows per back-substitution: the coefficient matrices are dense (rows × value size), so rows go in chunks. */
const CHUNK = 64;

/** Upper bounds of sparse linear functions (one per row) over the box, back-substituted in chunks of rows. */
export function upperOfRows(st: CrownState, rows: readonly Term[][]): Float64Array {
  const out = new Float64Array(rows.length);
  for (let q0 = 0; q0 < rows.length; q0 += CHUNK) {
    const part = rows.slice(q0, q0 + CHUNK);
    const m = part.length;
    const start = new Map<string, Float64Array>();
    part.forEach((terms, q) => {
      for (const t of terms) {
        let c = start.get(t.key);
        const n = st.net.nodes[st.net.index.get(t.key)!].size;
        if (!c) { c = new Float64Array(m * n); start.set(t.key, c); }
        c[q * n + t.idx] += t.c;
      }
    });
    out.set(backsubUpper(st, start, m), q0);
  }
  return out;
}

/** Bounds on `key`'s elements by back-substitution (upper of y and of -y), intersected with what is known. */
export function tighten(st: CrownState, key: string): Interval {
  const n = st.net.nodes[st.net.index.get(key)!].size;
  const cur = st.bounds.get(key)!;
  const rows: Term[][] = [];
  for (let i = 0; i < n; i++) rows.push([{ key, idx: i, c: 1 }], [{ key, idx: i, c: -1 }]);
  const up = upperOfRows(st, rows);
  const lo = new Float64Array(n), hi = new Float64Array(n);
  for (let i = 0; i < n; i++) { hi[i] = Math.min(cur.hi[i], up[2 * i]); lo[i] = Math.max(cur.lo[i], -up[2 * i + 1]); }
  return { lo, hi };
}

// Whether back-substituting `rows` rows from node k (rows times the sizes of the values before it) still fits
// the work limit; if so, it is counted as spent.
function afford(st: CrownState, k: number, rows: number): boolean {
  let s = 0;
  for (let j = 0; j <= k; j++) s += st.net.nodes[j].size;
  if (st.spent + rows * s > WORK_LIMIT) return false;
  st.spent += rows * s;
  return true;
}

/** The product network with IBP bounds, ReLU pre-activations tightened by back-substitution, and hints. */
export function prepare(a: Net, b: Net, box: BoxDomain, loose = true): CrownState {
  const net = productNet(a, b);
  const boxes = boxIntervals(a, box);
  const st: CrownState = { net, bounds: new Map(), hints: new Map(), box: new Map(), spent: 0 };
  for (const [name, iv] of boxes) { st.box.set(`x/${name}`, iv); st.bounds.set(`x/${name}`, iv); }
  const hintsByKey = findHints(a, b, box, net, loose);
  const poolSeen = new Map<string, { key: string; idx: number; ties: Tie[] }>();
  net.nodes.forEach((node, k) => {
    if (!node.layer) return;
    const l = node.layer;
    const relaxed = (l.kind === "act" && l.fn !== "identity" && isLinearisable(l)) || (l.kind === "pool" && (l.mode === "max" || l.mode === "global_max"));
    const src = node.inputs[0];
    const srcIdx = net.index.get(src)!;
    const srcNode = net.nodes[srcIdx];
    // the first affine layer's interval bounds are already exact; deeper pre-activations gain from back-substitution
    if (relaxed && srcNode.layer && !firstLinear(st, srcIdx) && afford(st, srcIdx, 2 * srcNode.size)) {
      st.bounds.set(src, tighten(st, src));
    }
    const ins = node.inputs.map((r) => st.bounds.get(r)!);
    st.bounds.set(node.key, ibpLayer(l, ins, node.inputs.map((r) => net.nodes[net.index.get(r)!].shape)));
    const hs = hintsByKey.get(node.key);
    if (hs) bindHints(st, node.key, hs);
    if (l.kind === "pool" && (l.mode === "max" || l.mode === "global_max")) bindPoolHints(st, node.key, poolSeen);
  });
  return st;
}

// Whether value k is an affine/conv layer reading an input directly (its IBP bounds are exact).
function firstLinear(st: CrownState, k: number): boolean {
  const node = st.net.nodes[k];
  return (node.layer?.kind === "affine" || node.layer?.kind === "conv") && node.inputs.every((r) => r.startsWith("x/"));
}

// Bound each candidate tie: y_p - s y_r for a monotone activation with slopes in [α, 1] lies in the hull of
// {δl, αδl, δu, αδu}, where δ = z_p - s z_r is bounded by back-substitution.
function bindHints(st: CrownState, key: string, cands: (Hint | undefined)[]): void {
  const node = st.net.nodes[st.net.index.get(key)!];
  const l = node.layer!;
  if (l.kind !== "act") return;
  const alpha = l.fn === "relu" ? 0 : (l.alpha ?? 0.01);
  // a tie must be tighter than the relaxation it replaces (its gap; 0 for a unit stable over the box, where only a
  // tie at rounding level is kept: max pools need those to tie their windows)
  const pb = st.bounds.get(node.inputs[0])!;
  const gap = (p: number) => pb.lo[p] < 0 && pb.hi[p] > 0
    ? ((1 - alpha) * -pb.lo[p] * pb.hi[p]) / (pb.hi[p] - pb.lo[p])
    : 1e-6 * (1 + Math.max(Math.abs(pb.lo[p]), Math.abs(pb.hi[p])));
  const idx = cands.flatMap((h, p) => (h ? [p] : []));
  if (!idx.length || !afford(st, st.net.index.get(key)!, 2 * idx.length)) return;
  const pre = node.inputs[0];
  const rows: Term[][] = [];
  for (const p of idx) {
    const h = cands[p]!;
    const repPre = st.net.nodes[st.net.index.get(h.rep)!].inputs[0];
    // δ = z_p - s z_rep (or z_p + s z_rep for a negated tie)
    const k = h.negated ? 1 : -1;
    for (const sign of [1, -1]) rows.push([{ key: pre, idx: p, c: sign }, { key: repPre, idx: h.repIdx, c: k * sign * h.scale }]);
  }
  const up = upperOfRows(st, rows);
  const out = cands.map(() => undefined as Hint | undefined);
  idx.forEach((p, j) => {
    const du = up[2 * j], dl = -up[2 * j + 1];
    if (!Number.isFinite(du) || !Number.isFinite(dl)) return;
    const h = cands[p]!;
    const lo = Math.min(dl, alpha * dl), hi = Math.max(du, alpha * du);
    // a looser tie (a coincidence on the samples) is dropped
    if (!(hi - lo < gap(p))) return;
    const repPre = st.net.nodes[st.net.index.get(h.rep)!].inputs[0];
    out[p] = { ...h, lo, hi, ...(h.negated ? { pre: { key: repPre, coef: -h.scale * (1 + alpha) } } : {}) };
  });
  st.hints.set(key, out);
}

/** Per output element (outputs concatenated in order), an upper bound on |a - b| over the box: the smaller of
 *  the bounds with and without loose ties (a loose tie helps when b is a perturbed a, and may hurt otherwise). */
export function crownDiff(a: Net, b: Net, box: BoxDomain): number[] {
  const withLoose = prepare(a, b, box, true);
  const tight = crownDiffWith(withLoose);
  const anyLoose = [...withLoose.hints.values()].some((hs) => hs.some((h) => h?.loose));
  if (!anyLoose) return tight;
  const exactOnly = crownDiffWith(prepare(a, b, box, false));
  return tight.map((v, i) => Math.min(v, exactOnly[i]));
}

function crownDiffWith(st: CrownState): number[] {
  const per: number[] = [];
  st.net.outA.forEach((ka, o) => {
    const kb = st.net.outB[o];
    const n = st.net.nodes[st.net.index.get(ka)!].size;
    const rows: Term[][] = [];
    for (let i = 0; i < n; i++) for (const sign of [1, -1]) rows.push([{ key: ka, idx: i, c: sign }, { key: kb, idx: i, c: -sign }]);
    const up = upperOfRows(st, rows);
    for (let i = 0; i < n; i++) per.push(Math.max(up[2 * i], up[2 * i + 1], 0));
  });
  return per;
}

/** An element's tie to its representative: y = scale * y_rep[repIdx] + e with e in [lo, hi] (itself: scale 1, 0). */
interface Tie { rep: string; repIdx: number; scale: number; lo: number; hi: number }

// A max pool whose window elements are tied, one to one, to the elements of an earlier max pool's window is tied
// to that pool element: max_i(s y_i + e_i) - (s/s') max_i(s' y_i + e'_i) lies in
// [min_i(e_i.lo - (s/s') e'_i.hi), max_i(e_i.hi - (s/s') e'_i.lo)] (max is monotone and 1-Lipschitz in each entry).
function bindPoolHints(st: CrownState, key: string, seen: Map<string, { key: string; idx: number; ties: Tie[] }>): void {
  const node = st.net.nodes[st.net.index.get(key)!];
  const l = node.layer!;
  if (l.kind !== "pool") return;
  const src = node.inputs[0];
  const srcNode = st.net.nodes[st.net.index.get(src)!];
  const hs = st.hints.get(src);
  const wins = poolWindows(l, srcNode.shape);
  const out: (Hint | undefined)[] = new Array(wins.length).fill(undefined);
  wins.forEach((w, k) => {
    const ties = w.idx.map((i) => tieOf(st, src, i, hs?.[i]));
    const s = ties[0]?.scale;
    if (s === undefined || !ties.every((t) => Number.isFinite(t.lo) && Number.isFinite(t.hi))) return;
    // entries tied at a slightly different scale: the excess (s_i - s) y_rep,i goes into the error interval
    const even = ties.map((t) => {
      if (t.scale === s) return t;
      const rb = st.bounds.get(t.rep)!, d = t.scale - s;
      const ext = [d * rb.lo[t.repIdx], d * rb.hi[t.repIdx]];
      return { ...t, scale: s, lo: t.lo + Math.min(...ext), hi: t.hi + Math.max(...ext) };
    });
    const sorted = even.map((t, j) => ({ t, j })).sort((x, y) => (x.t.rep < y.t.rep ? -1 : x.t.rep > y.t.rep ? 1 : x.t.repIdx - y.t.repIdx));
    const sig = sorted.map(({ t }) => `${t.rep}#${t.repIdx}`).join(",");
    const prev = seen.get(sig);
    if (!prev) { seen.set(sig, { key, idx: k, ties: sorted.map(({ t }) => t) }); return; }
    const ratio = s / prev.ties[0].scale;
    let lo = Infinity, hi = -Infinity;
    sorted.forEach(({ t }, j) => {
      const e2 = prev.ties[j];
      const r2 = e2.scale * ratio;
      if (Math.abs(r2 - s) > 1e-6 * s) { lo = -Infinity; hi = Infinity; return; }
      lo = Math.min(lo, t.lo - ratio * e2.hi);
      hi = Math.max(hi, t.hi - ratio * e2.lo);
    });
    if (Number.isFinite(lo) && Number.isFinite(hi)) out[k] = { rep: prev.key, repIdx: prev.idx, scale: ratio, lo, hi };
  });
  if (out.some(Boolean)) st.hints.set(key, out);
}

// Element i of value `key`, tied to its representative (or to itself).
function tieOf(_st: CrownState, key: string, i: number, h: Hint | undefined): Tie {
  return h && !h.pre ? { rep: h.rep, repIdx: h.repIdx, scale: h.scale, lo: h.lo, hi: h.hi } : { rep: key, repIdx: i, scale: 1, lo: 0, hi: 0 };
}
