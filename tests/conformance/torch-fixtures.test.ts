// Real torch.onnx.export output (tests/fixtures/torch, made by make_fixtures.py): our reader, interpreter
// and the onnxruntime bridge against the outputs torch computed, at a batch size other than the traced one.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { readModel } from "../../src/onnx/read.ts";
import { runModel } from "../../src/run/interp.ts";
import { ortRun } from "../../src/run/ort.ts";
import { assertOutputs } from "../helpers/allclose.ts";
import { loadData, repoRoot } from "../helpers/corpus.ts";
import { missingOps } from "./cases.ts";

const FIXTURES = path.join(repoRoot, "tests", "fixtures", "torch");
const dirs = readdirSync(FIXTURES)
  .map((d) => path.join(FIXTURES, d))
  .filter((d) => existsSync(path.join(d, "model.onnx")))
  .sort();

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
        assertOutputs(await ortRun(model, inputs), outputs, 1e-3, 1e-5);
      });

      it("the interpreter reproduces torch's outputs", (t) => {
        const missing = [...missingOps(model.graph)].sort();
        if (missing.length) return t.skip(`no kernel yet for ${missing.join(", ")}`);
        assertOutputs(runModel(model, inputs), outputs, 1e-3, 1e-5);
      });
    });
  }
});
