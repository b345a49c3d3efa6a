// End-to-end helpers: explain a model into a temp folder, then check every artifact against onnxruntime.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import type { Model } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/tensor.ts";
import { runExplain, type ExplainInput, type ExplainState } from "../../src/pipeline/explain.ts";
import { writeOutputDir } from "../../src/pipeline/output-dir.ts";
import { verifyDir, type VerifyReport } from "../../src/verify/verify.ts";

/** relErr accepted for exact explanations: float rounding level. */
export const TOL = 1e-5;

/** A fresh temp folder path (not created) for an explanation. */
export function outDir(tag: string): string {
  return path.join(mkdtempSync(path.join(tmpdir(), `pseudonet-e2e-${tag}-`)), "explained");
}

/** Run the whole pipeline and write the files; returns the folder and the final state. */
export async function explainInto(model: Model, input: Omit<ExplainInput, "model">, tag = "m"): Promise<{ dir: string; state: ExplainState }> {
  const dir = outDir(tag);
  const state = await runExplain({ model, ...input, outDir: dir });
  writeOutputDir(dir, state.files!);
  return { dir, state };
}

/** Verify every artifact and assert each one ran and is within TOL (skips are reported as diagnostics). */
export async function assertFaithful(t: TestContext, dir: string, model: Model, data: Tensor[], expectSkips: string[] = []): Promise<VerifyReport> {
  const r = await verifyDir(dir, model, data, { tolerance: TOL });
  for (const row of r.rows) {
    if (row.status === "skipped") {
      t.diagnostic(`${row.artifact} skipped: ${row.note}`);
      const allowed = expectSkips.includes(row.artifact) || /python3|numpy/.test(row.note ?? "");
      assert.ok(allowed, `${row.artifact} unexpectedly skipped: ${row.note}`);
      continue;
    }
    assert.equal(row.status, "ok", `${row.artifact}: ${row.status} ${row.note ?? ""} ${JSON.stringify(row.fidelity?.outputs)}`);
    assert.ok(row.fidelity!.relErr <= TOL, `${row.artifact} relErr ${row.fidelity!.relErr}`);
  }
  return r;
}
