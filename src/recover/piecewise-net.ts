// Whole one-variable Nets: a Net from one number to one number built of affine layers, ReLUs, concatenations,
// sums and reshapes is a piecewise-linear function, computed exactly from the weights (pl.ts), whatever layers
// simplification left (skip connections included). It is read as the shortest piecewise function (named clamp,
// |x - c| or affine when it is one: piecewise-rule.ts) on the box, or on the data's range without one:
//   net(x) = piecewise(x, breaks, slopes) + r(x),  max |r| over the interval exact (both are piecewise linear)
import type { Layer, Net } from "../net/net.ts";
import { piecewiseAt, choose, interval, named } from "./piecewise-rule.ts";
import { plAffine, plCombine, plEval, plRelu, plRestrict, type PL } from "./pl.ts";
import { SymView } from "./symbolic.ts";
import { emitWhole, hiddenUnits, type WholeNetBuilt, type WholeNetCtx } from "./whole-net.ts";

/** The value of every entry of every layer as a PL function of the single input, or undefined for a layer kind
 *  that is not piecewise linear. */
export function plOfNet(net: Net): PL[] | undefined {
  if (net.inputs.length !== 1 || net.outputs.length !== 1 || net.inputs[0].shape.join() !== "1") return undefined;
  const vals = new Map<string, PL[]>([[net.inputs[0].name, [plAffine(1, 0)]]]);
  for (const l of net.layers) {
    const ins = l.inputs.map((i) => vals.get(i));
    if (ins.some((x) => !x)) return undefined;
    const v = layerPL(l, ins as PL[][]);
    if (!v) return undefined;
    vals.set(l.id, v);
  }
  return vals.get(net.outputs[0].from);
}

function layerPL(l: Layer, ins: PL[][]): PL[] | undefined {
  const [x] = ins;
  switch (l.kind) {
    case "affine":
      if (l.shape.length !== 1) return undefined;
      return Array.from({ length: l.outFeatures }, (_, o) => plCombine(x, l.W.subarray(o * l.inFeatures, (o + 1) * l.inFeatures), l.b[o]));
    case "act":
      if (l.fn === "relu") return x.map(plRelu);
      if (l.fn === "identity") return x;
      return undefined;
    case "concat": return l.axis === 0 ? ins.flat() : undefined;
    case "add": return x.map((_, i) => plCombine(ins.map((v) => v[i]), ins.map(() => 1), 0));
    case "reshape": return x;
    default: return undefined;
  }
}

/** Build a one-number Net as a piecewise function of its input (plus the residual when above rounding). */
export function buildPiecewiseNet(ctx: WholeNetCtx, outName: string, residualIndex: () => number): WholeNetBuilt | undefined {
  const net = ctx.net;
  if (ctx.bits || !net.layers.some((l) => l.kind === "act" && l.fn === "relu")) return undefined;
  const out = plOfNet(net);
  if (!out || out.length !== 1) return undefined;
  const view = new SymView();
  const x = view.atom("src", [], [], { src: { value: net.inputs[0].name, index: 0 }, ...(ctx.box ? ctx.box : {}) });
  const span = interval(x, { net, bits: false, ...(ctx.stats ? { stats: ctx.stats } : {}) });
  if (!span) return undefined;
  const [lo, hi] = span;
  const r = choose(out[0], lo, hi, view.tol);
  if (!r) return undefined;
  const g = plRestrict(out[0], lo, hi);
  const scale = Math.max(...g.values.map(Math.abs));
  // The stated error: the reading against the Net's exact function at every knot of either (both piecewise linear).
  const knots = [...g.knots, ...r.params.breakpoints].filter((k) => k >= lo && k <= hi);
  const error = Math.max(0, ...knots.map((k) => Math.abs(piecewiseAt(k, r.params) - plEval(out[0], k))));
  const f = named(r, x.id, hiddenUnits(net), view);
  const where = `${ctx.box ? "the box" : "the data's range"} [${+lo.toPrecision(6)}, ${+hi.toPrecision(6)}] (every breakpoint checked)`;
  return emitWhole(ctx, view, [f], outName, error, scale, where, residualIndex);
}
