// The clusterability finish (refine.ts, after the pruning rounds): on a teacher made of two planted modules joined by
// small crossing weights, the finish keeps the floor, never keeps more weights than the pruning rounds did, lowers
// the n-cut, and removes most of the weights that cross the planted modules.
import test from "node:test";
import assert from "node:assert/strict";
import { lift } from "../../src/net/lift.ts";
import { refine } from "../../src/refine/index.ts";
import type { Net } from "../../src/net/net.ts";
import { mlp, rows } from "./nets.ts";

const SIZES = [16, 32, 32, 4];

/** Units 0..n/2-1 of every layer form module 0, the rest module 1; a weight between modules is scaled by `cross`. */
function planted(seed: number, cross: number): Net {
  const net = mlp(seed, SIZES);
  for (const l of net.layers) {
    if (l.kind !== "affine") continue;
    for (let j = 0; j < l.outFeatures; j++) {
      for (let i = 0; i < l.inFeatures; i++) {
        if ((j < l.outFeatures / 2) !== (i < l.inFeatures / 2)) l.W[j * l.inFeatures + i] *= cross;
      }
    }
  }
  return net;
}

/** Non-zero weights between the planted modules, over every dense layer of a refined model's initializers. */
function crossing(model: ReturnType<typeof refine>["model"]): number {
  let n = 0;
  for (const t of model.graph.initializers.values()) {
    if (t.shape.length !== 2) continue;
    const [a, b] = t.shape;
    // Gemm weights here are [out, in] (transB) or [in, out]; the planted halves are the same either way.
    for (let r = 0; r < a; r++) for (let c = 0; c < b; c++) if ((r < a / 2) !== (c < b / 2) && (t.data as Float32Array)[r * b + c] !== 0) n++;
  }
  return n;
}

test("cluster finish: the floor holds, no more weights, a lower n-cut, and most crossing weights gone", () => {
  const net = lift(planted(3, 0.05));
  const x = rows(4, 1500, SIZES[0]);
  const opts = { epochs: 2, maxRounds: 3, batch: 48, objectives: ["prune", "cluster"] as const, minAgreement: 0.9, seed: 1, clusters: 2 };
  const plain = refine(net, x, { ...opts, finishEpochs: 0 });
  const fin = refine(net, x, { ...opts, finishEpochs: 6, finishCluster: 2 });
  assert.ok(plain.chosen && fin.chosen, "both runs keep a refined net");
  assert.ok(fin.after.validationAgreement >= 0.9, `validation ${fin.after.validationAgreement}`);
  assert.ok(fin.after.weights <= plain.after.weights, `${fin.after.weights} <= ${plain.after.weights}`);
  assert.ok(fin.after.ncut! < plain.after.ncut!, `n-cut ${fin.after.ncut} < ${plain.after.ncut}`);
  assert.ok(crossing(fin.model) < 0.5 * crossing(plain.model), `crossing weights ${crossing(fin.model)} vs ${crossing(plain.model)}`);
  // The finish's epochs are in the report, after the rounds, and the kept one is among them.
  const done = fin.rows.filter((e) => e.finish);
  assert.equal(done.length, 6);
  assert.ok(done.some((e) => e.round === fin.chosen!.round && e.epoch === fin.chosen!.epoch && e.passes));
});
