// merge-parallel: units split into copies (incoming x a_j > 0, outgoing x t_j / a_j) merge back to one unit each,
// for any number of copies; opposite rows are not merged.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Layer, Net } from "../../src/net/net.ts";
import { mergeParallelPass } from "../../src/passes/merge-parallel.ts";
import { hiddenUnits } from "../../src/passes/net-edit.ts";
import { act, assertSameFunction, dense, net, randomNet, stateFor } from "./simplify-helpers.ts";
import { rng } from "../helpers/rng.ts";

/** Split every unit of fc1 into `copies` copies with random positive scales (the zoo's split obfuscation). */
function splitNet(base: Net, copies: number, seed: number): Net {
  const r = rng(seed);
  const fc1 = base.layers.find((l) => l.id === "fc1")! as Layer & { kind: "affine" };
  const fc2 = base.layers.find((l) => l.id === "fc2")! as Layer & { kind: "affine" };
  const rows: number[][] = [];
  const b: number[] = [];
  const cols: number[][] = [];
  for (let u = 0; u < fc1.outFeatures; u++) {
    const t = Array.from({ length: copies }, () => 0.2 + r());
    const ts = t.reduce((x, y) => x + y, 0);
    for (let j = 0; j < copies; j++) {
      const a = 0.5 + 1.5 * r();
      rows.push(Array.from(fc1.W.subarray(u * fc1.inFeatures, (u + 1) * fc1.inFeatures), (v) => v * a));
      b.push(fc1.b[u] * a);
      cols.push(Array.from({ length: fc2.outFeatures }, (_, o) => (fc2.W[o * fc2.inFeatures + u] * t[j]) / ts / a));
    }
  }
  const n = rows.length;
  const W2 = Array.from({ length: fc2.outFeatures }, (_, o) => cols.map((c) => c[o]));
  return net(fc1.inFeatures, [dense("fc1", "x", rows, b), act("relu1", "fc1", n), dense("fc2", "relu1", W2, Array.from(fc2.b))]);
}

for (const copies of [2, 3, 5]) {
  test(`units split into ${copies} copies merge back (random nets)`, () => {
    for (const seed of [1, 2, 3]) {
      const base = randomNet(seed, [3, 5, 2]);
      const split = splitNet(base, copies, seed + 10);
      const r = mergeParallelPass.run(stateFor(split));
      assert.equal(hiddenUnits(r.out.net), 5);
      assertSameFunction(split, r.out.net);
      const fc1 = r.out.net.layers.find((l) => l.id === "fc1")!;
      assert.equal(fc1.unitOrigin?.[0].length, copies, "a merged unit stands for every copy");
    }
  });
}

test("opposite rows (relu(z), relu(-z)) and unrelated rows stay", () => {
  const nt = net(2, [dense("fc1", "x", [[1, -1], [-2, 2], [1, 1]], [0.5, -1, 0]), act("relu1", "fc1", 3), dense("fc2", "relu1", [[1, 1, 1]], [0])]);
  const r = mergeParallelPass.run(stateFor(nt));
  assert.equal(hiddenUnits(r.out.net), 3);
});

test("for a non-homogeneous activation only identical rows merge", () => {
  const nt = net(2, [dense("fc1", "x", [[1, -1], [2, -2], [1, -1]], [0.5, 1, 0.5]), act("t", "fc1", 3, "tanh"), dense("fc2", "t", [[1, 2, 3]], [0])]);
  const r = mergeParallelPass.run(stateFor(nt));
  assert.equal(hiddenUnits(r.out.net), 2);
  assertSameFunction(nt, r.out.net);
});
