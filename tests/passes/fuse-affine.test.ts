// fuse-affine: chains of linear layers (also through a Flatten of a conv or a per-row affine) become one affine
// layer with the same outputs.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Layer, Net } from "../../src/net/net.ts";
import { fuseAffinePass } from "../../src/passes/fuse-affine.ts";
import { act, dense, maxDiff, net, randomNet, stateFor } from "./simplify-helpers.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { randn, rng } from "../helpers/rng.ts";

test("a chain of five linear layers becomes one affine map", () => {
  const r = rng(3);
  const sizes = [4, 6, 8, 5, 7, 3];
  const layers: Layer[] = [];
  for (let k = 1; k < sizes.length; k++) {
    layers.push(dense(`fc${k}`, k === 1 ? "x" : `fc${k - 1}`, Array.from({ length: sizes[k] }, () => Array.from({ length: sizes[k - 1] }, () => randn(r))), Array.from({ length: sizes[k] }, () => randn(r))));
  }
  const nt = net(4, layers);
  const s = stateFor(nt);
  const out = fuseAffinePass.run(s);
  assert.equal(out.out.net.layers.length, 1);
  assert.equal(out.out.net.layers[0].id, "fc5");
  assert.ok(out.report.heldOut.maxAbsErr < 1e-4, `${out.report.heldOut.maxAbsErr}`);
  assert.deepEqual(out.out.net.layers[0].unitOrigin?.[0].length, 1 + 7 + 5 + 8 + 6);
});

test("linear layers between ReLU layers fuse; the ReLU layers stay", () => {
  const base = randomNet(5, [3, 6, 2]);
  // Insert a linear layer fcL after relu1: fc2 now reads it.
  const L = dense("lin", "relu1", [[1, 0, 0, 0, 0, 2], [0, 1, 0, 0, 0, 0], [0, 0, 1, 3, 0, 0], [0, 0, 0, 0, 1, 1]], [0.1, 0, 0, 0.2]);
  const fc2 = base.layers.find((l) => l.id === "fc2")!;
  const fc2b = dense("fc2", "lin", [[1, 2, 3, 4], [-1, 0, 1, 0.5]], [0, 0]);
  const nt: Net = { ...base, layers: [...base.layers.filter((l) => l !== fc2), L, fc2b] };
  const out = fuseAffinePass.run(stateFor(nt));
  assert.deepEqual(out.out.net.layers.map((l) => l.kind), ["affine", "act", "affine"]);
  assert.ok(out.report.heldOut.maxAbsErr < 1e-5);
});

test("a conv without activation, flattened, fuses into the dense layer after it", () => {
  const r = rng(9);
  const conv: Layer = {
    kind: "conv", id: "conv1", inputs: ["x"], weight: Float32Array.from({ length: 2 * 1 * 9 }, () => randn(r)), bias: Float32Array.from([0.1, -0.2]),
    outChannels: 2, inChannels: 1, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], groups: 1,
    shape: [2, 4, 4], dtype: "float32", origin: ["conv1"],
  };
  const flat: Layer = { kind: "reshape", id: "flat", inputs: ["conv1"], shape: [32], dtype: "float32", origin: ["flat"] };
  const fc = dense("fc", "flat", Array.from({ length: 3 }, () => Array.from({ length: 32 }, () => randn(r))), [0, 1, 2]);
  const nt: Net = { inputs: [{ name: "x", dtype: "float32", shape: [1, 4, 4], batchDim: "N" }], layers: [conv, flat, fc, act("relu", "fc", 3)], outputs: [{ name: "y", from: "relu" }] };
  const data = { x: f32([50, 1, 4, 4], Array.from({ length: 800 }, () => randn(r))) };
  const s = stateFor(nt, { data, withBox: false });
  const out = fuseAffinePass.run(s);
  assert.deepEqual(out.out.net.layers.map((l) => l.kind), ["reshape", "affine", "act"]);
  assert.ok(maxDiff(nt, out.out.net, data) < 1e-4);
});
