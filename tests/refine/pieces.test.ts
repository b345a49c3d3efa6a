// refine's pieces, each against what its source defines: magnitude pruning (one global threshold over hidden layers,
// half the rate at the output), the group-lasso proximal step (whole groups to zero, others shrunk by tau sqrt(size)),
// the cluster penalty's cross-cluster weights, and quantisation to a grid.
import test from "node:test";
import assert from "node:assert/strict";
import type { Layer, Net } from "../../src/net/net.ts";
import { trainNet } from "../../src/train/trainnet.ts";
import { initialMasks, liveWeights, magnitudePrune, roundTargets } from "../../src/refine/prune.ts";
import { hiddenLayerIds, proxGroupLasso } from "../../src/refine/sparsity.ts";
import { crossClusterWeights, crossRanks } from "../../src/refine/cluster.ts";
import { gridStep, quantised } from "../../src/refine/qat.ts";
import { randn, rng } from "../../src/util/rng.ts";

function net(W1: number[], W2: number[], W3: number[], k: number, h: number, o: number): Net {
  const aff = (id: string, input: string, W: number[], inF: number, outF: number): Layer => ({ id, kind: "affine", inputs: [input], shape: [outF], dtype: "float32", origin: [], W: Float32Array.from(W), b: new Float32Array(outF), inFeatures: inF, outFeatures: outF });
  const relu = (id: string, input: string, n: number): Layer => ({ id, kind: "act", fn: "relu", inputs: [input], shape: [n], dtype: "float32", origin: [] });
  return {
    inputs: [{ name: "x", dtype: "float32", shape: [k], batchDim: "batch" }],
    layers: [aff("a", "x", W1, k, h), relu("r1", "a", h), aff("b", "r1", W2, h, h), relu("r2", "b", h), aff("c", "r2", W3, h, o)],
    outputs: [{ name: "y", from: "c" }],
  };
}

const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

test("magnitudePrune: one threshold over the hidden layers, half the rate in the output layer, smallest first", () => {
  // Hidden weights 1..24 (a: 1..12, b: 13..24 scaled down so they interleave), output weights 1..8.
  const t = trainNet(net(seq(12, (i) => i + 1), seq(9, (i) => (i + 1) * 1.5), seq(6, (i) => i + 1), 4, 3, 2));
  const m = magnitudePrune(t, initialMasks(t), 0.5, "c");
  assert.equal(liveWeights(new Map([["a", m.get("a")!], ["b", m.get("b")!]])), Math.round(0.5 * 21));
  // Global: the smallest 10 of a's and b's weights together go (a has 1..12, b 1.5..13.5).
  const gone = [...m.get("a")!].map((v, i) => (v ? 0 : i + 1)).filter(Boolean).concat([...m.get("b")!].map((v, i) => (v ? 0 : (i + 1) * 1.5)).filter(Boolean));
  assert.ok(Math.max(...gone) <= 7.5, `pruned up to ${Math.max(...gone)}`);
  // Output layer at half the rate: 6 weights, 25% pruned -> round(4.5) = 5 kept (the smallest goes).
  assert.deepEqual([...m.get("c")!], [0, 1, 1, 1, 1, 1]);
});

test("roundTargets: steps counted from the round's start end where one step would, and small pools still shrink", () => {
  for (const [start, rate, P] of [[[1000, 80], 0.25, 8], [[16, 8], 0.25, 8], [[5, 3], 0.1, 4], [[40, 10], 0.03, 16]] as const) {
    let prev: readonly number[] = start;
    for (let j = 1; j <= P; j++) {
      const t = roundTargets(start, [2, 1], rate, j, P);
      assert.ok(t[0] <= prev[0] && t[1] <= prev[1], `step ${j} of ${P} grows: ${t} after ${prev}`);
      prev = t;
    }
    // The round's end: round(rate x start), at least one, from each pool (the output pool at half the rate).
    assert.deepEqual(prev, [start[0] - Math.max(1, Math.round(rate * start[0])), start[1] - Math.max(1, Math.round((rate / 2) * start[1]))]);
  }
  // A pool down to one weight per layer keeps it.
  assert.deepEqual(roundTargets([2, 1], [2, 1], 0.5, 4, 4), [2, 1]);
  // The geometric schedule: the first of 8 steps at 25% removes 1 - 0.75^(1/8) = 3.5% of a large pool.
  assert.equal(roundTargets([100000, 100], [2, 1], 0.25, 1, 8)[0], 100000 - Math.round(25000 * (1 - 0.75 ** (1 / 8)) / 0.25));
});

test("proxGroupLasso: a weak unit's whole row goes to zero, a strong one shrinks by tau sqrt(size) in norm", () => {
  const u = rng(1);
  const W1 = seq(12, () => randn(u));
  for (let i = 0; i < 4; i++) W1[i] = 1e-3; // unit 0 of layer a: tiny row
  const t = trainNet(net(W1, seq(9, () => randn(u)), seq(6, () => randn(u)), 4, 3, 2), "float64");
  const before = Array.from(t.params.get("a")!.w.subarray(4, 8));
  proxGroupLasso(t, 0.01, hiddenLayerIds(t.net));
  const a = t.params.get("a")!.w;
  assert.deepEqual(Array.from(a.subarray(0, 4)), [0, 0, 0, 0]);
  const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
  // Row 1 then column shrinks: its norm falls by at least the row step tau * sqrt(4) (columns shrink it further).
  assert.ok(norm(before) - norm(a.subarray(4, 8)) >= 0.01 * 2 - 1e-9);
  assert.ok(norm(a.subarray(4, 8)) > 0);
});

test("crossClusterWeights: two disjoint blocks and one bridge weight -> the bridge is the crossing weight", () => {
  // Layer b (6 -> 6) block-diagonal in two 3x3 blocks plus one bridge; layer c reads blockwise too.
  const h = 6;
  const W2 = seq(36, (i) => { const r = Math.floor(i / 6), c = i % 6; return (r < 3) === (c < 3) ? 1 : 0; });
  W2[0 * 6 + 5] = 0.5; // bridge: unit b0 reads a5
  const W3 = seq(12, (i) => { const r = Math.floor(i / 6), c = i % 6; return (r === 0) === (c < 3) ? 1 : 0; });
  // Layer a: units 0-2 read inputs 0-1, units 3-5 read inputs 2-3.
  const W1 = seq(4 * h, (i) => { const r = Math.floor(i / 4), c = i % 4; return (r < 3) === (c < 2) ? 1 : 0; });
  const n = net(W1, W2, W3, 4, h, 2);
  const cross = crossClusterWeights(n, 2, 0);
  assert.equal(cross.get("b")![0 * 6 + 5], 1, "the bridge crosses");
  // Every slot between clusters is marked (a zero weight there may grow back); of the non-zero weights only the bridge.
  const W = new Map([["a", W1], ["b", W2], ["c", W3]]);
  const total = [...cross].reduce((s, [id, m]) => s + m.reduce((a, v, i) => a + (v && W.get(id)![i] !== 0 ? 1 : 0), 0), 0);
  assert.equal(total, 1, "no other non-zero weight crosses");
  assert.equal(cross.get("b")![1 * 6 + 1], 0, "a weight inside a block does not cross");
});

test("crossRanks + magnitudePrune: a crossing weight ranks as f times its magnitude, so crossing weights go first", () => {
  // Random hidden weights; a random half of layer b's weights marked crossing. At rank factor f a crossing weight w
  // ranks as f|w|, an inside one as |w|: every kept weight ranks at or above every pruned one.
  const u = rng(3);
  const t = trainNet(net(seq(12, () => randn(u)), seq(9, () => randn(u)), seq(6, () => randn(u)), 4, 3, 2));
  const crossB = Uint8Array.from(seq(9, () => (u() < 0.5 ? 1 : 0)));
  const f = 0.3;
  const m = magnitudePrune(t, initialMasks(t), 0.5, "c", crossRanks(new Map([["b", crossB]]), f));
  const rank = (id: string, i: number) => Math.abs(t.params.get(id)!.w[i]) * (id === "b" && crossB[i] ? f : 1);
  const pruned: number[] = [], kept: number[] = [];
  for (const id of ["a", "b"]) m.get(id)!.forEach((v, i) => (v ? kept : pruned).push(rank(id, i)));
  assert.ok(Math.max(...pruned) <= Math.min(...kept), `pruned up to ${Math.max(...pruned)}, kept from ${Math.min(...kept)}`);
  // And the ranking changed what went: fewer crossing weights survive than with plain magnitude.
  const plain = magnitudePrune(t, initialMasks(t), 0.5, "c");
  const crossKept = (mm: typeof m) => [...mm.get("b")!].filter((v, i) => v && crossB[i]).length;
  assert.ok(crossKept(m) <= crossKept(plain));
});

test("quantised: weights on a symmetric grid of 2^bits - 1 levels, the step from the layer's largest |w|", () => {
  const u = rng(3);
  const t = trainNet(net(seq(12, () => randn(u)), seq(9, () => randn(u)), seq(6, () => randn(u)), 4, 3, 2));
  const q = quantised(t, 3);
  for (const [id, p] of q.params) {
    const step = gridStep(t.params.get(id)!.w, 3);
    for (const v of p.w) {
      assert.ok(Math.abs(v / step - Math.round(v / step)) < 1e-4);
      assert.ok(Math.abs(Math.round(v / step)) <= 3);
    }
  }
});
