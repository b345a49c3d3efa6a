// Ties between units for the difference bound: a ReLU (or leaky ReLU) element whose pre-activation is, on
// sampled box points, a positive multiple of an earlier element's (a's copy of a unit, b's rescaled or permuted
// version of a's unit). A tie is only a hint: crown.ts bounds the difference over the whole box before using it.
import type { Tensor } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import { runNet } from "../net/run.ts";
import type { BoxDomain } from "../passes/simplify.ts";
import { rng } from "../util/rng.ts";
import type { ProductNet } from "./product.ts";

/** y[p] - scale * y_rep[repIdx] lies in [lo, hi] (over the box, once crown.ts has bound it). */
export interface Hint {
  rep: string; repIdx: number; scale: number; lo: number; hi: number;
  /** Found as a near (not equal) match. */
  loose?: boolean;
  /** The pre-activation is a positive multiple of the representative's NEGATED pre-activation; crown.ts then
   *  ties y[p] = scale * (y_rep - (1 + α) z_rep) + e, since f(-t) = f(t) - (1 + α) t for f = max(t, αt). */
  negated?: boolean;
  /** Set by crown.ts for negated ties: y[p] also has `coef` times the representative's pre-activation `key`. */
  pre?: { key: string; coef: number };
}

/** Sampled points per candidate search. */
const SAMPLES = 32;
/** Relative agreement (after normalising by the largest |value|) for two elements to be tied exactly (the same
 *  computation up to rounding), and loosely (a perturbed version of it: pruned or rounded weights). */
const MATCH_TOL = 1e-4;
const LOOSE_TOL = 0.3;
/** Largest (elements × representatives) searched for loose ties; beyond it only exact ties are looked for. */
const LOOSE_WORK = 2e6;

/** Seeded points of the box (uniform), one tensor per input. */
function samplePoints(net: Net, box: BoxDomain, n: number): Record<string, Tensor> {
  const r = rng(0x5eed);
  const feeds: Record<string, Tensor> = {};
  for (const inp of net.inputs) {
    const b = box[inp.name];
    const d = inp.shape.reduce((x, y) => x * y, 1);
    const data = new Float32Array(n * d);
    for (let i = 0; i < data.length; i++) {
      const lo = b ? b.lo[i % d] : -1, hi = b ? b.hi[i % d] : 1;
      data[i] = lo + r() * (hi - lo);
    }
    feeds[inp.name] = { dtype: "float32", shape: [n, ...inp.shape], data };
  }
  return feeds;
}

/** Candidate ties per relu-like layer of the product network (undefined per element: none); `loose` also ties
 *  units of b to near (not equal) units of a. */
export function findHints(a: Net, b: Net, box: BoxDomain, net: ProductNet, loose: boolean): Map<string, (Hint | undefined)[]> {
  const feeds = samplePoints(a, box, SAMPLES);
  const runs = { a: runNet(a, feeds).activations, b: runNet(b, feeds).activations };
  const value = (key: string): Tensor | undefined => {
    const [side, ...rest] = key.split("/");
    const id = rest.join("/");
    return side === "x" ? feeds[id] : runs[side as "a" | "b"][id];
  };
  const buckets = new Map<string, Rep[]>();
  const reps: Rep[] = [];
  const out = new Map<string, (Hint | undefined)[]>();
  for (const node of net.nodes) {
    const l = node.layer;
    if (!l || l.kind !== "act" || !(l.fn === "relu" || (l.fn === "leaky_relu" && (l.alpha ?? 0.01) >= 0 && (l.alpha ?? 0.01) <= 1))) continue;
    const kind = l.fn === "relu" ? "relu" : `leaky${l.alpha ?? 0.01}`;
    const pre = value(node.inputs[0]);
    if (!pre) continue;
    const n = node.size;
    const data = pre.data as Float32Array;
    const hs: (Hint | undefined)[] = new Array(n).fill(undefined);
    for (let p = 0; p < n; p++) {
      const v = new Float64Array(SAMPLES);
      let big = 0;
      for (let s = 0; s < SAMPLES; s++) { v[s] = data[s * n + p]; big = Math.max(big, Math.abs(v[s])); }
      if (!(big > 1e-30) || !Number.isFinite(big)) continue;
      for (let s = 0; s < SAMPLES; s++) v[s] /= big;
      const keyOf = (u: Float64Array) => `${kind}|${Array.from(u.subarray(0, 6), (x) => Math.round(x * 1000)).join(",")}`;
      const key = keyOf(v);
      const list = buckets.get(key) ?? [];
      const exact = nearest(list, kind, v, MATCH_TOL);
      const neg = v.map((x) => -x);
      const opposite = exact ? undefined : nearest(buckets.get(keyOf(neg)) ?? [], kind, neg, MATCH_TOL);
      const match = exact ?? (opposite || !loose ? undefined : looseMatch(reps, kind, v, n, node.key[0]));
      if (opposite) hs[p] = { rep: opposite.rep, repIdx: opposite.idx, scale: big / opposite.scale, lo: 0, hi: 0, negated: true };
      else if (match) hs[p] = { rep: match.rep, repIdx: match.idx, scale: big / match.scale, lo: 0, hi: 0, ...(exact ? {} : { loose: true }) };
      // every element is a candidate for later ones (a tie found on samples may not survive the bound, so a
      // later equal element must be able to tie to this one rather than to this one's representative)
      const r: Rep = { rep: node.key, idx: p, v, scale: big, kind };
      list.push(r);
      buckets.set(key, list);
      if (!hs[p]) reps.push(r);
    }
    if (hs.some(Boolean)) out.set(node.key, hs);
  }
  return out;
}

/** A representative element: its normalised sampled pre-activation and the scale it was normalised by. */
interface Rep { rep: string; idx: number; v: Float64Array; scale: number; kind: string }

/** The candidate of this kind closest to v, if within tol. */
function nearest(list: readonly Rep[], kind: string, v: Float64Array, tol: number): Rep | undefined {
  let best: Rep | undefined, bd = tol;
  for (const c of list) {
    if (c.kind !== kind) continue;
    const d = dist(c.v, v);
    if (d <= bd) { bd = d; best = c; }
  }
  return best;
}

/** Largest coordinate difference of two normalised vectors. */
function dist(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// The nearest representative of the other net within LOOSE_TOL, when the search is small enough. Only across
// nets: there a near match is a unit and its perturbed version; within one net it is usually a coincidence.
function looseMatch(reps: readonly Rep[], kind: string, v: Float64Array, layerSize: number, side: string): Rep | undefined {
  if (reps.length * layerSize > LOOSE_WORK) return undefined;
  let best: Rep | undefined, bd = LOOSE_TOL;
  for (const r of reps) {
    if (r.kind !== kind || r.rep[0] === side) continue;
    const d = dist(r.v, v);
    if (d <= bd) { bd = d; best = r; }
  }
  return best;
}
