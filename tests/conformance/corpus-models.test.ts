// The real models of ../shared/corpus/models: our interpreter and the onnxruntime bridge against each
// model's test data sets (rtol 1e-3, atol 1e-5).
import { describe, it } from "node:test";
import path from "node:path";
import type { Model } from "../../src/graph/graph.ts";
import { readModel } from "../../src/onnx/read.ts";
import { runModel } from "../../src/run/interp.ts";
import { ortRun } from "../../src/run/ort.ts";
import { assertOutputs } from "../helpers/allclose.ts";
import { listCorpusModels, listDataSets, loadData, NO_CORPUS } from "../helpers/corpus.ts";
import { missingOps } from "./cases.ts";

const RTOL = 1e-3;
const ATOL = 1e-5;

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
          assertOutputs(runModel(m, inputs, { outputs: Object.keys(outputs) }), outputs, RTOL, ATOL);
        });
        it(`onnxruntime bridge matches ${ds}`, async () => {
          const m = load();
          const { inputs, outputs } = loadData(m, dir, ds);
          assertOutputs(await ortRun(m, inputs, { outputs: Object.keys(outputs) }), outputs, RTOL, ATOL);
        });
      }
    });
  }
});
