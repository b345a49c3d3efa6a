// Shape rules along a chain: the Shape -> Gather -> Unsqueeze -> Concat -> Reshape plumbing that GPT-2 and
// PyTorch `x.view(x.size(0), -1)` exports are made of must fold to exact shapes when dims are known.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Dim, Node } from "../../../src/graph/graph.ts";
import type { Tensor } from "../../../src/graph/tensor.ts";
import type { ShapeInfo } from "../../../src/ops/op.ts";
import { findOp } from "../../../src/ops/registry.ts";
import { A, i64, vals } from "./harness.ts";

/** Propagate shape infos through nodes in order with the ops' shape rules. */
function propagate(nodes: Node[], env: Map<string, ShapeInfo>, opset = 13): Map<string, ShapeInfo> {
  for (const n of nodes) {
    const outs = findOp(n.op)!.shape(n.inputs.map((v) => (v ? env.get(v) : undefined)), { node: n, opset });
    n.outputs.forEach((o, k) => env.set(o, outs[k]));
  }
  return env;
}

const node = (op: string, inputs: string[], output: string, attrs: Node["attrs"] = {}): Node =>
  ({ name: output, op, domain: "", inputs, outputs: [output], attrs });
const constInfo = (t: Tensor): ShapeInfo => ({ dtype: t.dtype, shape: [...t.shape], value: t });

/** GPT-2's split-heads: view(x.size(0), x.size(1), 12, 64), then permute(0, 2, 1, 3). */
const splitHeads: Node[] = [
  node("Shape", ["x"], "s"),
  node("Gather", ["s", "zero"], "b", { axis: A.int(0) }),
  node("Gather", ["s", "one"], "n", { axis: A.int(0) }),
  node("Unsqueeze", ["b", "axes0"], "ub"),
  node("Unsqueeze", ["n", "axes0"], "un"),
  node("Concat", ["ub", "un", "heads", "dhead"], "shape", { axis: A.int(0) }),
  node("Reshape", ["x", "shape"], "xr"),
  node("Transpose", ["xr"], "xt", { perm: A.ints([0, 2, 1, 3]) }),
];

function start(x: Dim[]): Map<string, ShapeInfo> {
  return new Map<string, ShapeInfo>([
    ["x", { dtype: "float32", shape: x }],
    ["zero", constInfo(i64([0], []))],
    ["one", constInfo(i64([1], []))],
    ["axes0", constInfo(i64([0]))],
    ["heads", constInfo(i64([12]))],
    ["dhead", constInfo(i64([64]))],
  ]);
}

describe("shape plumbing folds", () => {
  it("to exact shapes and values when the input dims are known", () => {
    const env = propagate(splitHeads, start([2, 5, 768]));
    assert.deepEqual(vals(env.get("shape")!.value!), [2, 5, 12, 64]);
    assert.deepEqual(env.get("xr")!.shape, [2, 5, 12, 64]);
    assert.deepEqual(env.get("xt")!.shape, [2, 12, 5, 64]);
    assert.equal(env.get("xt")!.value, undefined, "data values are not invented");
  });
  it("to ranks and known dims when the input dims are symbolic", () => {
    const env = propagate(splitHeads, start(["batch", "seq", 768]));
    assert.deepEqual(env.get("s")!.shape, [3]);
    assert.deepEqual(env.get("b")!.shape, []);
    assert.deepEqual(env.get("shape")!.shape, [4]);
    assert.deepEqual(env.get("xt")!.shape, [null, null, null, null]);
  });
  it("through Slice, Squeeze, ConstantOfShape, Range and Expand", () => {
    const nodes = [
      node("Shape", ["x"], "s"),
      node("Slice", ["s", "one1", "two1"], "s1"), // [seq]
      node("Squeeze", ["s1"], "seq"),
      node("Range", ["zero", "seq", "one"], "pos"),
      node("ConstantOfShape", ["s"], "ones", { value: A.tensor(i64([1])) }),
      node("Expand", ["pos", "s1"], "posx"),
    ];
    const env = start([1, 7, 16]);
    env.set("one1", constInfo(i64([1])));
    env.set("two1", constInfo(i64([2])));
    propagate(nodes, env);
    assert.deepEqual(vals(env.get("seq")!.value!), [7]);
    assert.deepEqual(vals(env.get("pos")!.value!), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(env.get("ones")!.shape, [1, 7, 16]);
    assert.equal(env.get("ones")!.value!.dtype, "int64");
    assert.deepEqual(env.get("posx")!.shape, [7]);
  });
  it("but does not fold large constants (only shape-sized values)", () => {
    const env = start([1]);
    env.set("big", constInfo(i64([100, 100])));
    propagate([node("ConstantOfShape", ["big"], "z")], env);
    assert.deepEqual(env.get("z")!.shape, [100, 100]);
    assert.equal(env.get("z")!.value, undefined);
  });
});
