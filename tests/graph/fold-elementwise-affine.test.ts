// fold-elementwise-affine: input normalisation ((x - mean) / std, c - x, x * s) folds into the Gemms or Convs that
// read it, an output scale into the Gemm (or the Gemms a Concat joins) before it, a per-channel op before a Flatten
// into the dense layer after it; the rest at the graph's input or output becomes a diagonal Gemm. Each rewrite is
// checked by running both graphs (interpreter and onnxruntime) and by lowering: the same Net as without the op.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Model } from "../../src/graph/graph.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { foldElementwiseAffine, normalize } from "../../src/graph/passes/index.ts";
import { rng, randnArray } from "../helpers/rng.ts";
import { addConv, addDense, GraphBuilder, i64, randomFeeds } from "../helpers/nets.ts";
import { assertEquivalent } from "./equiv.ts";
import { netShape } from "./net-shape.ts";

type Op = { op: "Add" | "Sub" | "Mul" | "Div"; shape: number[]; constLeft?: boolean };

/** Apply ops with random constants (away from 0) to x. */
function applyOps(b: GraphBuilder, r: () => number, x: string, ops: readonly Op[], tag: string): string {
  ops.forEach(({ op, shape, constLeft }, k) => {
    const n = shape.reduce((a, d) => a * d, 1);
    const c = b.init(`${tag}${k}`, f32(shape, randnArray(r, n).map((v) => (v >= 0 ? v + 0.5 : v - 0.5))));
    x = b.node(`/${tag}${k}`, op, constLeft ? [c, x] : [x, c]);
  });
  return x;
}

/** x [batch, 4] -> pre ops -> fc1 (6) -> Relu -> fc2 (3) -> post ops -> y. Without ops: the reference MLP. */
function mlp(pre: readonly Op[], post: readonly Op[], seed = 1): Model {
  const r = rng(seed);
  const b = new GraphBuilder("mlp");
  let x = applyOps(b, rng(seed + 100), b.input("x", ["batch", 4]), pre, "pre");
  x = b.node("/act", "Relu", [addDense(r, b, "/fc1", x, 4, 6, "gemm")]);
  x = applyOps(b, rng(seed + 200), addDense(r, b, "/fc2", x, 6, 3, "gemm"), post, "post");
  b.output(x, "y", ["batch", 3]);
  return b.model(13);
}

async function check(m: Model, ref: Model, label: string): Promise<void> {
  const { out, report } = foldElementwiseAffine.run(normalize(m).model);
  for (const op of ["Add", "Sub", "Mul", "Div"]) assert.equal(out.graph.nodes.filter((n) => n.op === op).length, 0, `${label}: ${report.summary}`);
  await assertEquivalent(m, out, randomFeeds(rng(7), m, 5), { label });
  assert.deepEqual(netShape(m), netShape(ref), label);
}

test("fold-elementwise-affine: input normalisation and output scales fold into the Gemms: same values, same Net", async () => {
  const cases: [string, Op[], Op[]][] = [
    ["(x - mean) / std", [{ op: "Sub", shape: [1, 4] }, { op: "Div", shape: [4] }], []],
    ["c - x, x * s", [{ op: "Sub", shape: [4], constLeft: true }, { op: "Mul", shape: [] }], []],
    ["scalar Add then Mul", [{ op: "Add", shape: [1] }, { op: "Mul", shape: [1, 1] }], []],
    ["y * s + t", [], [{ op: "Mul", shape: [3] }, { op: "Add", shape: [1, 3] }]],
    ["y / s - t, both sides", [{ op: "Div", shape: [4] }], [{ op: "Div", shape: [] }, { op: "Sub", shape: [3] }]],
  ];
  for (const seed of [1, 2]) for (const [label, pre, post] of cases) await check(mlp(pre, post, seed), mlp([], [], seed), label);
});

test("fold-elementwise-affine: a scale after a Concat of Gemms folds into each; at the input before a Slice it becomes a diagonal Gemm", async () => {
  const r = rng(5);
  const b = new GraphBuilder("two");
  const x = b.input("x", ["batch", 4]);
  const a = addDense(r, b, "/a", x, 4, 2, "gemm");
  const c = addDense(r, b, "/c", x, 4, 3, "gemm");
  const y = b.node("/cat", "Concat", [a, c], { axis: { kind: "int", value: 1 } });
  b.output(applyOps(b, rng(6), y, [{ op: "Mul", shape: [5] }], "s"), "y", ["batch", 5]);
  const m = b.model(13);
  const { out, report } = foldElementwiseAffine.run(m);
  assert.deepEqual(out.graph.nodes.map((n) => n.op), ["Gemm", "Gemm", "Concat"], report.summary);
  await assertEquivalent(m, out, randomFeeds(rng(7), m, 5));

  const b2 = new GraphBuilder("slice");
  const x2 = applyOps(b2, rng(8), b2.input("x", ["batch", 4]), [{ op: "Sub", shape: [4] }], "n");
  const s = b2.node("/slice", "Slice", [x2, b2.init("st", i64([1], [1])), b2.init("en", i64([1], [3]))]);
  b2.output(b2.node("/r", "Relu", [s]), "y", ["batch", 2]);
  const m2 = b2.model(13);
  const r2 = foldElementwiseAffine.run(m2);
  assert.deepEqual(r2.out.graph.nodes.map((n) => n.op), ["Gemm", "Slice", "Relu"], r2.report.summary);
  await assertEquivalent(m2, r2.out, randomFeeds(rng(9), m2, 5));
});

test("fold-elementwise-affine: per-channel scale before a padded Conv folds, a shift does not; per-channel ops before Flatten fold into the dense layer", async () => {
  const conv = (ops: Op[], flatten: boolean) => {
    const r = rng(11);
    const b = new GraphBuilder("cnn");
    let x = applyOps(b, rng(12), b.input("x", ["batch", 2, 5, 5]), ops, "n");
    if (flatten) {
      x = b.node("/flat", "Flatten", [x], { axis: { kind: "int", value: 1 } });
      x = addDense(r, b, "/fc", x, 50, 3, "gemm");
      b.output(x, "y", ["batch", 3]);
    } else {
      x = b.node("/r", "Relu", [addConv(r, b, "/conv", x, 2, 3, 3, 1)]);
      b.output(x, "y", ["batch", 3, 5, 5]);
    }
    return b.model(13);
  };
  for (const flatten of [false, true]) {
    const m = conv([{ op: "Div", shape: [2, 1, 1] }], flatten);
    const { out, report } = foldElementwiseAffine.run(m);
    assert.equal(out.graph.nodes.filter((n) => n.op === "Div").length, 0, report.summary);
    await assertEquivalent(m, out, randomFeeds(rng(13), m, 3));
    assert.deepEqual(netShape(m), netShape(conv([], flatten)));
  }
  const shifted = conv([{ op: "Sub", shape: [1, 2, 1, 1] }], false);
  assert.equal(foldElementwiseAffine.run(shifted).out.graph.nodes.filter((n) => n.op === "Sub").length, 1, "a shift before zero padding changes the border: kept");
  const flatShift = conv([{ op: "Sub", shape: [1, 2, 1, 1] }, { op: "Mul", shape: [2, 1, 1] }], true);
  const fs = foldElementwiseAffine.run(flatShift);
  assert.deepEqual(fs.out.graph.nodes.map((n) => n.op), ["Flatten", "Gemm"], fs.report.summary);
  await assertEquivalent(flatShift, fs.out, randomFeeds(rng(14), flatShift, 3));
});
