// fold-channel-affine: Mul/Div/Add/Sub of a per-channel constant after a Conv fold into its weights and bias
// (checked by running both graphs with the interpreter and onnxruntime); other shapes, orders and sharing are kept.
// Also the Caffe2 batch norm (BatchNormalization, then Mul and Add) through the whole normalize pipeline.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Model } from "../../src/graph/graph.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { foldChannelAffine, normalize } from "../../src/graph/passes/index.ts";
import { rng, randnArray } from "../helpers/rng.ts";
import { addBatchNorm, GraphBuilder, randomFeeds } from "../helpers/nets.ts";
import { assertEquivalent } from "./equiv.ts";

const count = (m: Model, op: string) => m.graph.nodes.filter((n) => n.op === op).length;

/** x [batch, 2, 5, 4] -> Conv(3 channels, 3x3, pad 1) -> each op of `ops` with its constant -> Relu -> output. */
function convThen(ops: { op: string; shape: number[]; convLeft?: boolean }[], opts: { bias?: boolean; group?: boolean; seed?: number } = {}): Model {
  const r = rng(opts.seed ?? 3);
  const b = new GraphBuilder("conv-affine");
  const x = b.input("input", ["batch", 3, 5, 4]);
  const W = opts.group ? f32([3, 1, 3, 3], randnArray(r, 27)) : f32([3, 3, 3, 3], randnArray(r, 81));
  const ins = [x, b.init("w", W), ...(opts.bias === false ? [] : [b.init("bias", f32([3], randnArray(r, 3)))])];
  let y = b.node("/conv", "Conv", ins, { pads: { kind: "ints", value: [1, 1, 1, 1] }, ...(opts.group ? { group: { kind: "int", value: 3 } } : {}) });
  ops.forEach(({ op, shape, convLeft }, k) => {
    const size = shape.reduce((a, d) => a * d, 1);
    // Away from 0: a divisor of 0 is not folded, and small ones make the comparison ill-conditioned.
    const c = b.init(`c${k}`, f32(shape, randnArray(r, size).map((v) => (v >= 0 ? v + 0.5 : v - 0.5))));
    y = b.node(`/op${k}`, op, convLeft === false ? [c, y] : [y, c]);
  });
  b.output(b.node("/act", "Relu", [y]), "output", ["batch", 3, 5, 4]);
  return b.model(13);
}

async function check(model: Model, left: Record<string, number>): Promise<Model> {
  const { out, report } = foldChannelAffine.run(model);
  assert.equal(report.pass, "fold-channel-affine");
  for (const [op, k] of Object.entries(left)) assert.equal(count(out, op), k, `${op} left: ${report.summary}; ${report.details.join("; ")}`);
  await assertEquivalent(model, out, randomFeeds(rng(9), model, 3), { label: report.summary });
  return out;
}

test("fold-channel-affine: conv * s + t (the Caffe2 batch norm's tail) folds into the weights and bias", async () => {
  const out = await check(convThen([{ op: "Mul", shape: [3, 1, 1] }, { op: "Add", shape: [1, 3, 1, 1] }]), { Mul: 0, Add: 0, Conv: 1 });
  assert.deepEqual(out.graph.nodes.map((n) => n.op), ["Conv", "Relu"]);
  await check(convThen([{ op: "Mul", shape: [3, 1, 1] }], { bias: false }), { Mul: 0 });
  await check(convThen([{ op: "Mul", shape: [3, 1, 1], convLeft: false }, { op: "Add", shape: [3, 1, 1], convLeft: false }], { group: true }), { Mul: 0, Add: 0 });
  await check(convThen([{ op: "Div", shape: [3, 1, 1] }, { op: "Sub", shape: [1] }, { op: "Mul", shape: [] }]), { Div: 0, Sub: 0, Mul: 0 });
});

test("fold-channel-affine: constants that are not per channel, or the conv on the wrong side, are kept", async () => {
  await check(convThen([{ op: "Mul", shape: [3, 5, 4] }]), { Mul: 1 }); // varies over space
  await check(convThen([{ op: "Mul", shape: [1, 1, 3, 1, 1] }]), { Mul: 1 }); // broadcasts the output up a rank
  await check(convThen([{ op: "Div", shape: [3, 1, 1], convLeft: false }]), { Div: 1 }); // s / conv
  await check(convThen([{ op: "Sub", shape: [3, 1, 1], convLeft: false }]), { Sub: 1 }); // t - conv
  await check(convThen([{ op: "Add", shape: [3, 1, 1] }, { op: "Mul", shape: [3, 5, 1] }]), { Add: 0, Mul: 1 }); // stops at the first that cannot fold
});

test("fold-channel-affine: a conv read twice, or weights shared with another conv, stay right", async () => {
  const m = convThen([{ op: "Mul", shape: [3, 1, 1] }]);
  // A second reader of the conv's output: the Mul cannot fold.
  const conv = m.graph.nodes[0].outputs[0];
  m.graph.nodes.push({ name: "/tap", op: "Relu", domain: "", inputs: [conv], outputs: ["tap"], attrs: {} });
  m.graph.outputs.push({ name: "tap", dtype: "float32", shape: ["batch", 3, 5, 4] });
  await check(m, { Mul: 1 });
  // Two convs on the same weights, one scaled: the other keeps the original weights.
  const s = convThen([{ op: "Mul", shape: [3, 1, 1] }]);
  s.graph.nodes.push({ name: "/conv2", op: "Conv", domain: "", inputs: ["input", "w", "bias"], outputs: ["y2"], attrs: { pads: { kind: "ints", value: [1, 1, 1, 1] } } });
  s.graph.outputs.push({ name: "y2", dtype: "float32", shape: ["batch", 3, 5, 4] });
  await check(s, { Mul: 0, Conv: 2 });
});

test("normalize: Conv -> BatchNormalization -> Mul -> Add -> Relu (Caffe2) ends as one Conv and a Relu", async () => {
  const r = rng(11);
  const b = new GraphBuilder("caffe2-bn");
  const x = b.input("input", ["batch", 2, 6, 6]);
  let y = b.node("/conv", "Conv", [x, b.init("w", f32([4, 2, 3, 3], randnArray(r, 72)))], { pads: { kind: "ints", value: [1, 1, 1, 1] } });
  y = addBatchNorm(r, b, "/bn", y, 4);
  y = b.node("/scale", "Mul", [y, b.init("s", f32([4, 1, 1], randnArray(r, 4)))]);
  y = b.node("/shift", "Add", [y, b.init("t", f32([4, 1, 1], randnArray(r, 4)))]);
  b.output(b.node("/act", "Relu", [y]), "output", ["batch", 4, 6, 6]);
  const model = b.model(13);
  const { model: out, reports } = normalize(model);
  assert.deepEqual(out.graph.nodes.map((n) => n.op), ["Conv", "Relu"], reports.map((p) => `${p.pass}: ${p.summary}`).join("; "));
  await assertEquivalent(model, out, randomFeeds(rng(2), model, 3), { label: "caffe2 batch norm" });
});
