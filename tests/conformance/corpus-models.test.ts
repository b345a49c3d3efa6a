// The real models of ../shared/corpus/models: our interpreter and the onnxruntime bridge against each
// model's test data sets (rtol 1e-3, atol 1e-5).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Graph, Model } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/tensor.ts";
import { findOp } from "../../src/ops/registry.ts";
import { readModel } from "../../src/onnx/read.ts";
import { runModel } from "../../src/run/interp.ts";
import { ortRun } from "../../src/run/ort.ts";
import { mismatch } from "../helpers/allclose.ts";
import { listCorpusModels, listDataSets, loadData, NO_CORPUS } from "../helpers/corpus.ts";

const RTOL = 1e-3;
const ATOL = 1e-5;

function missingOps(g: Graph, out = new Set<string>()): Set<string> {
  for (const n of g.nodes) {
    if (!findOp(n.op, n.domain)) out.add(n.domain ? `${n.domain}.${n.op}` : n.op);
    for (const a of Object.values(n.attrs)) {
      if (a.kind === "graph") missingOps(a.value, out);
      if (a.kind === "graphs") a.value.forEach((s) => missingOps(s, out));
    }
  }
  return out;
}

function check(got: Record<string, Tensor>, want: Record<string, Tensor>): void {
  for (const [name, expected] of Object.entries(want)) {
    assert.ok(got[name], `output '${name}' missing`);
    const diff = mismatch(got[name], expected, RTOL, ATOL);
    assert.equal(diff, undefined, `output '${name}': ${diff}`);
  }
}

const dirs = listCorpusModels();

describe("corpus models", () => {
  if (dirs.length === 0) {
    it("corpus", (t) => t.skip(NO_CORPUS));
    return;
  }
  for (const dir of dirs) {
    describe(path.basename(dir), () => {
      let model: Model | undefined;
      const load = () => (model ??= readModel(path.join(dir, "model.onnx")));
      for (const ds of listDataSets(dir)) {
        it(`interpreter matches ${ds}`, (t) => {
          const m = load();
          const missing = [...missingOps(m.graph)].sort();
          if (missing.length) {
            t.skip(`no kernel yet for ${missing.join(", ")}`);
            return;
          }
          const { inputs, outputs } = loadData(m, dir, ds);
          check(runModel(m, inputs, { outputs: Object.keys(outputs) }), outputs);
        });
        it(`onnxruntime bridge matches ${ds}`, async () => {
          const m = load();
          const { inputs, outputs } = loadData(m, dir, ds);
          check(await ortRun(m, inputs, { outputs: Object.keys(outputs) }), outputs);
        });
      }
    });
  }
});
