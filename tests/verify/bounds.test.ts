// Interval bounds: every layer's value on sampled box points lies inside its bounds (every layer kind).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Layer, Net } from "../../src/net/net.ts";
import type { Graph } from "../../src/graph/graph.ts";
import { tensor } from "../../src/graph/tensor.ts";
import { runNet } from "../../src/net/run.ts";
import { intervalBounds, certifiedMaxErr } from "../../src/verify/bounds.ts";
import type { BoxDomain } from "../../src/passes/simplify.ts";
import { rng } from "../helpers/rng.ts";
import { imageNet, layer, reluCNN, reluMLP, sampleBox, uniformBox, vectorNet } from "./bound-nets.ts";

/** Assert that every layer's sampled values lie within its interval bounds (up to float32 rounding). */
function assertContains(net: Net, box: BoxDomain, seed: number, label: string): void {
  const bounds = intervalBounds(net, box);
  const feeds = sampleBox(rng(seed), net, box, 400);
  const acts = runNet(net, feeds).activations;
  for (const l of net.layers) {
    const b = bounds.get(l.id)!;
    const t = acts[l.id];
    const per = b.lo.length;
    assert.equal(t.data.length, per * 400, `${label}: ${l.id} bound length`);
    for (let k = 0; k < t.data.length; k++) {
      const v = Number(t.data[k]), i = k % per;
      const tol = 1e-5 * (1 + Math.abs(v));
      assert.ok(v >= b.lo[i] - tol && v <= b.hi[i] + tol, `${label}: ${l.id}[${i}] = ${v} outside [${b.lo[i]}, ${b.hi[i]}]`);
    }
  }
}

test("interval bounds contain every layer's values on sampled box points (all layer kinds)", () => {
  assertContains(vectorNet(rng(1)), uniformBox(vectorNet(rng(1)), -2, 2), 2, "vector net");
  assertContains(imageNet(rng(3)), uniformBox(imageNet(rng(3)), -1, 1), 4, "image net");
  assertContains(reluCNN(rng(5), "max"), uniformBox(reluCNN(rng(5), "max"), 0, 1), 6, "relu cnn");
});

test("interval bounds are exact for a single affine layer and finite where the net is bounded", () => {
  const net = reluMLP(rng(7), [3, 2]);
  const box = uniformBox(net, -1, 1);
  const b = intervalBounds(net, box).get("fc1")!;
  const l = net.layers[0];
  if (l.kind !== "affine") throw new Error("expected affine");
  for (let o = 0; o < 2; o++) {
    let s = 0;
    for (let i = 0; i < 3; i++) s += Math.abs(l.W[o * 3 + i]);
    assert.ok(Math.abs(b.hi[o] - (l.b[o] + s)) < 1e-9 && Math.abs(b.lo[o] - (l.b[o] - s)) < 1e-9);
  }
});

test("certifiedMaxErr between two nets bounds their sampled difference", () => {
  const a = reluMLP(rng(11), [4, 6, 6, 2]);
  const b = reluMLP(rng(12), [4, 6, 6, 2]);
  const box = uniformBox(a, -1, 1);
  const c = certifiedMaxErr(a, b, box);
  const feeds = sampleBox(rng(13), a, box, 2000);
  const ya = runNet(a, feeds).outputs.y.data, yb = runNet(b, feeds).outputs.y.data;
  for (let k = 0; k < ya.length; k++) assert.ok(Math.abs(Number(ya[k]) - Number(yb[k])) <= c.perOutput[k % 2] + 1e-5);
});

test("an opaque fragment that only selects elements (Slice) passes bounds through; other fragments are unbounded", () => {
  const slice = (id: string, fn: "Slice" | "Sin"): Layer => {
    const inits = new Map([["starts", tensor("int64", [1], [1])], ["ends", tensor("int64", [1], [3])], ["axes", tensor("int64", [1], [1])]]);
    const graph: Graph = {
      name: id, inputs: [{ name: "x", dtype: "float32", shape: null }], outputs: [{ name: "y", dtype: "float32", shape: null }],
      nodes: [{ name: "n", op: fn, domain: "", inputs: fn === "Slice" ? ["x", "starts", "ends", "axes"] : ["x"], outputs: ["y"], attrs: {} }],
      initializers: fn === "Slice" ? inits : new Map(), valueInfo: [],
    };
    return layer(id, ["x"], [fn === "Slice" ? 2 : 4], { kind: "opaque", graph, opset: new Map([["", 13]]), reason: "test", perSample: true });
  };
  const net: Net = {
    inputs: [{ name: "x", dtype: "float32", shape: [4], batchDim: "N" }],
    layers: [slice("sel", "Slice"), slice("sin", "Sin")],
    outputs: [{ name: "a", from: "sel" }, { name: "b", from: "sin" }],
  };
  const box: BoxDomain = { x: { lo: Float32Array.from([0, 1, 2, 3]), hi: Float32Array.from([0.5, 1.5, 2.5, 3.5]) } };
  const b = intervalBounds(net, box);
  assert.deepEqual([...b.get("sel")!.lo, ...b.get("sel")!.hi], [1, 2, 1.5, 2.5]);
  assert.ok(b.get("sin")!.hi.every((v) => v === Infinity));
  const copy: Net = { ...net, layers: net.layers.map((l) => ({ ...l })) };
  const c = certifiedMaxErr(net, copy, box).perOutput;
  assert.deepEqual(c.slice(0, 2), [0, 0]);
});
