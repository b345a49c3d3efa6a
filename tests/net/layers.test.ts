// Every layer kind and option, built as a Net directly: runNet agrees with onnxruntime running lift(net), at
// opset 13 and at the older or newer opsets an opaque fragment forces (Clip, Softmax, Gelu change form there).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Graph } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/tensor.ts";
import type { ActFn, Layer, LayerBody, Net, PoolLayer } from "../../src/net/net.ts";
import { lift } from "../../src/net/lift.ts";
import { runNet } from "../../src/net/run.ts";
import { printNet } from "../../src/net/print.ts";
import { runModel } from "../../src/run/interp.ts";
import { ortRun } from "../../src/run/ort.ts";
import { UserError } from "../../src/errors.ts";
import { rng, randnArray } from "../helpers/rng.ts";
import { maxRelErr, randomFeeds } from "../helpers/nets.ts";

const r = rng(31);

function layer(id: string, inputs: string[], shape: number[], body: LayerBody): Layer {
  return { ...body, id, inputs, shape, dtype: "float32", origin: [] };
}

function affine(id: string, input: string, shape: number[], inF: number, out: number): Layer {
  return layer(id, [input], [...shape, out], {
    kind: "affine", W: randnArray(r, out * inF, 1 / Math.sqrt(inF)), b: randnArray(r, out, 0.1), inFeatures: inF, outFeatures: out,
  });
}

/** An opaque layer that only copies its input, at a given opset: forces lift to that opset. */
function identityOpaque(id: string, input: string, shape: number[], opset: number): Layer {
  const graph: Graph = {
    name: id, inputs: [{ name: "x", dtype: "float32", shape: null }], outputs: [{ name: "y", dtype: "float32", shape: null }],
    nodes: [{ name: "copy", op: "Identity", domain: "", inputs: ["x"], outputs: ["y"], attrs: {} }], initializers: new Map(), valueInfo: [],
  };
  return layer(id, [input], shape, { kind: "opaque", graph, opset: new Map([["", opset]]), reason: "test", perSample: true });
}

function vectorNet(opset?: number): Net {
  const acts: { fn: ActFn; alpha?: number; min?: number; max?: number }[] = [
    { fn: "relu" }, { fn: "leaky_relu", alpha: 0.2 }, { fn: "sigmoid" }, { fn: "tanh" }, { fn: "gelu" }, { fn: "gelu_tanh" },
    { fn: "exp" }, { fn: "abs" }, { fn: "clip", min: -0.5, max: 0.5 }, { fn: "clip", min: 0 }, { fn: "identity" },
  ];
  const layers: Layer[] = [affine("fc", opset ? "copy" : "x", [], 6, 8)];
  if (opset) layers.unshift(identityOpaque("copy", "x", [6], opset));
  acts.forEach((a, i) => layers.push(layer(`a${i}`, ["fc"], [8], { kind: "act", ...a })));
  layers.push(layer("cat", ["a0", "a4", "a8"], [24], { kind: "concat", axis: 0 }));
  layers.push(layer("sum", ["a1", "a2", "a3"], [8], { kind: "add" }));
  layers.push(layer("sm", ["a5"], [8], { kind: "softmax", log: false, axis: 0 }));
  layers.push(layer("lsm", ["a9"], [8], { kind: "softmax", log: true, axis: 0 }));
  const outs = ["cat", "sum", "sm", "lsm", "a6", "a7", "a10"];
  return { name: "vec", inputs: [{ name: "x", dtype: "float32", shape: [6], batchDim: "N" }], layers, outputs: outs.map((o) => ({ name: `out_${o}`, from: o })) };
}

function imageNet(): Net {
  const w = (n: number) => randnArray(r, n, 0.3);
  const pool = (mode: "max" | "avg", kernel: number[], strides: number[], pads: number[], extra: Partial<PoolLayer> = {}): PoolLayer => ({
    kind: "pool", mode, kernel, strides, pads, ceilMode: false, countIncludePad: false, dilations: [1, 1], ...extra,
  });
  const layers: Layer[] = [
    layer("conv", ["img"], [4, 4, 4], {
      kind: "conv", weight: w(4 * 1 * 9), bias: w(4), outChannels: 4, inChannels: 2, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], groups: 2,
    }),
    layer("dil", ["img"], [3, 3, 3], {
      kind: "conv", weight: w(3 * 2 * 4), bias: w(3), outChannels: 3, inChannels: 2, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1], dilations: [2, 2], groups: 1,
    }),
    layer("mp", ["conv"], [4, 2, 2], pool("max", [2, 2], [2, 2], [0, 0, 0, 0], { ceilMode: true, dilations: [2, 2] })),
    layer("ap", ["conv"], [4, 2, 2], pool("avg", [3, 3], [2, 2], [1, 1, 1, 1], { countIncludePad: true })),
    layer("ap2", ["dil"], [3, 2, 2], pool("avg", [2, 2], [1, 1], [0, 0, 0, 0])),
    layer("gap", ["mp"], [4, 1, 1], { ...pool("avg", [2, 2], [1, 1], [0, 0, 0, 0]), mode: "global_avg" }),
    layer("gmp", ["ap"], [4, 1, 1], { ...pool("max", [2, 2], [1, 1], [0, 0, 0, 0]), mode: "global_max" }),
    layer("cat", ["gap", "gmp"], [8, 1, 1], { kind: "concat", axis: 0 }),
    layer("flat", ["cat"], [8], { kind: "reshape" }),
    affine("head", "flat", [], 8, 3),
    layer("flat2", ["ap2"], [12], { kind: "reshape" }),
  ];
  return { name: "img", inputs: [{ name: "img", dtype: "float32", shape: [2, 7, 7], batchDim: "N" }], layers, outputs: [{ name: "y", from: "head" }, { name: "z", from: "flat2" }] };
}

function sequenceNet(): Net {
  const layers: Layer[] = [
    affine("proj", "seq", [3], 4, 5),
    layer("act", ["proj"], [3, 5], { kind: "act", fn: "relu" }),
    layer("smLast", ["act"], [3, 5], { kind: "softmax", log: false, axis: 1 }),
    layer("smFirst", ["act"], [3, 5], { kind: "softmax", log: true, axis: 0 }),
    layer("cat", ["smLast", "smFirst"], [3, 10], { kind: "concat", axis: 1 }),
  ];
  return { name: "seq", inputs: [{ name: "seq", dtype: "float32", shape: [3, 4], batchDim: "N" }], layers, outputs: [{ name: "y", from: "cat" }] };
}

function feedsFor(net: Net, seed: number): Record<string, Tensor> {
  const model = lift(net);
  return randomFeeds(rng(seed), model, 3);
}

async function assertAgrees(net: Net, label: string): Promise<void> {
  const model = lift(net);
  const feeds = feedsFor(net, 5);
  const direct = runNet(net, feeds).outputs;
  const ort = await ortRun(model, feeds);
  const interp = runModel(model, feeds);
  for (const o of net.outputs) {
    assert.ok(maxRelErr(direct[o.name], ort[o.name]) <= 1e-5, `${label}: '${o.name}' runNet vs onnxruntime rel ${maxRelErr(direct[o.name], ort[o.name])}`);
    assert.ok(maxRelErr(interp[o.name], ort[o.name]) <= 1e-5, `${label}: '${o.name}' interpreter vs onnxruntime rel ${maxRelErr(interp[o.name], ort[o.name])}`);
  }
}

test("vector layers (every activation, concat, add, softmax) agree with onnxruntime at opsets 13, 11 and 20", async () => {
  await assertAgrees(vectorNet(), "opset 13");
  assert.equal(lift(vectorNet()).opset.get(""), 13);
  for (const v of [11, 20]) {
    const net = vectorNet(v);
    assert.equal(lift(net).opset.get(""), v);
    await assertAgrees(net, `opset ${v}`);
  }
  assert.ok(lift(vectorNet(20)).graph.nodes.some((n) => n.op === "Gelu"));
  assert.ok(!lift(vectorNet()).graph.nodes.some((n) => n.op === "Gelu"), "Gelu is decomposed before opset 20");
});

test("image layers (grouped/dilated conv, pools with ceil/pads/dilations, global pools, reshape) agree with onnxruntime", async () => {
  await assertAgrees(imageNet(), "image");
});

test("sequence layers (affine over the last axis, softmax on either axis) agree with onnxruntime", async () => {
  await assertAgrees(sequenceNet(), "sequence");
  assert.ok(lift(sequenceNet()).graph.nodes.some((n) => n.op === "MatMul"));
});

test("lift refuses what the forced opset cannot express, with a clear error", () => {
  const net = sequenceNet();
  net.layers.unshift(identityOpaque("copy", "seq", [3, 4], 11));
  net.layers[1] = { ...net.layers[1], inputs: ["copy"] };
  assert.throws(() => lift(net), (e: unknown) => e instanceof UserError && /smFirst.*opset 13/.test(e.message));
});

test("runNet keeps the requested activations and frees the rest", () => {
  const net = imageNet();
  const feeds = feedsFor(net, 6);
  const all = runNet(net, feeds);
  assert.deepEqual(Object.keys(all.activations).sort(), net.layers.map((l) => l.id).sort());
  for (const l of net.layers) assert.deepEqual(all.activations[l.id].shape, [3, ...l.shape], l.id);
  const some = runNet(net, feeds, { keep: ["mp"] });
  assert.deepEqual(Object.keys(some.activations), ["mp"]);
  assert.deepEqual(some.activations.mp.data, all.activations.mp.data);
  assert.throws(() => runNet(net, {}), (e: unknown) => e instanceof UserError && /img/.test(e.message));
});

test("printNet names every layer, its inputs and shape", () => {
  const text = printNet(imageNet());
  for (const l of imageNet().layers) assert.match(text, new RegExp(`\\b${l.id}\\s+= .*\\(${l.inputs.join(", ")}\\) : \\[${l.shape.join(", ")}\\]`));
  assert.match(text, /conv 2->4 k3x3 s2x2 p1,1,1,1 groups 2/);
  assert.match(text, /output y <- head/);
});
