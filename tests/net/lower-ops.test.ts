// lower on each op's variants (attribute forms across opsets, auto_pad, softmax axis rules): the layer it
// becomes (or that it stays opaque), and that lift(lower(g)) still computes g.
import { test } from "node:test";
import assert from "node:assert/strict";
import { f32 } from "../../src/graph/tensor.ts";
import { lower } from "../../src/net/lower.ts";
import { lift } from "../../src/net/lift.ts";
import { runNet } from "../../src/net/run.ts";
import { ortRun } from "../../src/run/ort.ts";
import { rng } from "../helpers/rng.ts";
import { addConv, attr, GraphBuilder, i64, maxRelErr, randomFeeds } from "../helpers/nets.ts";
import type { Model } from "../../src/graph/graph.ts";

async function roundTrip(model: Model, seed: number): Promise<void> {
  const { net } = lower(model);
  const feeds = randomFeeds(rng(seed), model, 3);
  const ref = await ortRun(model, feeds);
  const got = await ortRun(lift(net), feeds);
  const direct = runNet(net, feeds).outputs;
  for (const o of Object.keys(ref)) {
    assert.ok(maxRelErr(got[o], ref[o]) <= 1e-5, `${model.graph.name}: lifted '${o}' rel ${maxRelErr(got[o], ref[o])}`);
    assert.ok(maxRelErr(direct[o], ref[o]) <= 1e-5, `${model.graph.name}: runNet '${o}' rel ${maxRelErr(direct[o], ref[o])}`);
  }
}

test("activations: Clip (inputs and attributes), LeakyRelu alpha, Gelu, Sum and Concat", async () => {
  for (const opset of [9, 13, 20]) {
    const b = new GraphBuilder(`acts${opset}`);
    const x = b.input("input", ["batch", 5]);
    const clip = opset >= 11
      ? b.node("/c", "Clip", [x, b.init("lo", f32([], [-0.3])), b.init("hi", f32([], [0.4]))])
      : b.node("/c", "Clip", [x], { min: attr.float(-0.3), max: attr.float(0.4) });
    const leaky = b.node("/l", "LeakyRelu", [x], { alpha: attr.float(0.3) });
    const third = opset >= 20 ? b.node("/g", "Gelu", [x], { approximate: attr.string("tanh") }) : b.node("/g", "Sigmoid", [x]);
    const sum = b.node("/s", "Sum", [clip, leaky, third]);
    b.output(b.node("/cat", "Concat", [sum, clip], { axis: attr.int(-1) }), "output", ["batch", 10]);
    const model = b.model(opset);
    const { net } = lower(model);
    assert.deepEqual(net.layers.map((l) => l.kind), ["act", "act", "act", "add", "concat"], `opset ${opset}`);
    const [c, l, g] = net.layers;
    assert.ok(c.kind === "act" && c.fn === "clip" && Math.abs(c.min! + 0.3) < 1e-7 && Math.abs(c.max! - 0.4) < 1e-7);
    assert.ok(l.kind === "act" && l.fn === "leaky_relu" && Math.abs(l.alpha! - 0.3) < 1e-7);
    assert.ok(g.kind === "act" && g.fn === (opset >= 20 ? "gelu_tanh" : "sigmoid"));
    await roundTrip(model, opset);
  }
});

test("Softmax before opset 13 lowers only over the last axis (it flattens from `axis` on)", async () => {
  const b = new GraphBuilder("softmax11");
  const x = b.input("input", ["batch", 3, 4]);
  const last = b.node("/a", "Softmax", [x], { axis: attr.int(2) });
  const flat = b.node("/b", "Softmax", [x]); // default axis 1: softmax over all 12 values of a sample
  b.output(b.node("/s", "Add", [last, flat]), "output", ["batch", 3, 4]);
  const model = b.model(11);
  const { net } = lower(model);
  assert.deepEqual(net.layers.map((l) => l.kind), ["softmax", "opaque", "add"]);
  await roundTrip(model, 3);
});

test("Conv and pools with auto_pad lower to explicit pads", async () => {
  const r = rng(51);
  const b = new GraphBuilder("autopad");
  let x = b.input("input", ["batch", 2, 7, 7]);
  x = addConv(r, b, "/c", x, 2, 3, 4, 0, 2);
  const conv = b.nodes[b.nodes.length - 1];
  conv.attrs = { kernel_shape: attr.ints([4, 4]), strides: attr.ints([2, 2]), auto_pad: attr.string("SAME_UPPER") };
  x = b.node("/p", "MaxPool", [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([1, 1]), auto_pad: attr.string("SAME_LOWER") });
  x = b.node("/q", "AveragePool", [x], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(1) });
  x = b.node("/u", "Unsqueeze", [b.node("/g", "GlobalAveragePool", [x]), b.init("ax", i64([1], [1]))]);
  b.output(b.node("/sq", "Squeeze", [x, b.init("ax2", i64([1], [1]))]), "output", ["batch", 3, 1, 1]);
  const model = b.model(13);
  const { net } = lower(model);
  assert.deepEqual(net.layers.map((l) => l.kind), ["conv", "pool", "pool", "pool", "reshape", "reshape"]);
  const [c, p] = net.layers;
  assert.ok(c.kind === "conv" && c.pads.join() === "1,1,2,2", `conv pads ${c.kind === "conv" && c.pads}`);
  assert.ok(p.kind === "pool" && p.pads.join() === "1,1,0,0", `pool pads ${p.kind === "pool" && p.pads}`);
  await roundTrip(model, 4);
});

test("ops on values without a static per-sample shape stay opaque", async () => {
  const b = new GraphBuilder("seq");
  const x = b.input("input", ["batch", "seq", 4]);
  b.output(b.node("/r", "Relu", [x]), "output", ["batch", "seq", 4]);
  const model = b.model(13);
  const { net, report } = lower(model);
  assert.deepEqual(net.layers.map((l) => l.kind), ["opaque"]);
  assert.deepEqual(net.inputs[0].shape, [-1, 4]);
  assert.match(report.details.join("\n"), /per-sample/);
  await roundTrip(model, 5);
});
