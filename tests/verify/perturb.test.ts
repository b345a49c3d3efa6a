// perturbationBound: moving one layer's values by at most d per unit never moves an output by more than the
// bound (random nets with affine, conv, relu, tanh, pools, reshape, concat and add downstream; random moves);
// on a linear chain the bound is attained; layers it cannot bound (softmax) give no bound.
import { test } from "node:test";
import assert from "node:assert/strict";
import { perturbationBound } from "../../src/verify/perturb.ts";
import { runNet } from "../../src/net/run.ts";
import { f32 } from "../../src/graph/tensor.ts";
import type { Layer, Net } from "../../src/net/net.ts";
import { randn, rng } from "../../src/util/rng.ts";

const base = { dtype: "float32" as const, origin: [] as string[] };

/** x[2,6,6] -> conv 3x3 (3 ch) =: "at" -> relu -> avg/max pool -> flatten -> [affine -> tanh ; affine] -> concat -> affine, plus an add. */
function randomNet(u: () => number, pool: "avg" | "max"): Net {
  const r = (n: number, s = 1) => Float32Array.from({ length: n }, () => s * randn(u));
  const layers: Layer[] = [
    { kind: "conv", id: "at", inputs: ["x"], shape: [3, 6, 6], ...base, weight: r(3 * 2 * 9), bias: r(3), outChannels: 3, inChannels: 2, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], groups: 1 },
    { kind: "act", fn: "relu", id: "r", inputs: ["at"], shape: [3, 6, 6], ...base },
    { kind: "pool", mode: pool, id: "p", inputs: ["r"], shape: [3, 3, 3], ...base, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], countIncludePad: true, ceilMode: false },
    { kind: "reshape", id: "f", inputs: ["p"], shape: [27], ...base },
    { kind: "affine", id: "a1", inputs: ["f"], shape: [8], ...base, W: r(8 * 27), b: r(8), inFeatures: 27, outFeatures: 8 },
    { kind: "act", fn: "tanh", id: "t", inputs: ["a1"], shape: [8], ...base },
    { kind: "affine", id: "a2", inputs: ["f"], shape: [8], ...base, W: r(8 * 27), b: r(8), inFeatures: 27, outFeatures: 8 },
    { kind: "add", id: "s", inputs: ["t", "a2"], shape: [8], ...base },
    { kind: "concat", axis: 0, id: "c", inputs: ["s", "a1"], shape: [16], ...base },
    { kind: "affine", id: "out", inputs: ["c"], shape: [4], ...base, W: r(4 * 16), b: r(4), inFeatures: 16, outFeatures: 4 },
  ];
  return { inputs: [{ name: "x", dtype: "float32", shape: [2, 6, 6], batchDim: "N" }], layers, outputs: [{ name: "y", from: "out" }] };
}

/** The net with layer "at"'s bias moved per position: a conv's bias is per channel, so the move goes through an add. */
function moved(net: Net, delta: Float32Array): Net {
  const layers = net.layers.flatMap((l): Layer[] => (l.id !== "at" ? [l.id === "r" ? { ...l, inputs: ["at.moved"] } : l] : [
    { ...l },
    { kind: "reshape", id: "at.flat", inputs: ["at"], shape: [108], ...base },
    { kind: "affine", id: "at.delta", inputs: ["at.flat"], shape: [108], ...base, W: new Float32Array(108 * 108), b: delta, inFeatures: 108, outFeatures: 108 },
    { kind: "add", id: "at.sum", inputs: ["at.flat", "at.delta"], shape: [108], ...base },
    { kind: "reshape", id: "at.moved", inputs: ["at.sum"], shape: [3, 6, 6], ...base },
  ]));
  return { ...net, layers };
}

test("no move of one layer within d moves an output by more than the bound", () => {
  const u = rng(31);
  for (const pool of ["avg", "max"] as const) {
    for (let k = 0; k < 4; k++) {
      const net = randomNet(u, pool);
      const d = Float64Array.from({ length: 108 }, () => 0.05 * u());
      const bound = perturbationBound(net, "at", d)!;
      assert.equal(bound.length, 4);
      const x = f32([64, 2, 6, 6], Float32Array.from({ length: 64 * 72 }, () => 2 * u() - 1));
      const y0 = runNet(net, { x }).outputs.y.data;
      for (let t = 0; t < 6; t++) {
        // Extremes (+-d) and values inside.
        const delta = Float32Array.from(d, (v) => (t < 3 ? (u() < 0.5 ? -v : v) : (2 * u() - 1) * v));
        const y1 = runNet(moved(net, delta), { x }).outputs.y.data;
        for (let i = 0; i < y0.length; i++) assert.ok(Math.abs(Number(y1[i]) - Number(y0[i])) <= bound[i % 4] + 1e-5, `${pool} ${k}: output ${i % 4} moved ${Math.abs(Number(y1[i]) - Number(y0[i]))} > ${bound[i % 4]}`);
      }
    }
  }
});

test("on a linear chain the bound is attained; a softmax downstream gives none", () => {
  const u = rng(5);
  const W1 = Float32Array.from({ length: 6 * 4 }, () => randn(u)), W2 = Float32Array.from({ length: 3 * 6 }, () => randn(u));
  const layers: Layer[] = [
    { kind: "affine", id: "at", inputs: ["x"], shape: [6], ...base, W: W1, b: new Float32Array(6), inFeatures: 4, outFeatures: 6 },
    { kind: "affine", id: "o", inputs: ["at"], shape: [3], ...base, W: W2, b: new Float32Array(3), inFeatures: 6, outFeatures: 3 },
  ];
  const net: Net = { inputs: [{ name: "x", dtype: "float32", shape: [4], batchDim: "N" }], layers, outputs: [{ name: "y", from: "o" }] };
  const d = Float64Array.from({ length: 6 }, () => u());
  const b = perturbationBound(net, "at", d)!;
  for (let j = 0; j < 3; j++) {
    let worst = 0;
    for (let i = 0; i < 6; i++) worst += Math.abs(W2[j * 6 + i]) * d[i];
    assert.ok(Math.abs(b[j] - worst) <= 1e-5 * worst, `${b[j]} vs ${worst}`);
  }
  const soft: Net = { ...net, layers: [...layers, { kind: "softmax", id: "sm", inputs: ["o"], shape: [3], ...base, log: false, axis: 0 }], outputs: [{ name: "y", from: "sm" }] };
  assert.equal(perturbationBound(soft, "at", d), undefined);
});
