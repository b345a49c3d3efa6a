// Gather, GatherElements, GatherND, Concat and Split (every opset form of its part sizes).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../../src/graph/tensor.ts";
import { A, i64, infer, iota, run, vals } from "./harness.ts";

describe("Gather", () => {
  it("picks rows, negative indices count from the end", () => {
    const [y] = run("Gather", [iota([3, 2]), i64([2, -3, 2], [3])]);
    assert.deepEqual(y.shape, [3, 2]);
    assert.deepEqual(vals(y), [4, 5, 0, 1, 4, 5]);
  });
  it("on another axis with 2-D and scalar indices", () => {
    const [y] = run("Gather", [iota([2, 3]), i64([0, 2, 1, 1], [2, 2])], { axis: A.int(1) });
    assert.deepEqual(y.shape, [2, 2, 2]);
    assert.deepEqual(vals(y), [0, 2, 1, 1, 3, 5, 4, 4]);
    const [s] = run("Gather", [i64([7, 8, 9]), tensor("int32", [], [1])]);
    assert.deepEqual(s.shape, []);
    assert.deepEqual(vals(s), [8]);
  });
  it("gathers whole blocks of strings", () => {
    const x = tensor("string", [2, 2], ["a", "b", "c", "d"]);
    assert.deepEqual(vals(run("Gather", [x, i64([1, 0])])[0]), ["c", "d", "a", "b"]);
  });
  it("rejects out-of-range indices", () => {
    assert.throws(() => run("Gather", [iota([3]), i64([3])]), /index 3 is out of range for an axis of length 3/);
  });
  it("shape rule splices the index shape in", () => {
    const [y] = infer("Gather", [{ dtype: "float32", shape: [50257, 768] }, { dtype: "int64", shape: ["b", "s"] }]);
    assert.deepEqual(y.shape, ["b", "s", 768]);
  });
});

describe("GatherElements / GatherND", () => {
  it("GatherElements replaces the axis coordinate", () => {
    const [y] = run("GatherElements", [iota([2, 2]), i64([0, 0, 1, 0], [2, 2])], { axis: A.int(1) });
    assert.deepEqual(vals(y), [0, 0, 3, 2]);
    const [z] = run("GatherElements", [iota([3, 2]), i64([-1, 0], [1, 2])], { axis: A.int(0) });
    assert.deepEqual(vals(z), [4, 1]);
  });
  it("GatherND with and without batch_dims", () => {
    const [y] = run("GatherND", [iota([2, 2]), i64([0, 0, 1, 1], [2, 2])]);
    assert.deepEqual(vals(y), [0, 3]);
    const [r] = run("GatherND", [iota([2, 2]), i64([1, 0], [2, 1])]);
    assert.deepEqual(r.shape, [2, 2]);
    assert.deepEqual(vals(r), [2, 3, 0, 1]);
    const [b] = run("GatherND", [iota([2, 2, 2]), i64([1, 0], [2, 1])], { batch_dims: A.int(1) });
    assert.deepEqual(b.shape, [2, 2]);
    assert.deepEqual(vals(b), [2, 3, 4, 5]);
  });
});

describe("Concat", () => {
  it("joins along an axis, including empty parts and strings", () => {
    const [y] = run("Concat", [iota([2, 1]), iota([2, 0]), iota([2, 2])], { axis: A.int(-1) });
    assert.deepEqual(y.shape, [2, 3]);
    assert.deepEqual(vals(y), [0, 0, 1, 1, 2, 3]);
    const s = (v: string[]) => tensor("string", [v.length], v);
    assert.deepEqual(vals(run("Concat", [s(["a"]), s(["b", "c"])], { axis: A.int(0) })[0]), ["a", "b", "c"]);
  });
  it("defaults axis to 1 before opset 4 and requires it after", () => {
    assert.deepEqual(run("Concat", [iota([1, 2]), iota([1, 2])], {}, 1)[0].shape, [1, 4]);
    assert.throws(() => run("Concat", [iota([1, 2]), iota([1, 2])], {}, 13), /'axis' attribute is required/);
  });
  it("rejects mismatched dims", () => {
    assert.throws(() => run("Concat", [iota([2, 2]), iota([3, 2])], { axis: A.int(1) }), /cannot concat/);
  });
  it("shape rule sums the axis and unifies symbols", () => {
    const [y] = infer("Concat", [{ dtype: "float32", shape: ["b", 2] }, { dtype: "float32", shape: [null, 3] }], { axis: A.int(1) });
    assert.deepEqual(y.shape, ["b", 5]);
  });
});

describe("Split", () => {
  const x = iota([7]);
  const sizes = (ts: { shape: number[] }[]) => ts.map((t) => t.shape[0]);
  it("explicit sizes: attribute before 13, input from 13", () => {
    assert.deepEqual(sizes(run("Split", [x], { split: A.ints([2, 5]) }, 11, 2)), [2, 5]);
    assert.deepEqual(sizes(run("Split", [x, i64([3, 4])], {}, 13, 2)), [3, 4]);
    assert.deepEqual(vals(run("Split", [x, i64([3, 0, 4])], {}, 13, 3)[2]), [3, 4, 5, 6]);
    assert.deepEqual(sizes(run("Split", [x, i64([1, 6])], {}, 1, 2)), [1, 6]);
  });
  it("equal parts, and opset 18 num_outputs with a smaller last chunk", () => {
    assert.deepEqual(sizes(run("Split", [iota([6])], {}, 13, 3)), [2, 2, 2]);
    assert.deepEqual(sizes(run("Split", [x], { num_outputs: A.int(3) }, 18, 3)), [3, 3, 1]);
    assert.throws(() => run("Split", [x], {}, 13, 3), /does not split into 3 equal parts/);
    assert.throws(() => run("Split", [x, i64([3, 3])], {}, 13, 2), /summing to 7/);
  });
  it("splits a middle axis", () => {
    const outs = run("Split", [iota([2, 3])], { axis: A.int(1), split: A.ints([1, 2]) }, 11, 2);
    assert.deepEqual(vals(outs[0]), [0, 3]);
    assert.deepEqual(vals(outs[1]), [1, 2, 4, 5]);
  });
  it("shape rule", () => {
    const outs = infer("Split", [{ dtype: "float32", shape: ["b", 10] }], { axis: A.int(1), num_outputs: A.int(3) }, 18, 3);
    assert.deepEqual(outs.map((o) => o.shape), [["b", 4], ["b", 4], ["b", 2]]);
  });
});
