// Shared check for the Graph rewrites: a rewritten model computes what the original computes, by our
// interpreter and by onnxruntime, with the same output names.
import assert from "node:assert/strict";
import type { Model } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/tensor.ts";
import { runModel } from "../../src/run/interp.ts";
import { ortRun } from "../../src/run/ort.ts";
import { maxRelErr } from "../helpers/nets.ts";

/** Relative tolerance for exact rewrites (float rounding only). */
export const TOL = 1e-5;

export interface EquivOptions {
  /** Also compare with our interpreter (default true; off for models it cannot run). */
  interp?: boolean;
  label?: string;
}

/** Assert that `after` computes what `before` computes on feeds, with the interpreter and with onnxruntime. */
export async function assertEquivalent(before: Model, after: Model, feeds: Record<string, Tensor>, opts: EquivOptions = {}): Promise<void> {
  const label = opts.label ?? after.graph.name;
  const names = before.graph.outputs.map((o) => o.name);
  assert.deepEqual(after.graph.outputs.map((o) => o.name), names, `${label}: output names changed`);
  if (opts.interp ?? true) {
    const a = runModel(before, feeds);
    const b = runModel(after, feeds);
    for (const n of names) assert.ok(maxRelErr(b[n], a[n]) <= TOL, `${label}: interpreter output '${n}' differs (rel ${maxRelErr(b[n], a[n])})`);
  }
  const a = await ortRun(before, feeds);
  const b = await ortRun(after, feeds);
  for (const n of names) assert.ok(maxRelErr(b[n], a[n]) <= TOL, `${label}: onnxruntime output '${n}' differs (rel ${maxRelErr(b[n], a[n])})`);
}
