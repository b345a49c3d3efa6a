// Whole one-variable Nets: a Net whose every output entry depends on one input entry (one number to one
// number, or an identity carried through layers), built of affine layers, ReLUs, concatenations,
// sums and reshapes is a piecewise-linear function, computed exactly from the weights (pl.ts), whatever layers
// simplification left (skip connections included). It is read as the shortest piecewise function (named clamp,
// |x - c| or affine when it is one: piecewise-rule.ts) on the box, or on the data's range without one:
//   net(x) = piecewise(x, breaks, slopes) + r(x),  max |r| over the interval exact (both are piecewise linear)
// A short general reading (no named shape) is a name worth a residual when its numbers are ones a person writes
// (triangle: breaks [1, 2, 3], slopes [1, -1, 1, -1]); one with arbitrary numbers that needs a residual beyond the
// budget is a lossy copy of the function plus the whole Net again, so the exact reading (every breakpoint) is taken
// instead when it has fewer numbers than the short one and the residual's weights together (the TFLM sine MLP:
// 12 exact breakpoints on [0, 2pi], not 8 fitted ones + 309 weights).
import type { Layer, Net } from "../net/net.ts";
import { runNet } from "../net/run.ts";
import { nonzeroWeights } from "../passes/net-edit.ts";
import { readPiecewise, type PiecewiseReading } from "./piecewise.ts";
import { piecewiseAt, choose, interval, named } from "./piecewise-rule.ts";
import { plAffine, plCombine, plEval, plRelu, plRestrict, type PL } from "./pl.ts";
import { SymView, type Lin } from "./symbolic.ts";
import { emitWhole, type WholeNetBuilt, type WholeNetCtx } from "./whole-net.ts";

/** A value of one entry as a PL function of the input entry it depends on: dep = that entry, -1 for a constant,
 *  -2 for an entry that mixes several inputs (no PL function of one variable). */
interface Dep1 {
  dep: number;
  pl: PL;
  /** Bounds of the value over the inputs' ranges (interval arithmetic where it mixes inputs). */
  lo: number;
  hi: number;
}

const mixed = (lo: number, hi: number): Dep1 => ({ dep: -2, pl: plAffine(0, 0), lo, hi });

/** Bounds of a PL function of input entry `dep` over that entry's range. */
function plBounds(pl: PL, [lo, hi]: readonly [number, number]): [number, number] {
  const v = plRestrict(pl, lo, hi).values;
  return [Math.min(...v), Math.max(...v)];
}

/** Set while reading a Net when some negligible coefficient was left out. */
let approximate = false;

/** Each output entry of a one-input Net as a PL function of the one input entry it depends on (dep -2 where it
 *  mixes several), or undefined for a layer kind that is not piecewise linear. */
export function plOfNet(net: Net, ranges: readonly (readonly [number, number])[], negligible = NEGLIGIBLE): Dep1[] | undefined {
  if (net.inputs.length !== 1 || net.outputs.length !== 1 || net.inputs[0].shape.length !== 1) return undefined;
  const n = net.inputs[0].shape[0];
  approximate = false;
  const vals = new Map<string, Dep1[]>([[net.inputs[0].name, Array.from({ length: n }, (_, i) => ({ dep: i, pl: plAffine(1, 0), lo: ranges[i][0], hi: ranges[i][1] }))]]);
  for (const l of net.layers) {
    const ins = l.inputs.map((i) => vals.get(i));
    if (ins.some((x) => !x)) return undefined;
    const v = layerPL(l, ins as Dep1[][], ranges, negligible);
    if (!v) return undefined;
    vals.set(l.id, v);
  }
  return vals.get(net.outputs[0].from);
}

/** Coefficients below this fraction of their row's largest (the slice view's tolerance) are left out of the
 *  one-variable reading (weight noise makes every unit read every input a little); what that changes is
 *  measured on the data afterwards and kept as the residual. */
const NEGLIGIBLE = 1e-2;

/** sum_i c_i x_i + d over entries that each depend on at most one input entry (bounds by interval arithmetic). */
function combine(xs: readonly Dep1[], cs: ArrayLike<number>, d: number, ranges: readonly (readonly [number, number])[], negligible: number): Dep1 {
  let dep = -1, isMixed = false;
  const used: PL[] = [], ws: number[] = [];
  let big = 0, lo = d, hi = d;
  for (let i = 0; i < xs.length; i++) big = Math.max(big, Math.abs(cs[i]));
  for (let i = 0; i < xs.length; i++) {
    const c = cs[i], x = xs[i];
    if (c === 0) continue;
    lo += c > 0 ? c * x.lo : c * x.hi;
    hi += c > 0 ? c * x.hi : c * x.lo;
    if (Math.abs(c) <= negligible * big || x.dep === -1 && x.hi === 0 && x.lo === 0) { if (x.hi !== 0 || x.lo !== 0) approximate = true; continue; }
    if (x.dep === -2 || (x.dep >= 0 && dep >= 0 && x.dep !== dep)) isMixed = true;
    if (x.dep >= 0) dep = x.dep;
    used.push(x.pl);
    ws.push(c);
  }
  if (isMixed) return mixed(lo, hi);
  const pl = plCombine(used, ws, d);
  const [a, b] = dep >= 0 ? plBounds(pl, ranges[dep]) : [plEval(pl, 0), plEval(pl, 0)];
  return { dep, pl, lo: a, hi: b };
}

function layerPL(l: Layer, ins: Dep1[][], ranges: readonly (readonly [number, number])[], negligible: number): Dep1[] | undefined {
  const [x] = ins;
  switch (l.kind) {
    case "affine":
      if (l.shape.length !== 1) return undefined;
      return Array.from({ length: l.outFeatures }, (_, o) => combine(x, l.W.subarray(o * l.inFeatures, (o + 1) * l.inFeatures), l.b[o], ranges, negligible));
    case "act":
      if (l.fn === "relu") return x.map((v) => {
        // relu of a value <= 0 over the inputs' ranges is 0 there (a dead unit, whatever it reads)
        if (v.hi <= 0) return { dep: -1, pl: plAffine(0, 0), lo: 0, hi: 0 };
        if (v.dep === -2) return mixed(Math.max(0, v.lo), v.hi);
        return { dep: v.dep, pl: plRelu(v.pl), lo: Math.max(0, v.lo), hi: v.hi };
      });
      if (l.fn === "identity") return x;
      return undefined;
    case "concat": return l.axis === 0 ? ins.flat() : undefined;
    case "add": return x.map((_, i) => combine(ins.map((v) => v[i]), ins.map(() => 1), 0, ranges, negligible));
    case "reshape": return x;
    default: return undefined;
  }
}

/** Every breakpoint, slope and anchor value an integer, a one-decimal number or a fraction over 2, 3 or 4. */
function simpleNumbers(r: PiecewiseReading): boolean {
  const q = r.params;
  return [...q.breakpoints, ...q.slopes, q.value0].every((v) => [10, 2, 3, 4].some((d) => Math.abs(v * d - Math.round(v * d)) <= 1e-9 * Math.max(1, Math.abs(v * d))));
}

/** max |reading - f| on [lo, hi]: at every knot of either, both being piecewise linear. */
function knotError(f: PL, q: PiecewiseReading, lo: number, hi: number): number {
  const knots = [...plRestrict(f, lo, hi).knots, ...q.params.breakpoints].filter((k) => k >= lo && k <= hi);
  return Math.max(...knots.map((k) => Math.abs(piecewiseAt(k, q.params) - plEval(f, k))));
}

/** Build a Net whose every output entry is a function of one input entry as piecewise functions of those
 *  entries (plus the residual when above rounding); undefined when some entry mixes inputs. */
export function buildPiecewiseNet(ctx: WholeNetCtx, outName: string, residualIndex: () => number): WholeNetBuilt | undefined {
  const net = ctx.net;
  if (ctx.bits || !net.layers.some((l) => l.kind === "act" && l.fn === "relu")) return undefined;
  if (net.inputs.length !== 1 || net.inputs[0].shape.length !== 1) return undefined;
  const view = new SymView();
  const inp = net.inputs[0].name;
  const ranges: [number, number][] = [];
  for (let i = 0; i < net.inputs[0].shape[0]; i++) {
    const a = view.atom("src", [], [], { src: { value: inp, index: i }, ...(ctx.box ? ctx.box : {}) });
    const span = interval(a, { net, bits: false, ...(ctx.stats ? { stats: ctx.stats } : {}) });
    if (!span) return undefined;
    ranges.push(span);
  }
  const outs = plOfNet(net, ranges);
  if (!outs || outs.some((o) => o.dep < 0)) return undefined;
  const approx = approximate;
  // Every weight kept (no negligible coefficient left out): the Net's own function, for the exact readings below.
  let full: Dep1[] | undefined | null = approx ? null : outs;
  const fullOf = (j: number): PL | undefined => {
    if (full === null) full = plOfNet(net, ranges, 0);
    const f = full?.[j];
    return f && f.dep === outs[j].dep ? f.pl : undefined;
  };
  const forms: Lin[] = [];
  let error = 0, scale = 0;
  const spans: string[] = [];
  const readings: PiecewiseReading[] = [];
  const residualWeights = nonzeroWeights(net);
  for (const [j, o] of outs.entries()) {
    const x = view.atom("src", [], [], { src: { value: inp, index: o.dep }, ...(ctx.box ? ctx.box : {}) });
    const [lo, hi] = ranges[o.dep];
    let r = choose(o.pl, lo, hi, view.tol);
    if (!r) return undefined;
    const g = plRestrict(o.pl, lo, hi);
    const top = Math.max(...g.values.map(Math.abs));
    scale = Math.max(scale, top);
    // The stated error: the reading against the Net's exact function.
    let e = knotError(o.pl, r, lo, hi);
    if (r.shape.kind === "general" && !simpleNumbers(r) && e > 1e-5 * Math.max(1, top) && !(ctx.budget !== undefined && e <= ctx.budget)) {
      // sum c_k relu(w_k x + b_k) = piecewise(x, every breakpoint): exact, cheaper than short + residual when fewer numbers
      const f = fullOf(j);
      const exact = f && readPiecewise(f, lo, hi, 1e-9 * Math.max(1e-12, Math.max(...g.values) - Math.min(...g.values)));
      const size = (q: PiecewiseReading) => 2 * q.params.breakpoints.length + 2;
      if (f && exact && size(exact) < size(r) + residualWeights) {
        const ex = knotError(f, exact, lo, hi);
        if (ex <= 1e-5 * Math.max(1, top)) { r = exact; e = ex; view.fire("piecewise:exact-over-residual"); }
      }
    }
    error = Math.max(error, e);
    forms.push(named(r, x.id, [], view));
    readings.push(r);
    spans.push(`[${+lo.toPrecision(6)}, ${+hi.toPrecision(6)}]`);
  }
  if (approx) {
    // Negligible weights were left out: the reading is measured against the Net itself on the analysis samples.
    const t = ctx.stats?.sample.inputs[inp];
    if (!t) return undefined;
    const y = runNet(net, { [inp]: t }).outputs[net.outputs[0].name].data as Float32Array;
    const xs = t.data as Float32Array, n = net.inputs[0].shape[0], m = outs.length;
    for (let r = 0; r < t.shape[0]; r++) outs.forEach((o, j) => {
      error = Math.max(error, Math.abs(y[r * m + j] - piecewiseAt(xs[r * n + o.dep], readings[j].params)));
    });
    spans.push("and the analysis samples (negligible weights left out)");
  }
  const uniq = [...new Set(spans)];
  const where = `${ctx.box ? "the box" : "the data's range"} ${uniq.length === 1 ? uniq[0] : "of each input"} (every breakpoint checked)`;
  return emitWhole(ctx, view, forms, outName, error, scale, where, residualIndex);
}
