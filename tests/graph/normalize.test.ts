// The normalize passes, alone and in sequence, on random exporter-style nets and on the corpus models:
// outputs unchanged (interpreter and onnxruntime), and the normal form reached.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Model } from "../../src/graph/graph.ts";
import { normalize, normalizePasses } from "../../src/graph/passes/index.ts";
import { isCanonicalGemm } from "../../src/graph/passes/canonical-affine.ts";
import { runModel } from "../../src/run/interp.ts";
import { ortRun } from "../../src/run/ort.ts";
import { rng } from "../helpers/rng.ts";
import { maxRelErr, randomFeeds, randomNetCases } from "../helpers/nets.ts";
import { listCorpusModels, loadCase, NO_CORPUS } from "../helpers/corpus.ts";
import { assertEquivalent, TOL } from "./equiv.ts";

/** What a normalized exporter-style net no longer has. */
function assertNormalForm(m: Model, label: string): void {
  const ops = m.graph.nodes.map((n) => n.op);
  for (const op of ["BatchNormalization", "Dropout", "Identity", "Constant", "MatMul", "Shape"]) {
    assert.ok(!ops.includes(op), `${label}: ${op} left after normalize (${ops.join(", ")})`);
  }
  for (const n of m.graph.nodes) if (n.op === "Gemm") assert.ok(isCanonicalGemm(m.graph, n), `${label}: ${n.name} not canonical`);
  // Bias Adds are folded: the only Adds left add two computed values (residuals).
  for (const n of m.graph.nodes) {
    if (n.op === "Add") assert.ok(n.inputs.every((v) => !m.graph.initializers.has(v)), `${label}: constant Add '${n.name}' left`);
  }
}

// Each pass alone, checked with the interpreter here (onnxruntime checks every pass in passes.test.ts and
// the whole pipeline below: one session per rewritten model is what makes these tests slow).
test("each normalize pass alone keeps random nets' outputs", () => {
  for (const { name, model } of randomNetCases(3)) {
    const feeds = randomFeeds(rng(7), model, 4);
    const ref = runModel(model, feeds);
    for (const pass of normalizePasses) {
      const got = runModel(pass.run(model).out, feeds);
      for (const o of Object.keys(ref)) {
        assert.ok(maxRelErr(got[o], ref[o]) <= TOL, `${pass.name} on ${name}: output '${o}' differs (rel ${maxRelErr(got[o], ref[o])})`);
      }
    }
  }
});

test("the normalize pipeline keeps outputs and reaches the normal form on random nets", async () => {
  for (const seed of [1, 2]) {
    for (const { name, model } of randomNetCases(seed)) {
      const { model: out, reports } = normalize(model);
      assert.equal(reports.length, normalizePasses.length);
      await assertEquivalent(model, out, randomFeeds(rng(seed + 10), model, 5), { label: `normalize ${name}` });
      assertNormalForm(out, name);
    }
  }
});

test("the normalize pipeline keeps the corpus models' outputs", async (t) => {
  const dirs = listCorpusModels();
  if (!dirs.length) return t.skip(NO_CORPUS);
  for (const dir of dirs) {
    const name = path.basename(dir);
    const c = loadCase(dir);
    const { model: out } = normalize(c.model);
    const ref = await ortRun(c.model, c.inputs);
    const got = await ortRun(out, c.inputs);
    for (const o of Object.keys(ref)) {
      assert.ok(maxRelErr(got[o], ref[o]) <= TOL, `${name}: onnxruntime output '${o}' differs after normalize (rel ${maxRelErr(got[o], ref[o])})`);
    }
    let before: ReturnType<typeof runModel> | undefined;
    try {
      before = runModel(c.model, c.inputs);
    } catch {
      // e.g. gpt2_past's Reshape with a 0 past the input rank, which onnxruntime tolerates: compare with onnxruntime instead.
      before = ref;
    }
    const after = runModel(out, c.inputs);
    for (const o of Object.keys(ref)) {
      assert.ok(maxRelErr(after[o], before[o]) <= TOL, `${name}: interpreter output '${o}' differs after normalize (rel ${maxRelErr(after[o], before[o])})`);
    }
  }
});
