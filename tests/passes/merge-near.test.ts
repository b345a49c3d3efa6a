// merge-near-parallel (budgeted): units split into copies and then perturbed (the split obfuscation under weight
// noise: no longer exactly parallel, so merge-parallel leaves them) merge back within the budget, for any number of
// copies and other widths; how many merge is decided by the measured cost (a tiny budget merges none); --exact
// skips the pass.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Layer, Net } from "../../src/net/net.ts";
import { mergeNearPass } from "../../src/passes/merge-near.ts";
import { mergeParallelPass } from "../../src/passes/merge-parallel.ts";
import { hiddenUnits } from "../../src/passes/net-edit.ts";
import { simplifyState } from "../../src/passes/state.ts";
import { act, box, boxRows, dense, maxDiff, net, randomNet } from "./simplify-helpers.ts";
import { rng } from "../helpers/rng.ts";

/** Split every unit of fc1 into `copies` copies (incoming x a_j, outgoing x t_j / a_j), then add Gaussian-like
 *  noise of `noise` x the mean |weight| to every incoming weight and bias. */
function noisySplit(base: Net, copies: number, seed: number, noise: number): Net {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const fc1 = base.layers.find((l) => l.id === "fc1")! as Layer & { kind: "affine" };
  const fc2 = base.layers.find((l) => l.id === "fc2")! as Layer & { kind: "affine" };
  let mean = 0;
  for (const v of fc1.W) mean += Math.abs(v) / fc1.W.length;
  const rows: number[][] = [], b: number[] = [], cols: number[][] = [];
  for (let u = 0; u < fc1.outFeatures; u++) {
    const t = Array.from({ length: copies }, () => 0.2 + r());
    const ts = t.reduce((x, y) => x + y, 0);
    for (let j = 0; j < copies; j++) {
      const a = 0.5 + 1.5 * r();
      rows.push(Array.from(fc1.W.subarray(u * fc1.inFeatures, (u + 1) * fc1.inFeatures), (v) => v * a + noise * mean * gauss()));
      b.push(fc1.b[u] * a + noise * mean * gauss());
      cols.push(Array.from({ length: fc2.outFeatures }, (_, o) => (fc2.W[o * fc2.inFeatures + u] * t[j]) / ts / a));
    }
  }
  const W2 = Array.from({ length: fc2.outFeatures }, (_, o) => cols.map((c) => c[o]));
  return net(fc1.inFeatures, [dense("fc1", "x", rows, b), act("relu1", "fc1", rows.length), dense("fc2", "relu1", W2, Array.from(fc2.b))]);
}

function budgeted(nt: Net, tolerance: number, exact = false) {
  const n = nt.inputs[0].shape[0];
  return simplifyState(nt, boxRows(7, 400, n), boxRows(8, 200, n), { tolerance, exact, box: box(n) });
}

for (const [copies, sizes] of [[2, [4, 6, 2]], [3, [3, 5, 2]], [4, [6, 9, 3]]] as const) {
  test(`noisy units split into ${copies} copies merge back within the budget (widths ${sizes.join("-")})`, () => {
    for (const seed of [1, 2]) {
      const base = randomNet(seed, [...sizes]);
      const nt = noisySplit(base, copies, seed + 10, 1e-4);
      const units = sizes[1];
      // not exactly parallel: the exact merge leaves every copy
      assert.equal(hiddenUnits(mergeParallelPass.run(budgeted(nt, 1e-2)).out.net), units * copies);
      const tol = 1e-2;
      const r = mergeNearPass.run(budgeted(nt, tol));
      assert.equal(hiddenUnits(r.out.net), units, `${r.report.summary}; ${r.report.details.join("; ")}`);
      const fresh = boxRows(99, 2000, sizes[0]);
      assert.ok(maxDiff(nt, r.out.net, fresh) <= tol, `within --tolerance on fresh points: ${maxDiff(nt, r.out.net, fresh)}`);
      assert.equal(r.report.kind, "budgeted");
      assert.ok(r.report.heldOut.maxAbsErr <= tol);
    }
  });
}

test("the measured cost decides: a budget below what any merge costs merges none; --exact skips the pass", () => {
  const nt = noisySplit(randomNet(3, [4, 6, 1]), 2, 13, 1e-2);
  const none = mergeNearPass.run(budgeted(nt, 1e-9));
  assert.equal(none.out.net, nt, none.report.summary);
  const some = mergeNearPass.run(budgeted(nt, 1));
  assert.ok(hiddenUnits(some.out.net) < 12, some.report.summary);
  const exact = mergeNearPass.run(budgeted(nt, 1, true));
  assert.equal(exact.out.net, nt);
  assert.match(exact.report.summary, /--exact/);
});
