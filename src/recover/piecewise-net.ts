// Whole one-variable Nets: a Net whose every output entry depends on one input entry (one number to one
// number, or an identity carried through layers), built of affine layers, ReLUs, concatenations,
// sums and reshapes is a piecewise-linear function, computed exactly from the weights (pl.ts), whatever layers
// simplification left (skip connections included). It is read as the shortest piecewise function (named clamp,
// |x - c| or affine when it is one: piecewise-rule.ts) on the box, or on the data's range without one:
//   net(x) = piecewise(x, breaks, slopes) + r(x),  max |r| over the interval exact (both are piecewise linear)
import type { Layer, Net } from "../net/net.ts";
import { runNet } from "../net/run.ts";
import type { PiecewiseReading } from "./piecewise.ts";
import { piecewiseAt, choose, interval, named } from "./piecewise-rule.ts";
import { plAffine, plCombine, plEval, plRelu, plRestrict, type PL } from "./pl.ts";
import { SymView, type Lin } from "./symbolic.ts";
import { emitWhole, type WholeNetBuilt, type WholeNetCtx } from "./whole-net.ts";

/** A value of one entry as a PL function of the input entry it depends on: dep = that entry, -1 for a constant,
 *  -2 for an entry that mixes several inputs (no PL function of one variable). */
interface Dep1 {
  dep: number;
  pl: PL;
}

const MIXED: Dep1 = { dep: -2, pl: plAffine(0, 0) };

/** Set while reading a Net when some negligible coefficient was left out. */
let approximate = false;

/** Each output entry of a one-input Net as a PL function of the one input entry it depends on (dep -2 where it
 *  mixes several), or undefined for a layer kind that is not piecewise linear. */
export function plOfNet(net: Net): Dep1[] | undefined {
  if (net.inputs.length !== 1 || net.outputs.length !== 1 || net.inputs[0].shape.length !== 1) return undefined;
  const n = net.inputs[0].shape[0];
  approximate = false;
  const vals = new Map<string, Dep1[]>([[net.inputs[0].name, Array.from({ length: n }, (_, i) => ({ dep: i, pl: plAffine(1, 0) }))]]);
  for (const l of net.layers) {
    const ins = l.inputs.map((i) => vals.get(i));
    if (ins.some((x) => !x)) return undefined;
    const v = layerPL(l, ins as Dep1[][]);
    if (!v) return undefined;
    vals.set(l.id, v);
  }
  return vals.get(net.outputs[0].from);
}

/** Coefficients below this fraction of their row's largest are left out of the one-variable reading (weight
 *  noise makes every unit read every input a little); what that changes is measured on the data afterwards. */
const NEGLIGIBLE = 1e-3;

/** sum_i c_i x_i + d over entries that each depend on at most one input entry. */
function combine(xs: readonly Dep1[], cs: ArrayLike<number>, d: number): Dep1 {
  let dep = -1;
  const used: PL[] = [], ws: number[] = [];
  let big = 0;
  for (let i = 0; i < xs.length; i++) big = Math.max(big, Math.abs(cs[i]));
  for (let i = 0; i < xs.length; i++) {
    if (Math.abs(cs[i]) <= NEGLIGIBLE * big) { if (cs[i] !== 0) approximate = true; continue; }
    const x = xs[i];
    if (x.dep === -2 || (x.dep >= 0 && dep >= 0 && x.dep !== dep)) return MIXED;
    if (x.dep >= 0) dep = x.dep;
    used.push(x.pl);
    ws.push(cs[i]);
  }
  return { dep, pl: plCombine(used, ws, d) };
}

function layerPL(l: Layer, ins: Dep1[][]): Dep1[] | undefined {
  const [x] = ins;
  switch (l.kind) {
    case "affine":
      if (l.shape.length !== 1) return undefined;
      return Array.from({ length: l.outFeatures }, (_, o) => combine(x, l.W.subarray(o * l.inFeatures, (o + 1) * l.inFeatures), l.b[o]));
    case "act":
      if (l.fn === "relu") return x.map((v) => (v.dep === -2 ? v : { dep: v.dep, pl: plRelu(v.pl) }));
      if (l.fn === "identity") return x;
      return undefined;
    case "concat": return l.axis === 0 ? ins.flat() : undefined;
    case "add": return x.map((_, i) => combine(ins.map((v) => v[i]), ins.map(() => 1), 0));
    case "reshape": return x;
    default: return undefined;
  }
}

/** Build a Net whose every output entry is a function of one input entry as piecewise functions of those
 *  entries (plus the residual when above rounding); undefined when some entry mixes inputs. */
export function buildPiecewiseNet(ctx: WholeNetCtx, outName: string, residualIndex: () => number): WholeNetBuilt | undefined {
  const net = ctx.net;
  if (ctx.bits || !net.layers.some((l) => l.kind === "act" && l.fn === "relu")) return undefined;
  const outs = plOfNet(net);
  if (!outs || outs.some((o) => o.dep < 0)) return undefined;
  const view = new SymView();
  const inp = net.inputs[0].name;
  const forms: Lin[] = [];
  let error = 0, scale = 0;
  const spans: string[] = [];
  const readings: PiecewiseReading[] = [];
  for (const o of outs) {
    const x = view.atom("src", [], [], { src: { value: inp, index: o.dep }, ...(ctx.box ? ctx.box : {}) });
    const span = interval(x, { net, bits: false, ...(ctx.stats ? { stats: ctx.stats } : {}) });
    if (!span) return undefined;
    const [lo, hi] = span;
    const r = choose(o.pl, lo, hi, view.tol);
    if (!r) return undefined;
    const g = plRestrict(o.pl, lo, hi);
    scale = Math.max(scale, ...g.values.map(Math.abs));
    // The stated error: the reading against the Net's exact function at every knot of either (both piecewise linear).
    const knots = [...g.knots, ...r.params.breakpoints].filter((k) => k >= lo && k <= hi);
    error = Math.max(error, ...knots.map((k) => Math.abs(piecewiseAt(k, r.params) - plEval(o.pl, k))));
    forms.push(named(r, x.id, [], view));
    readings.push(r);
    spans.push(`[${+lo.toPrecision(6)}, ${+hi.toPrecision(6)}]`);
  }
  if (approximate) {
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
