// Each normalize pass on graphs built to exercise it: it does its rewrite (node counts) and the graph still
// computes the same outputs (interpreter and onnxruntime, seeded random inputs).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Model } from "../../src/graph/graph.ts";
import { f32 } from "../../src/graph/tensor.ts";
import type { Pass } from "../../src/pipeline/pass.ts";
import { canonicalAffine, foldBatchNorm, foldConstants, removeIdentity, reshapeChains } from "../../src/graph/passes/index.ts";
import { MAX_FOLDED } from "../../src/graph/passes/fold-constants.ts";
import { isCanonicalGemm } from "../../src/graph/passes/canonical-affine.ts";
import { rng, randnArray } from "../helpers/rng.ts";
import { addBatchNorm, addConv, addDense, attr, GraphBuilder, i64, randomFeeds } from "../helpers/nets.ts";
import { assertEquivalent } from "./equiv.ts";

const count = (m: Model, op: string) => m.graph.nodes.filter((n) => n.op === op).length;

async function applyAndCheck(pass: Pass<Model, Model>, model: Model, seed = 1): Promise<Model> {
  const { out, report } = pass.run(model);
  assert.equal(report.pass, pass.name);
  await assertEquivalent(model, out, randomFeeds(rng(seed), model, 3), { label: `${pass.name} on ${model.graph.name}` });
  return out;
}

test("fold-constants: Constant nodes and constant subgraphs become initialisers", async () => {
  const r = rng(11);
  const b = new GraphBuilder("consts");
  const x = b.input("input", ["batch", 4]);
  const w = b.node("/w", "Constant", [], { value: attr.tensor(f32([4, 3], randnArray(r, 12))) });
  const wt = b.node("/w", "Transpose", [w], { perm: attr.ints([1, 0]) });
  const y = b.node("/fc", "Gemm", [x, wt, b.init("bias", f32([3], randnArray(r, 3)))], { transB: attr.int(1) });
  b.output(b.node("/act", "Relu", [y]), "output", ["batch", 3]);
  const out = await applyAndCheck(foldConstants, b.model(13));
  assert.equal(count(out, "Constant"), 0);
  assert.equal(count(out, "Transpose"), 0);
  assert.equal(out.graph.nodes.length, 2);
});

test("fold-constants: static shape plumbing folds, batch-dependent shapes do not", async () => {
  const b = new GraphBuilder("shapes");
  const x = b.input("input", ["batch", 2, 3, 3]);
  // Shape(x, start=1) is [2, 3, 3] whatever the batch: folds.
  const tail = b.node("/s", "Shape", [x], { start: attr.int(1) });
  const spec = b.node("/s", "Concat", [b.init("m1", i64([1], [-1])), tail], { axis: attr.int(0) });
  const y = b.node("/r", "Reshape", [x, spec]);
  // Shape(x)[0] is the batch: must stay computed.
  const n0 = b.node("/d", "Gather", [b.node("/d", "Shape", [y]), b.init("zero", i64([], [0]))], { axis: attr.int(0) });
  const spec2 = b.node("/d", "Concat", [b.node("/d", "Unsqueeze", [n0, b.init("ax", i64([1], [0]))]), b.init("m1b", i64([1], [-1]))], { axis: attr.int(0) });
  b.output(b.node("/f", "Reshape", [y, spec2]), "output", ["batch", 18]);
  const out = await applyAndCheck(foldConstants, b.model(15));
  assert.equal(count(out, "Shape"), 1, "the batch-dependent Shape is kept");
  assert.ok(out.graph.initializers.has(out.graph.nodes.find((n) => n.op === "Reshape")!.inputs[1]), "the static Reshape spec is a constant");
});

test("fold-constants: a fixed batch dim is treated as symbolic, so Shape of the input is not baked in", async () => {
  const b = new GraphBuilder("fixed");
  const x = b.input("input", [1, 6]);
  const s = b.node("/s", "Shape", [x]);
  b.output(b.node("/r", "Reshape", [x, s]), "output", [1, 6]);
  const out = await applyAndCheck(foldConstants, b.model(13));
  assert.equal(count(out, "Shape"), 1);
});

test("fold-constants: weights built by ConstantOfShape fold even past the size limit; other big constants do not", async () => {
  const b = new GraphBuilder("cos");
  const x = b.input("input", ["batch", 4, 6, 6]);
  const mk = (name: string, dims: number[], v: number) =>
    b.node(name, "ConstantOfShape", [b.init(`${name}_shape`, i64([dims.length], dims))], { value: attr.tensor(f32([1], [v])) });
  // 4 * 4 * 3 * 3 weights: small, but built by ConstantOfShape as the ONNX "light" models do.
  const y = b.node("/conv", "Conv", [x, mk("/w", [4, 4, 3, 3], 0.01), mk("/b", [4], 0.5)], { pads: attr.ints([1, 1, 1, 1]) });
  // A big constant read as data (not a parameter) stays a node.
  const big = mk("/big", [MAX_FOLDED + 1], 1);
  const sum = b.node("/sum", "ReduceSum", [big], { keepdims: attr.int(0) });
  b.output(b.node("/add", "Add", [y, sum]), "output", ["batch", 4, 6, 6]);
  const out = await applyAndCheck(foldConstants, b.model(13));
  const conv = out.graph.nodes.find((n) => n.op === "Conv")!;
  assert.ok(out.graph.initializers.has(conv.inputs[1]) && out.graph.initializers.has(conv.inputs[2]), "conv weights are initialisers");
  assert.equal(count(out, "ConstantOfShape"), 1, "the big non-parameter constant is kept");
  // The weight rule: ConstantOfShape over MAX_FOLDED elements feeding a Conv weight folds.
  const b2 = new GraphBuilder("cos-big");
  const x2 = b2.input("input", ["batch", 1]);
  const w2 = b2.node("/w", "ConstantOfShape", [b2.init("/w_shape", i64([2], [MAX_FOLDED / 512 + 1, 512]))], { value: attr.tensor(f32([1], [0.001])) });
  b2.output(b2.node("/fc", "MatMul", [b2.node("/e", "Expand", [x2, b2.init("e_shape", i64([2], [1, MAX_FOLDED / 512 + 1]))]), w2]), "output", ["batch", 512]);
  const { out: out2 } = foldConstants.run(b2.model(13));
  assert.equal(count(out2, "ConstantOfShape"), 0);
});

test("remove-identity: Identity and Dropout go, graph output names stay", async () => {
  const r = rng(12);
  const b = new GraphBuilder("ids");
  let x = b.input("input", ["batch", 5]);
  x = b.node("/i", "Identity", [x]);
  x = b.node("/a", "Relu", [x]);
  x = b.node("/d", "Dropout", [x, b.init("ratio", f32([], [0.5]))]);
  x = addDense(r, b, "/fc", x, 5, 3, "gemm");
  b.output(b.node("/o", "Identity", [x]), "output", ["batch", 3]);
  b.output(b.node("/o2", "Identity", ["input"]), "copy", ["batch", 5]);
  const out = await applyAndCheck(removeIdentity, b.model(13));
  assert.equal(count(out, "Dropout"), 0);
  assert.equal(count(out, "Identity"), 1, "only the input-to-output copy is kept");
  assert.deepEqual(out.graph.outputs.map((o) => o.name), ["output", "copy"]);
});

test("reshape-chains: transposes compose away, reshape runs become one constant Reshape", async () => {
  const r = rng(13);
  const b = new GraphBuilder("chains");
  let x = b.input("input", ["batch", 2, 3, 4]);
  x = b.node("/t", "Transpose", [x], { perm: attr.ints([0, 2, 1, 3]) });
  x = b.node("/t", "Transpose", [x], { perm: attr.ints([0, 2, 1, 3]) });
  x = b.node("/r", "Reshape", [x, b.init("s1", i64([2], [-1, 24]))]);
  x = b.node("/r", "Reshape", [x, b.init("s2", i64([3], [0, 6, 4]))]);
  x = b.node("/f", "Flatten", [x], { axis: attr.int(1) });
  x = b.node("/f", "Flatten", [x], { axis: attr.int(1) });
  x = addDense(r, b, "/fc", x, 24, 3, "gemm");
  b.output(x, "output", ["batch", 3]);
  const out = await applyAndCheck(reshapeChains, b.model(13));
  assert.equal(count(out, "Transpose"), 0);
  assert.equal(count(out, "Reshape") + count(out, "Flatten"), 1);
});

test("reshape-chains: transposes compose into one; no-op reshapes are removed", async () => {
  const b = new GraphBuilder("chains2");
  let x = b.input("input", ["batch", 2, 3, 4]);
  x = b.node("/t", "Transpose", [x], { perm: attr.ints([0, 2, 3, 1]) });
  x = b.node("/t", "Transpose", [x], { perm: attr.ints([0, 3, 1, 2]) });
  x = b.node("/t", "Transpose", [x], { perm: attr.ints([0, 1, 3, 2]) });
  x = b.node("/r", "Reshape", [x, b.init("same", i64([4], [-1, 2, 4, 3]))]);
  b.output(b.node("/a", "Relu", [x]), "output", ["batch", 2, 4, 3]);
  const out = await applyAndCheck(reshapeChains, b.model(13));
  assert.equal(count(out, "Transpose"), 1);
  assert.equal(count(out, "Reshape"), 0);
});

test("canonical-affine: Gemm variants, MatMul+Add and Conv+Add become canonical", async () => {
  const r = rng(14);
  const b = new GraphBuilder("affine");
  let x = b.input("input", ["batch", 4]);
  x = b.node("/g1", "Gemm", [x, b.init("B1", f32([4, 5], randnArray(r, 20))), b.init("C1", f32([1, 5], randnArray(r, 5)))], {
    alpha: attr.float(0.5), beta: attr.float(2), transB: attr.int(0),
  });
  const mm = b.node("/m", "MatMul", [x, b.init("W2", f32([5, 6], randnArray(r, 30)))]);
  x = b.node("/m", "Add", [b.init("b2", f32([6], randnArray(r, 6))), mm]);
  x = b.node("/g3", "Gemm", [x, b.init("B3", f32([8, 6], randnArray(r, 48)))], { transB: attr.int(1) });
  x = b.node("/g3", "Add", [x, b.init("b3", f32([1, 8], randnArray(r, 8)))]);
  x = b.node("/rs", "Reshape", [x, b.init("img", i64([4], [-1, 2, 2, 2]))]);
  x = addConv(r, b, "/conv", x, 2, 3, 1, 0, 1, false);
  x = b.node("/conv", "Add", [x, b.init("cb", f32([1, 3, 1, 1], randnArray(r, 3)))]);
  b.output(x, "output", ["batch", 3, 2, 2]);
  const out = await applyAndCheck(canonicalAffine, b.model(13));
  assert.equal(count(out, "MatMul"), 0);
  assert.equal(count(out, "Add"), 0);
  const gemms = out.graph.nodes.filter((n) => n.op === "Gemm");
  assert.equal(gemms.length, 3);
  for (const n of gemms) assert.ok(isCanonicalGemm(out.graph, n), `${n.name} is canonical`);
  assert.equal(out.graph.nodes.find((n) => n.op === "Conv")!.inputs.length, 3);
});

test("fold-batchnorm: into Conv and Gemm, and standalone on 2-D and 4-D values", async () => {
  const r = rng(15);
  const b = new GraphBuilder("bn");
  let x = b.input("input", ["batch", 2, 6, 6]);
  x = addBatchNorm(r, b, "/bn0", x, 2); // on the input: standalone, 4-D
  x = addBatchNorm(r, b, "/bn1", addConv(r, b, "/c1", x, 2, 3, 3, 1), 3);
  x = addBatchNorm(r, b, "/bn2", addConv(r, b, "/c2", x, 3, 3, 3, 1, 1, false), 3);
  const c3 = addConv(r, b, "/c3", x, 3, 3, 1, 0);
  // c3 is read twice: its BN cannot fold into it and becomes a depthwise Conv.
  x = b.node("/sum", "Add", [addBatchNorm(r, b, "/bn3", c3, 3), b.node("/c3", "Relu", [c3])]);
  x = b.node("", "Flatten", [x], { axis: attr.int(1) });
  x = addBatchNorm(r, b, "/bn4", addDense(r, b, "/fc", x, 108, 7, "gemm"), 7);
  x = addBatchNorm(r, b, "/bn5", b.node("/a", "Relu", [x]), 7); // after Relu on [N, 7]: a diagonal Gemm
  b.output(x, "output", ["batch", 7]);
  const model = b.model(13);
  const out = await applyAndCheck(foldBatchNorm, model);
  assert.equal(count(out, "BatchNormalization"), 0);
  assert.equal(count(out, "Conv"), 5, "3 convs plus 2 standalone BNs as depthwise convs");
  assert.equal(count(out, "Gemm"), 2);
});

test("fold-batchnorm: MatMul (no bias) then BN folds after canonical-affine", async () => {
  const r = rng(16);
  const b = new GraphBuilder("mmbn");
  let x = b.input("input", ["batch", 5]);
  x = addDense(r, b, "/fc", x, 5, 4, "matmul", false);
  x = addBatchNorm(r, b, "/bn", x, 4);
  b.output(x, "output", ["batch", 4]);
  const model = b.model(9);
  const mid = await applyAndCheck(canonicalAffine, model);
  const out = await applyAndCheck(foldBatchNorm, mid);
  assert.deepEqual(out.graph.nodes.map((n) => n.op), ["Gemm"]);
});
