// The corpus models through normalize, lower and lift: the lifted model and runNet reproduce the original
// (run by onnxruntime) on the recorded inputs; the MLP/CNN models lower with no opaque layer at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { normalize } from "../../src/graph/passes/index.ts";
import { lower } from "../../src/net/lower.ts";
import { lift } from "../../src/net/lift.ts";
import { runNet } from "../../src/net/run.ts";
import { ortRun } from "../../src/run/ort.ts";
import { maxRelErr } from "../helpers/nets.ts";
import { listCorpusModels, loadCase, NO_CORPUS } from "../helpers/corpus.ts";

const TOL = 1e-5;

/** Models made only of ops with a neuron-level layer (once normalized). */
const FULLY_LOWERED = new Set([
  "genre_mlp_velardo_lesson14", "keras_mlp_tract", "mnist8_cntk_cnn", "mnist_cnn_batchnorm_burn", "mnist_cnn_pytorch_ort",
  "mnist_maxpool_mlp_onnxmlir", "mnist_mlp_batchnorm_pytorch", "mnist_tiny_cnn_14x14_pytorch", "sine_mlp_tflm_hello_world",
  "sum_mlp_velardo_lesson9",
]);

test("corpus models: lift(lower(normalize(m))) and runNet match onnxruntime on m", async (t) => {
  const dirs = listCorpusModels();
  if (!dirs.length) return t.skip(NO_CORPUS);
  for (const dir of dirs) {
    const name = path.basename(dir);
    const c = loadCase(dir);
    const { net, report } = lower(normalize(c.model).model);
    const opaque = net.layers.filter((l) => l.kind === "opaque");
    if (FULLY_LOWERED.has(name)) assert.equal(opaque.length, 0, `${name}: ${report.details.join("; ")}`);
    const ref = await ortRun(c.model, c.inputs);
    const lifted = await ortRun(lift(net), c.inputs);
    const direct = runNet(net, c.inputs).outputs;
    for (const o of Object.keys(ref)) {
      assert.ok(maxRelErr(lifted[o], ref[o]) <= TOL, `${name}: lifted output '${o}' differs (rel ${maxRelErr(lifted[o], ref[o])})`);
      assert.ok(maxRelErr(direct[o], ref[o]) <= TOL, `${name}: runNet output '${o}' differs (rel ${maxRelErr(direct[o], ref[o])})`);
    }
  }
});
