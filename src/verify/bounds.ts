// Certified bounds over a box domain: interval bound propagation (IBP) of every layer's value, and a sound
// upper bound on max |a(x) - b(x)| between two nets on the same inputs (a simplified Net and its original).
// Bounds hold for exact arithmetic on the stored (float32) weights; float32 evaluation of either net may add
// rounding error on top (see roundingAllowance).
import type { Layer, Net } from "../net/net.ts";
import type { BoxDomain } from "../passes/simplify.ts";
import { crownDiff } from "./crown.ts";
import { selectionOf } from "./selection.ts";
import { ibpAct, ibpAffine, ibpConv, ibpPool, sizeOf, unbounded, type Interval } from "./ibp.ts";

export type { Interval } from "./ibp.ts";

/** Per-sample shape of every value of a Net: its inputs by name and its layers by id. */
export function valueShapes(net: Net): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const i of net.inputs) m.set(i.name, i.shape);
  for (const l of net.layers) m.set(l.id, l.shape);
  return m;
}

/** The box as intervals per Net input (inputs the box doesn't name are unbounded). */
export function boxIntervals(net: Net, box: BoxDomain): Map<string, Interval> {
  const m = new Map<string, Interval>();
  for (const inp of net.inputs) {
    const b = box[inp.name];
    const n = sizeOf(inp.shape);
    m.set(inp.name, b && b.lo.length === n ? { lo: Float64Array.from(b.lo), hi: Float64Array.from(b.hi) } : unbounded(inp.shape.some((d) => d < 0) ? 0 : n));
  }
  return m;
}

/** Interval bounds of one layer's (per-sample, flattened) output from its inputs' bounds. */
export function ibpLayer(l: Layer, xs: Interval[], inShapes: number[][]): Interval {
  const n = l.shape.some((d) => d < 0) ? 0 : sizeOf(l.shape);
  switch (l.kind) {
    case "affine": return ibpAffine(l, xs[0]);
    case "conv": return ibpConv(l, inShapes[0], xs[0]);
    case "pool": return ibpPool(l, inShapes[0], xs[0]);
    case "act": return ibpAct(l, xs[0]);
    case "reshape": return xs[0];
    case "add": {
      const lo = new Float64Array(n), hi = new Float64Array(n);
      for (const x of xs) for (let i = 0; i < n; i++) { lo[i] += x.lo[i]; hi[i] += x.hi[i]; }
      return { lo, hi };
    }
    case "concat": return concatIntervals(xs, inShapes, l.axis, n);
    case "softmax": {
      // softmax lies in [0, 1]; log-softmax in (-inf, 0]
      const r = unbounded(n);
      if (!l.log) r.lo.fill(0);
      r.hi.fill(l.log ? 0 : 1);
      return r;
    }
    case "opaque": {
      // a fragment that only selects elements passes bounds through; anything else is unbounded
      const sel = selectionOf(l, inShapes[0] ?? []);
      if (!sel) return unbounded(n);
      return { lo: Float64Array.from(sel, (i) => xs[0].lo[i]), hi: Float64Array.from(sel, (i) => xs[0].hi[i]) };
    }
  }
}

function concatIntervals(xs: Interval[], shapes: number[][], axis: number, n: number): Interval {
  const lo = new Float64Array(n), hi = new Float64Array(n);
  const outer = sizeOf(shapes[0].slice(0, axis));
  const blocks = shapes.map((s) => sizeOf(s.slice(axis)));
  let k = 0;
  for (let o = 0; o < outer; o++) {
    xs.forEach((x, j) => {
      const bsz = blocks[j];
      lo.set(x.lo.subarray(o * bsz, (o + 1) * bsz), k);
      hi.set(x.hi.subarray(o * bsz, (o + 1) * bsz), k);
      k += bsz;
    });
  }
  return { lo, hi };
}

/** Bounds of every layer's output (and every Net input) over the box, by interval bound propagation. */
export function intervalBounds(net: Net, box: BoxDomain): Map<string, Interval> {
  const m = boxIntervals(net, box);
  const shapes = valueShapes(net);
  for (const l of net.layers) {
    const xs = l.inputs.map((r) => m.get(r) ?? unbounded(sizeOf(shapes.get(r) ?? [0])));
    m.set(l.id, ibpLayer(l, xs, l.inputs.map((r) => shapes.get(r) ?? [])));
  }
  return m;
}

/** The outputs' bounds, concatenated in Net output order. */
function outputBounds(net: Net, m: Map<string, Interval>): Interval[] {
  return net.outputs.map((o) => m.get(o.from) ?? unbounded(0));
}

/** What certifiedMaxErr returns: the bound over all outputs, per output element (Net outputs concatenated in
 *  order) and how it was obtained. */
export interface CertifiedErr { maxErr: number; perOutput: number[]; method: string }

/** IBP on each net separately: |a - b| <= max(hi_a - lo_b, hi_b - lo_a). Loose, but sound for any layers. */
export function ibpMaxErr(a: Net, b: Net, box: BoxDomain): number[] {
  const oa = outputBounds(a, intervalBounds(a, box)), ob = outputBounds(b, intervalBounds(b, box));
  const per: number[] = [];
  oa.forEach((x, j) => {
    const y = ob[j];
    for (let i = 0; i < x.lo.length; i++) per.push(Math.max(x.hi[i] - y.lo[i], y.hi[i] - x.lo[i], 0));
  });
  return per;
}

/** A sound upper bound on max |a(x) - b(x)| over the box, per output element: the tighter (elementwise) of
 *  interval bounds on each net and a linear relaxation (CROWN) of the difference network a - b. */
export function certifiedMaxErr(a: Net, b: Net, box: BoxDomain): CertifiedErr {
  if (a.outputs.length !== b.outputs.length) throw new Error(`certifiedMaxErr: nets have ${a.outputs.length} and ${b.outputs.length} outputs`);
  const ibp = ibpMaxErr(a, b, box);
  const crown = crownDiff(a, b, box);
  const per = ibp.map((v, i) => Math.min(v, crown[i]));
  const method = "linear relaxation (CROWN) of the difference network, with interval bounds";
  return { maxErr: per.reduce((m, v) => Math.max(m, v), 0), perOutput: per, method };
}
