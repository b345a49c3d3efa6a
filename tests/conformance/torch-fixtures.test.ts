// Real torch.onnx.export output (tests/fixtures/torch, made by make_fixtures.py): our reader, interpreter
// and the onnxruntime bridge against the outputs torch computed, at a batch size other than the traced one.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, existsSync } from "node:fs";
import path from "node:path";
import type { Graph } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/tensor.ts";
import { findOp } from "../../src/ops/registry.ts";
import { readModel } from "../../src/onnx/read.ts";
import { runModel } from "../../src/run/interp.ts";
import { ortRun } from "../../src/run/ort.ts";
import { mismatch } from "../helpers/allclose.ts";
import { loadData, repoRoot } from "../helpers/corpus.ts";

const FIXTURES = path.join(repoRoot, "tests", "fixtures", "torch");
const dirs = readdirSync(FIXTURES)
  .map((d) => path.join(FIXTURES, d))
  .filter((d) => existsSync(path.join(d, "model.onnx")))
  .sort();

function missingOps(g: Graph): string[] {
  return [...new Set(g.nodes.filter((n) => !findOp(n.op, n.domain)).map((n) => n.op))].sort();
}

function check(got: Record<string, Tensor>, want: Record<string, Tensor>): void {
  for (const [name, expected] of Object.entries(want)) {
    assert.equal(mismatch(got[name], expected, 1e-3, 1e-5), undefined, `output '${name}'`);
  }
}

describe("torch fixtures", () => {
  it("are all there (7 models)", () => assert.equal(dirs.length, 7));

  for (const dir of dirs) {
    describe(path.basename(dir), () => {
      const model = readModel(path.join(dir, "model.onnx"));
      const { inputs, outputs } = loadData(model, dir);

      it("has a symbolic batch axis and a data set at batch 3", () => {
        assert.equal(model.graph.inputs[0].shape?.[0], "batch");
        assert.equal(inputs.input.shape[0], 3);
        assert.equal(outputs.output.shape[0], 3);
      });

      it("onnxruntime reproduces torch's outputs", async () => {
        check(await ortRun(model, inputs), outputs);
      });

      it("the interpreter reproduces torch's outputs", (t) => {
        const missing = missingOps(model.graph);
        if (missing.length) return t.skip(`no kernel yet for ${missing.join(", ")}`);
        check(runModel(model, inputs), outputs);
      });
    });
  }
});
