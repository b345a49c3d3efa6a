// What every simplify pass reports: units and weights before and after, and held-out fidelity after (measured
// here by running the simplified Net against the original's reference outputs).
import type { Tensor } from "../graph/tensor.ts";
import type { Layer, Net } from "../net/net.ts";
import { concatRows, viewRows as sliceRows } from "../data/batch.ts"; // views: the rows are only read
import { runLayer, runNet } from "../net/run.ts";
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

/** Largest number of values (rows × units, over every layer) kept from one candidate's run for the next. */
const KEEP_VALUES = 16e6;

/** The last candidate run on each set of rows: its layers by id and every layer's value. Searches change one
 *  layer or the last few from one candidate to the next, so the next runs only from its first changed layer. */
const lastRun = new WeakMap<Record<string, Tensor>, { layers: Map<string, Layer>; values: Map<string, Tensor> }>();

/** A net's outputs on rows, reusing the values of the last net run on the same rows for every layer that is the
 *  same object with the same inputs (layers are values: a pass that changes one builds a new object). Nets with a
 *  fixed batch, one-sample data and values too big to keep run as runRows does. */
export function runReusing(net: Net, rows: Record<string, Tensor>, oneSample = false): Tensor[] {
  const n = rows[net.inputs[0]?.name]?.shape[0] ?? 0;
  const size = net.layers.reduce((a, l) => a + n * l.shape.reduce((p, d) => p * d, 1), 0);
  if (oneSample || net.inputs.some((i) => typeof i.batchDim === "number") || !(size <= KEEP_VALUES) || net.layers.some((l) => l.shape.some((d) => d < 0))) return runRows(net, rows, oneSample);
  const prev = lastRun.get(rows);
  const values = new Map<string, Tensor>(Object.entries(rows));
  const changed = new Set<string>();
  for (const l of net.layers) {
    const old = prev?.values.get(l.id);
    if (old && prev!.layers.get(l.id) === l && !l.inputs.some((i) => changed.has(i))) values.set(l.id, old);
    else {
      changed.add(l.id);
      values.set(l.id, runLayer(l, l.inputs.map((r) => values.get(r)!)));
    }
  }
  lastRun.set(rows, { layers: new Map(net.layers.map((l) => [l.id, l])), values });
  return net.outputs.map((o) => values.get(o.from)!);
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
  const got = runReusing(net, s.heldOut, s.oneSample);
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
