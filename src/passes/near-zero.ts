// near-zero (budgeted): weights tiny next to the rest of their row are set to 0, only when a certified bound on
// the change of the outputs fits in what is left of the budget.
//   w_ij x_j with |w_ij| <= tau max_k |w_ik| -> 0
// tau is tried from large to small (TAUS): the first whose change on the analysis rows fits is certified, and
// kept if its bound fits (one certification per run: it is the costly step). The bound is certifiedMaxErr between
// the Net before and after over the box domain, or, without one, over the bounding box of every row we have (so it
// holds on all the data, and the report says which). This is budgeted: the outputs may change by up to the bound.
import type { Layer, Net } from "../net/net.ts";
import { certifiedMaxErr } from "../verify/bounds.ts";
import type { BoxDomain, SimplifyPass, SimplifyState } from "./simplify.ts";
import { chunkFor, heldOutFidelity, runRows, simplifyReport } from "./report.ts";
import { viewRows } from "../data/batch.ts";
import type { Tensor } from "../graph/tensor.ts";
import { editNet } from "./net-edit.ts";
import { boundsUnaffordable } from "./bound-limit.ts";

/** Relative thresholds tried, largest first. */
export const TAUS = [1e-2, 1e-3, 1e-4, 1e-5];

/** The Net with every weight below tau x its row's largest |weight or bias| set to 0, and how many were. */
export function dropNearZero(net: Net, tau: number): { net: Net; dropped: number } {
  const replace = new Map<string, Layer>();
  let dropped = 0;
  for (const l of net.layers) {
    if (l.kind !== "affine" && l.kind !== "conv") continue;
    const W = l.kind === "affine" ? l.W : l.weight;
    const b = l.kind === "affine" ? l.b : l.bias;
    const rows = l.kind === "affine" ? l.outFeatures : l.outChannels;
    const n = W.length / rows;
    const out = Float32Array.from(W);
    let here = 0;
    for (let r = 0; r < rows; r++) {
      let m = Math.abs(b[r]);
      for (let k = 0; k < n; k++) m = Math.max(m, Math.abs(W[r * n + k]));
      for (let k = 0; k < n; k++) {
        const v = W[r * n + k];
        if (v !== 0 && Math.abs(v) <= tau * m) {
          out[r * n + k] = 0;
          here++;
        }
      }
    }
    if (here) {
      replace.set(l.id, l.kind === "affine" ? { ...l, W: out } : { ...l, weight: out });
      dropped += here;
    }
  }
  return { net: dropped ? editNet(net, replace) : net, dropped };
}

/** The smallest box holding every row we have, per Net input. */
export function dataBox(s: SimplifyState): BoxDomain {
  const box: BoxDomain = {};
  for (const inp of s.net.inputs) {
    const per = inp.shape.reduce((a, d) => a * d, 1);
    const lo = new Float32Array(per).fill(Infinity);
    const hi = new Float32Array(per).fill(-Infinity);
    // Analysis rows, then held-out ones (the same rows allRows joins; min and max don't depend on the order).
    for (const t of s.oneSample ? [s.analysis[inp.name]] : [s.analysis[inp.name], s.heldOut[inp.name]]) {
      const d = t.data as ArrayLike<number>;
      for (let r = 0; r < d.length; r += per) {
        for (let k = 0; k < per; k++) {
          const v = d[r + k];
          if (v < lo[k]) lo[k] = v;
          if (v > hi[k]) hi[k] = v;
        }
      }
    }
    box[inp.name] = { lo, hi };
  }
  return box;
}

/** Largest |a - b| over the outputs, a being whole-row outputs and b those of rows [r0, r0 + rows of b). */
function maxChange(a: readonly Tensor[], b: readonly Tensor[], r0 = 0): number {
  let m = 0;
  a.forEach((t, k) => {
    const x = t.data as ArrayLike<number>;
    const y = b[k].data as ArrayLike<number>;
    const off = r0 * (t.shape[0] ? x.length / t.shape[0] : 0);
    for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(x[off + i] - y[i]));
  });
  return m;
}

/** The largest output change of `net` from `before` on the analysis rows, run chunk by chunk as runRows runs them
 *  (the same values); it stops at the first chunk where spent + change passes the tolerance (the whole run's larger
 *  change would pass it too: the answer is "over budget" either way, at a fraction of a full run). */
function changeUpTo(s: SimplifyState, before: readonly Tensor[], net: Net, spent: number): { change: number; rows: number; all: boolean } {
  const n = s.analysis[net.inputs[0]?.name]?.shape[0] ?? 0;
  const chunk = chunkFor(net, n, s.oneSample);
  if (s.oneSample || n <= chunk) return { change: maxChange(before, runRows(net, s.analysis, s.oneSample)), rows: n, all: true };
  let m = 0;
  for (let a = 0; a < n; a += chunk) {
    const b = Math.min(n, a + chunk);
    m = Math.max(m, maxChange(before, runRows(net, Object.fromEntries(Object.entries(s.analysis).map(([k, t]) => [k, viewRows(t, a, b)])), false), a));
    if (spent + m > s.budget.tolerance && b < n) return { change: m, rows: b, all: false };
  }
  return { change: m, rows: n, all: true };
}

export const nearZeroPass: SimplifyPass = {
  name: "near-zero",
  kind: "budgeted",
  doc: "weights below tau x their row's largest set to 0 when a certified bound on the output change fits the budget",
  run(s) {
    // Integer inputs (token ids) have no box to certify over, and the bound's sampling feeds floats.
    // Run-time dims in a layer (a sequence inside) would make the box and bounds sizes negative: skip, don't crash.
    if (s.net.inputs.some((i) => i.dtype !== "float32" || i.shape.some((d) => d < 0)) || s.net.layers.some((l) => l.shape.some((d) => d < 0))) {
      return simplifyReport(this, s, s, "not tried: an input is not a fixed-size real vector (token ids, or a run-time sequence length), so no box bound applies", []);
    }
    // Checked before any forward run: without an affordable certificate this pass keeps nothing.
    const costly = boundsUnaffordable(s.net);
    if (costly) return simplifyReport(this, s, s, `not tried: it keeps a change only with a certified bound, and bounds are ${costly}`, []);
    const box = s.box ?? dataBox(s);
    const where = s.box ? "over the box" : "over the bounding box of the data";
    const spent = heldOutFidelity(s, s.net).maxAbsErr;
    const tried: string[] = [];
    const before = runRows(s.net, s.analysis, s.oneSample);
    for (const tau of TAUS) {
      const cand = dropNearZero(s.net, tau);
      if (!cand.dropped) continue;
      // The change measured on the analysis rows is a lower bound of the certified one: skip what cannot fit.
      const got = changeUpTo(s, before, cand.net, spent);
      const seen = got.change;
      if (spent + seen > s.budget.tolerance) {
        tried.push(`tau ${tau}: ${cand.dropped} weight(s), change ${got.all ? "" : ">= "}${seen.toExponential(2)} on the analysis rows${got.all ? "" : ` (the first ${got.rows})`} (over budget)`);
        continue;
      }
      // One certification (the costly step): the largest tau whose measured change fits; no retry below it.
      const bound = certifiedMaxErr(s.net, cand.net, box).maxErr;
      const fits = spent + bound <= s.budget.tolerance;
      tried.push(`tau ${tau}: ${cand.dropped} weight(s), certified change ${bound.toExponential(2)} ${where}${fits ? "" : " (over budget)"}`);
      if (!fits) break;
      const out = { ...s, net: cand.net };
      const agree = heldOutFidelity(out, cand.net).top1Agreement;
      if (s.classifier && agree !== undefined && agree < s.budget.minAgreement) {
        tried.push(`tau ${tau}: held-out top-1 agreement ${agree} below ${s.budget.minAgreement}`);
        continue;
      }
      const r = simplifyReport(this, s, out, `${cand.dropped} near-zero weight(s) (|w| <= ${tau} x row max) set to 0; certified change ${bound.toExponential(2)} ${where}, budget ${s.budget.tolerance.toExponential(2)}`, tried);
      r.report.certifiedMaxErr = bound;
      return r;
    }
    return simplifyReport(this, s, s, tried.length ? "no near-zero weights fit the budget" : "no near-zero weights", tried);
  },
};
