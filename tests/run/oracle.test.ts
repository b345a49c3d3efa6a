// Property: our interpreter computes what onnxruntime computes, on seeded random nets and inputs.
import test from "node:test";
import assert from "node:assert/strict";
import { runModel } from "../../src/run/interp.ts";
import { ortRun } from "../../src/run/ort.ts";
import { randomFeeds, randomNetCases, randomMLP, randomCNN, randomResidual, maxRelErr } from "../helpers/nets.ts";
import { rng } from "../helpers/rng.ts";

const cases = [
  ...randomNetCases(7),
  // Bigger, closer to real sizes: the blocked sgemm and im2col paths take over here.
  { name: "mlp-784-256-256-10", model: randomMLP(rng(11), [784, 256, 256, 10]) },
  { name: "lenet-like", model: randomCNN(rng(12), { input: [1, 28, 28], channels: [6, 16], hidden: [120, 84], classes: 10 }) },
  { name: "residual-conv-wide", model: randomResidual(rng(13), { kind: "conv", width: 8, blocks: 3, input: [3, 12, 12], classes: 5 }) },
];

for (const seed of [1, 2]) {
  for (const c of cases) {
    test(`interpreter agrees with onnxruntime: ${c.name} (inputs seed ${seed})`, async () => {
      const feeds = randomFeeds(rng(100 + seed), c.model, seed === 1 ? 1 : 17);
      const ours = runModel(c.model, feeds);
      const ref = await ortRun(c.model, feeds);
      for (const out of c.model.graph.outputs) {
        const err = maxRelErr(ours[out.name], ref[out.name]);
        assert.ok(err <= 1e-4, `${out.name}: max relative error ${err.toExponential(2)} > 1e-4`);
      }
    });
  }
}
