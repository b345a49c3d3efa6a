// lower (Graph -> Net) and lift (Net -> Graph): lift(lower(g)) computes what g computes, by the interpreter and
// by onnxruntime; runNet agrees; exporter-style nets lower without opaque layers; opaque grouping is sound.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Model } from "../../src/graph/graph.ts";
import { f32, type Tensor } from "../../src/graph/tensor.ts";
import { normalize } from "../../src/graph/passes/index.ts";
import { lower } from "../../src/net/lower.ts";
import { lift, LIFT_OPSET } from "../../src/net/lift.ts";
import { runNet } from "../../src/net/run.ts";
import type { Net } from "../../src/net/net.ts";
import { runModel } from "../../src/run/interp.ts";
import { ortRun } from "../../src/run/ort.ts";
import { rng, randnArray } from "../helpers/rng.ts";
import { addDense, GraphBuilder, maxRelErr, randomFeeds, randomNetCases } from "../helpers/nets.ts";

const TOL = 1e-5;

/** Assert lift(net) and runNet(net) reproduce the model's outputs (interpreter and onnxruntime). */
async function assertRoundTrip(model: Model, net: Net, feeds: Record<string, Tensor>, label: string): Promise<Model> {
  const lifted = lift(net);
  const ref = runModel(model, feeds);
  const viaLift = runModel(lifted, feeds);
  const viaNet = runNet(net, feeds).outputs;
  const ortRef = await ortRun(model, feeds);
  const ortLift = await ortRun(lifted, feeds);
  for (const o of Object.keys(ref)) {
    assert.ok(maxRelErr(viaLift[o], ref[o]) <= TOL, `${label}: interpreter on lift differs for '${o}' (rel ${maxRelErr(viaLift[o], ref[o])})`);
    assert.ok(maxRelErr(viaNet[o], ref[o]) <= TOL, `${label}: runNet differs for '${o}' (rel ${maxRelErr(viaNet[o], ref[o])})`);
    assert.ok(maxRelErr(ortLift[o], ortRef[o]) <= TOL, `${label}: onnxruntime on lift differs for '${o}' (rel ${maxRelErr(ortLift[o], ortRef[o])})`);
  }
  return lifted;
}

test("normalized random nets lower to layers only, and lift back exactly", async () => {
  for (const { name, model } of randomNetCases(4)) {
    const { net, report } = lower(normalize(model).model);
    assert.equal(net.layers.filter((l) => l.kind === "opaque").length, 0, `${name}: ${report.details.join("; ")}`);
    assert.ok(net.layers.some((l) => l.kind === "affine"), name);
    assert.equal(new Set(net.layers.map((l) => l.id)).size, net.layers.length, `${name}: ids unique`);
    assert.ok(net.layers.every((l) => !l.id.includes(":")), `${name}: ids have no ':'`);
    const lifted = await assertRoundTrip(model, net, randomFeeds(rng(5), model, 4), name);
    assert.ok(lifted.opset.get("")! >= LIFT_OPSET);
  }
});

test("un-normalized random nets lower (BatchNorm and Dropout opaque) and lift back exactly", async () => {
  for (const { name, model } of randomNetCases(5).slice(0, 5)) {
    const { net } = lower(model);
    await assertRoundTrip(model, net, randomFeeds(rng(6), model, 3), `raw ${name}`);
  }
});

test("layer shapes and kinds follow the graph: conv [C,H,W], pool, reshape, affine [units]", () => {
  const model = randomNetCases(1).find((c) => c.name === "cnn-flatten-bn")!.model;
  const { net } = lower(normalize(model).model);
  assert.deepEqual(net.layers.map((l) => l.kind), ["conv", "act", "pool", "conv", "act", "pool", "reshape", "affine", "act", "affine"]);
  assert.deepEqual(net.layers[0].shape, [4, 8, 8]);
  assert.deepEqual(net.layers[2].shape, [4, 4, 4]);
  assert.deepEqual(net.layers[6].shape, [24]);
  assert.deepEqual(net.inputs, [{ name: "input", dtype: "float32", shape: [2, 8, 8], batchDim: "batch" }]);
  assert.equal(net.outputs[0].from, net.layers[9].id);
});

test("un-lowerable nodes group into opaque layers between lowered ones", async () => {
  const r = rng(21);
  const b = new GraphBuilder("mixed");
  let x = b.input("input", ["batch", 4]);
  x = addDense(r, b, "/fc1", x, 4, 6, "gemm");
  x = b.node("/g", "Erf", [b.node("/g", "Mul", [x, b.init("c", f32([], [0.7]))])]);
  x = addDense(r, b, "/fc2", x, 6, 3, "gemm");
  b.output(x, "output", ["batch", 3]);
  const model = b.model(13);
  const { net, report } = lower(model);
  assert.deepEqual(net.layers.map((l) => l.kind), ["affine", "opaque", "affine"]);
  const op = net.layers[1];
  assert.ok(op.kind === "opaque" && op.graph.nodes.length === 2 && op.perSample);
  assert.ok(report.details.some((d) => d.includes(op.id) && d.includes("Erf")), report.details.join("\n"));
  await assertRoundTrip(model, net, randomFeeds(rng(1), model, 3), "mixed");
});

test("an opaque region read by two layers is split without duplicating nodes", async () => {
  const r = rng(22);
  const b = new GraphBuilder("shared");
  const x = b.input("input", ["batch", 4]);
  const e = b.node("/enc", "Erf", [b.node("/enc", "Mul", [x, b.init("c", f32([], [0.5]))])]);
  const h1 = addDense(r, b, "/head1", e, 4, 3, "gemm");
  const h2 = addDense(r, b, "/head2", b.node("/n", "Neg", [e]), 4, 3, "gemm");
  b.output(h1, "out1", ["batch", 3]);
  b.output(h2, "out2", ["batch", 3]);
  const model = b.model(13);
  const { net } = lower(model);
  const names = net.layers.flatMap((l) => (l.kind === "opaque" ? l.graph.nodes.map((n) => n.name) : []));
  assert.deepEqual([...names].sort(), ["/enc/Erf", "/enc/Mul", "/n/Neg"]);
  await assertRoundTrip(model, net, randomFeeds(rng(2), model, 3), "shared");
});

test("a path leaving an opaque region through a layer and coming back yields an acyclic Net", async () => {
  const r = rng(23);
  const b = new GraphBuilder("loop");
  const x = b.input("input", ["batch", 5]);
  const m = b.node("/m", "Mul", [x, b.init("c", f32([5], randnArray(r, 5)))]);
  const a = addDense(r, b, "/fc", m, 5, 5, "gemm");
  b.output(b.node("/s", "Sub", [m, a]), "output", ["batch", 5]);
  const model = b.model(13);
  const { net } = lower(model);
  assert.deepEqual(net.layers.map((l) => l.kind), ["opaque", "affine", "opaque"]);
  const seen = new Set(net.inputs.map((i) => i.name));
  for (const l of net.layers) {
    for (const i of l.inputs) assert.ok(seen.has(i), `${l.id} reads ${i} before it is computed`);
    seen.add(l.id);
  }
  await assertRoundTrip(model, net, randomFeeds(rng(3), model, 3), "loop");
});

test("graph outputs that are inputs or constants survive lowering and lifting", async () => {
  const r = rng(24);
  const b = new GraphBuilder("passthrough");
  const x = b.input("input", ["batch", 3]);
  b.output(b.node("/a", "Relu", [addDense(r, b, "/fc", x, 3, 2, "gemm")]), "y", ["batch", 2]);
  b.init("k", f32([2, 2], [1, 2, 3, 4]));
  const model = b.model(13);
  model.graph.outputs.push({ name: "input", dtype: "float32", shape: ["batch", 3] });
  model.graph.outputs.push({ name: "k", dtype: "float32", shape: [2, 2] });
  const { net } = lower(model);
  assert.deepEqual(net.outputs.map((o) => o.from).slice(0, 2), [net.layers[1].id, "input"]);
  const feeds = randomFeeds(rng(4), model, 2);
  const lifted = lift(net);
  for (const run of [runModel(lifted, feeds), await ortRun(lifted, feeds), runNet(net, feeds).outputs]) {
    assert.deepEqual(Array.from(run.k.data as Float32Array), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(run.input.data as Float32Array), Array.from(feeds.input.data as Float32Array));
  }
  model.graph.outputs.pop(); // onnxruntime may refuse an initialiser as a graph output: compare the rest
  await assertRoundTrip(model, lower(model).net, feeds, "passthrough");
});
