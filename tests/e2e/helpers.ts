// End-to-end helpers: explain a model into a temp folder, then check every artifact against onnxruntime.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import type { Model } from "../../src/graph/graph.ts";
import { isFloat, type DType, type Tensor } from "../../src/graph/tensor.ts";
import { runExplain, type ExplainInput, type ExplainState } from "../../src/pipeline/explain.ts";
import { writeOutputDir } from "../../src/pipeline/output-dir.ts";
import { verifyDir, type Artifact, type VerifyReport } from "../../src/verify/verify.ts";
import { compareAll, type Fidelity } from "../../src/verify/metrics.ts";
import { ortOutputs } from "../../src/verify/reference.ts";
import { runEmittedBatch, SkipArtifact } from "../../src/verify/artifacts.ts";
import { runModel } from "../../src/run/interp.ts";
import { assertOutputs } from "../helpers/allclose.ts";

/** relErr accepted for exact explanations: float rounding level. */
export const TOL = 1e-5;

/** A fresh temp folder path (not created) for an explanation. */
export function outDir(tag: string): string {
  return path.join(mkdtempSync(path.join(tmpdir(), `pseudonet-e2e-${tag}-`)), "explained");
}

/** Run the whole pipeline and write the files; returns the folder and the final state. */
export async function explainInto(model: Model, input: Omit<ExplainInput, "model">, tag = "m"): Promise<{ dir: string; state: ExplainState }> {
  const dir = outDir(tag);
  // Exact simplification unless the test asks otherwise: these tests hold every artifact to rounding level, and
  // budgeted passes may spend up to --tolerance (their own tests measure that).
  const state = await runExplain({ model, exact: true, ...input, outDir: dir });
  writeOutputDir(dir, state.files!);
  return { dir, state };
}

/** Fidelity within TOL, and exact equality for integer outputs (class indices, token ids). */
export function assertWithin(what: string, f: Fidelity, dtypes: readonly DType[]): void {
  assert.ok(f.relErr <= TOL, `${what} relErr ${f.relErr} > ${TOL}: ${JSON.stringify(f.outputs)}`);
  f.outputs.forEach((o, i) => {
    if (!isFloat(dtypes[i] ?? "float32")) assert.equal(o.maxAbsErr, 0, `${what}: integer output '${o.name}' differs (maxAbsErr ${o.maxAbsErr})`);
  });
}

/** Verify artifacts and assert each one ran and is within TOL (skips are reported as diagnostics). */
export async function assertFaithful(t: TestContext, dir: string, model: Model, data: Tensor[], expectSkips: string[] = [], artifacts?: readonly Artifact[]): Promise<VerifyReport> {
  const r = await verifyDir(dir, model, data, { tolerance: TOL, ...(artifacts ? { artifacts } : {}) });
  const dtypes = model.graph.outputs.map((o) => o.dtype);
  for (const row of r.rows) {
    if (row.status === "skipped") {
      t.diagnostic(`${row.artifact} skipped: ${row.note}`);
      const allowed = expectSkips.includes(row.artifact) || /python3|numpy/.test(row.note ?? "");
      assert.ok(allowed, `${row.artifact} unexpectedly skipped: ${row.note}`);
      continue;
    }
    assert.equal(row.status, "ok", `${row.artifact}: ${row.status} ${row.note ?? ""} ${JSON.stringify(row.fidelity?.outputs)}`);
    assertWithin(row.artifact, row.fidelity!, dtypes);
  }
  return r;
}

/** An explained model waiting for its emitted code to be checked. */
export interface EmittedCase {
  name: string;
  dir: string;
  model: Model;
  data: Tensor[];
  /** The outputs to match, when not onnxruntime's on the original (it has no kernels for some opset < 7 ops). */
  reference?: Tensor[];
}

/** Run every case's program.ts (or program.py) in one child process and assert each matches onnxruntime on the
 *  original model. Returns the diagnostics per case; python3 without numpy skips the whole check. */
export async function assertEmitted(t: TestContext, lang: "ts" | "py", cases: readonly EmittedCase[]): Promise<void> {
  const file = `program.${lang}`;
  const jobs = cases.map((c) => ({ file: path.join(c.dir, file), inputs: c.data, outDtypes: c.model.graph.outputs.map((o) => o.dtype) }));
  let results;
  try {
    results = runEmittedBatch(lang, jobs);
  } catch (e) {
    if (e instanceof SkipArtifact) return t.skip(`${file} not run: ${e.message}`);
    throw e;
  }
  const failures: string[] = [];
  for (let k = 0; k < cases.length; k++) {
    const c = cases[k], r = results[k];
    try {
      if ("error" in r) throw new Error(r.error);
      const expected = c.reference ?? (await ortOutputs(c.model, c.data));
      const f = compareAll(c.model.graph.outputs.map((o) => o.name), expected, r.outputs, "check data");
      assertWithin(`${c.name} ${file}`, f, jobs[k].outDtypes);
      t.diagnostic(`${c.name}: ${file} relErr ${f.relErr.toExponential(1)}`);
    } catch (e) {
      failures.push(`${c.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  assert.deepEqual(failures, [], `${file} failed on ${failures.length} of ${cases.length} models`);
}

/** onnxruntime's outputs on the original (undefined: assertEmitted runs it), or, where onnxruntime cannot load the
 *  file (an old opset's op without a kernel; light ResNet-50's initializer without a NodeArg), the interpreter's,
 *  which must first reproduce the model's expected outputs (upstream's tolerance). */
export async function referenceOutputs(model: Model, data: Tensor[], expected: Record<string, Tensor>): Promise<Tensor[] | undefined> {
  try {
    await ortOutputs(model, data);
    return undefined;
  } catch (e) {
    if (!/cannot load the model/.test(e instanceof Error ? e.message : "")) throw e;
    const ours = runModel(model, Object.fromEntries(model.graph.inputs.map((i, k) => [i.name, data[k]])));
    assertOutputs(ours, expected, 1e-3, 1e-7);
    return model.graph.outputs.map((o) => ours[o.name]);
  }
}
