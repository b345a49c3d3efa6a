// What every simplify pass reports: units and weights before and after, and held-out fidelity after (measured
// here by running the simplified Net against the original's reference outputs).
import type { Tensor } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import { concatRows, sliceRows } from "../data/batch.ts";
import { runNet } from "../net/run.ts";
import { maxAbsErr, looksLikeScores, top1Agreement } from "../verify/metrics.ts";
import { hiddenUnits, nonzeroWeights } from "./net-edit.ts";
import type { SimplifyReport, SimplifyState } from "./simplify.ts";

/** Rows per forward pass: the net's fixed batch when its inputs declare one, else this. */
const CHUNK = 1024;

/** Rows per forward pass over n rows: all of them for one-sample data, the net's fixed batch when its inputs
 *  declare one (exporters bake it into reshapes), else CHUNK. */
export function chunkFor(net: Net, n: number, oneSample = false): number {
  if (oneSample) return Math.max(n, 1);
  return net.inputs.map((i) => i.batchDim).find((d): d is number => typeof d === "number" && d > 0) ?? CHUNK;
}

/** The Net's outputs (in Net output order) on rows given by input name, run in chunks. */
export function runRows(net: Net, rows: Record<string, Tensor>, oneSample = false): Tensor[] {
  const n = rows[net.inputs[0]?.name]?.shape[0] ?? 0;
  const chunk = chunkFor(net, n, oneSample);
  const run = (feeds: Record<string, Tensor>) => {
    const r = runNet(net, feeds, { keep: [] });
    return net.outputs.map((o) => r.outputs[o.name]);
  };
  if (oneSample || n <= chunk) return run(rows);
  const parts: Tensor[][] = [];
  for (let s = 0; s < n; s += chunk) parts.push(run(Object.fromEntries(Object.entries(rows).map(([k, t]) => [k, sliceRows(t, s, Math.min(n, s + chunk))]))));
  return net.outputs.map((o, k) => concatRows(parts.map((p) => p[k]), `output '${o.name}'`));
}

// Fidelity per Net object (Nets are values: a pass that changes nothing returns the same object).
const measured = new WeakMap<Net, { ref: SimplifyState["reference"]; fid: SimplifyReport["heldOut"] }>();

/** Held-out fidelity of a Net against the reference outputs. */
export function heldOutFidelity(s: SimplifyState, net: Net): SimplifyReport["heldOut"] {
  const hit = measured.get(net);
  if (hit && hit.ref === s.reference) return hit.fid;
  const fid = measureHeldOut(s, net);
  measured.set(net, { ref: s.reference, fid });
  return fid;
}

function measureHeldOut(s: SimplifyState, net: Net): SimplifyReport["heldOut"] {
  const got = runRows(net, s.heldOut, s.oneSample);
  let err = 0;
  let top: number | undefined;
  got.forEach((g, k) => {
    const want = s.reference.heldOut[k];
    err = Math.max(err, maxAbsErr(want.data as ArrayLike<number>, g.data as ArrayLike<number>));
    if (s.classifier && looksLikeScores(want)) top = Math.min(top ?? 1, top1Agreement(want, g));
  });
  return { maxAbsErr: err, ...(top !== undefined ? { top1Agreement: top } : {}) };
}

/** Largest |reference output| on all rows (analysis and held-out): the scale "rounding level" is relative to. */
export function referenceScale(s: SimplifyState): number {
  let m = 0;
  for (const t of [...s.reference.analysis, ...s.reference.heldOut]) {
    const d = t.data as ArrayLike<number>;
    for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i]));
  }
  return m;
}

/** The report of a pass that took state `before` to `after`. */
export function simplifyReport(
  pass: { name: string; kind: "exact" | "budgeted" },
  before: SimplifyState,
  after: SimplifyState,
  summary: string,
  details: string[] = [],
): { out: SimplifyState; report: SimplifyReport } {
  const report: SimplifyReport = {
    pass: pass.name,
    kind: pass.kind,
    summary,
    details,
    units: { before: hiddenUnits(before.net), after: hiddenUnits(after.net) },
    weights: { before: nonzeroWeights(before.net), after: nonzeroWeights(after.net) },
    heldOut: heldOutFidelity(after, after.net),
  };
  report.maxAbsErr = report.heldOut.maxAbsErr;
  return { out: after, report };
}
