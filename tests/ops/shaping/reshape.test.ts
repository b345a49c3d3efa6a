// Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Identity: kernels on small hand-checked cases and
// their shape rules on symbolic dims.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OpError } from "../../../src/errors.ts";
import { A, i64, infer, iota, run, vals } from "./harness.ts";

describe("Reshape", () => {
  it("keeps the data and resolves 0 (copy) and -1 (infer)", () => {
    const [y] = run("Reshape", [iota([2, 3, 4]), i64([0, -1, 2])]);
    assert.deepEqual(y.shape, [2, 6, 2]);
    assert.deepEqual(vals(y), vals(iota([24])));
  });
  it("allowzero=1 makes 0 a real zero-size dim", () => {
    const [y] = run("Reshape", [iota([0, 3]), i64([3, 0])], { allowzero: A.int(1) }, 14);
    assert.deepEqual(y.shape, [3, 0]);
    // Before opset 14 the attribute does not exist and 0 copies the input dim.
    assert.deepEqual(run("Reshape", [iota([2, 3]), i64([0, 3])], {}, 13)[0].shape, [2, 3]);
  });
  it("reads the shape attribute before opset 5", () => {
    const [y] = run("Reshape", [iota([6])], { shape: A.ints([3, 2]) }, 1);
    assert.deepEqual(y.shape, [3, 2]);
  });
  it("rejects element-count mismatches and two -1s with an OpError naming the node", () => {
    assert.throws(() => run("Reshape", [iota([2, 3]), i64([4, -1])]), (e: unknown) => e instanceof OpError && /Reshape_test/.test(e.message));
    assert.throws(() => run("Reshape", [iota([2, 3]), i64([-1, -1])]), /more than one -1/);
    assert.throws(() => run("Reshape", [iota([2, 3]), i64([5])]), /element counts differ/);
  });
  it("shape rule: symbolic dims pass through 0 and cancel for -1", () => {
    const x = { dtype: "float32" as const, shape: ["batch", "seq", 768] };
    const [a] = infer("Reshape", [x, { dtype: "int64", shape: [4], value: i64([0, 0, 12, -1]) }]);
    assert.deepEqual(a.shape, ["batch", "seq", 12, 64]);
    const [b] = infer("Reshape", [x, { dtype: "int64", shape: [2], value: i64([-1, 768]) }]);
    assert.deepEqual(b.shape, [null, 768]); // batch*seq has no single name
    const [c] = infer("Reshape", [x, { dtype: "int64", shape: [3] }]);
    assert.deepEqual(c.shape, [null, null, null]); // only the rank is known
    const [d] = infer("Reshape", [{ dtype: "float32", shape: [2, 3, 4] }, { dtype: "int64", shape: [2], value: i64([4, -1]) }]);
    assert.deepEqual(d.shape, [4, 6]);
  });
});

describe("Flatten", () => {
  it("splits dims at axis (default 1, negative, 0 and rank allowed)", () => {
    const x = iota([2, 3, 4]);
    assert.deepEqual(run("Flatten", [x])[0].shape, [2, 12]);
    assert.deepEqual(run("Flatten", [x], { axis: A.int(-1) })[0].shape, [6, 4]);
    assert.deepEqual(run("Flatten", [x], { axis: A.int(0) })[0].shape, [1, 24]);
    assert.deepEqual(run("Flatten", [x], { axis: A.int(3) })[0].shape, [24, 1]);
    assert.throws(() => run("Flatten", [x], { axis: A.int(4) }), /out of range/);
  });
  it("shape rule keeps symbolic leading dims when they are alone", () => {
    const [y] = infer("Flatten", [{ dtype: "float32", shape: ["N", 16, 4, 4] }]);
    assert.deepEqual(y.shape, ["N", 256]);
  });
});

describe("Squeeze / Unsqueeze", () => {
  it("squeeze drops listed axes (attribute before 13, input after) or every 1", () => {
    const x = iota([1, 3, 1, 2]);
    assert.deepEqual(run("Squeeze", [x], { axes: A.ints([0]) }, 11)[0].shape, [3, 1, 2]);
    assert.deepEqual(run("Squeeze", [x, i64([-2])], {}, 13)[0].shape, [1, 3, 2]);
    assert.deepEqual(run("Squeeze", [x], {}, 13)[0].shape, [3, 2]);
    assert.deepEqual(run("Squeeze", [x, i64([])], {}, 13)[0].shape, [3, 2]);
    assert.throws(() => run("Squeeze", [x, i64([1])], {}, 13), /cannot squeeze axis 1 of size 3/);
  });
  it("unsqueeze inserts 1s at output positions, negative and unsorted allowed", () => {
    const x = iota([3, 4]);
    assert.deepEqual(run("Unsqueeze", [x], { axes: A.ints([0, 3]) }, 11)[0].shape, [1, 3, 4, 1]);
    assert.deepEqual(run("Unsqueeze", [x, i64([-1, 1])], {}, 13)[0].shape, [3, 1, 4, 1]);
    assert.throws(() => run("Unsqueeze", [x, i64([0, 0])], {}, 13), /repeat an axis/);
  });
  it("shape rules: squeeze without axes needs known dims; unsqueeze keeps symbols", () => {
    assert.equal(infer("Squeeze", [{ dtype: "float32", shape: ["b", 1] }], {}, 13)[0].shape, null);
    assert.deepEqual(infer("Squeeze", [{ dtype: "float32", shape: ["b", 1] }, { dtype: "int64", shape: [1], value: i64([1]) }], {}, 13)[0].shape, ["b"]);
    assert.deepEqual(infer("Unsqueeze", [{ dtype: "float32", shape: ["b", 5] }, { dtype: "int64", shape: [1], value: i64([1]) }], {}, 13)[0].shape, ["b", 1, 5]);
  });
});

describe("Transpose / Identity", () => {
  it("permutes axes; default reverses them", () => {
    const x = iota([2, 3]);
    const [y] = run("Transpose", [x]);
    assert.deepEqual(y.shape, [3, 2]);
    assert.deepEqual(vals(y), [0, 3, 1, 4, 2, 5]);
    const [z] = run("Transpose", [iota([2, 3, 4])], { perm: A.ints([1, 2, 0]) });
    assert.deepEqual(z.shape, [3, 4, 2]);
    // z[i,j,k] = x[k,i,j] = 12k + 4i + j
    assert.equal(vals(z)[(1 * 4 + 2) * 2 + 1], 12 + 4 + 2);
    assert.throws(() => run("Transpose", [x], { perm: A.ints([0, 0]) }), /not a permutation/);
  });
  it("works on strings and shape rule permutes symbols", () => {
    const s = { dtype: "string" as const, shape: [2], data: ["a", "b"] };
    assert.deepEqual(vals(run("Transpose", [{ ...s, shape: [1, 2] }])[0]), ["a", "b"]);
    assert.deepEqual(vals(run("Identity", [s])[0]), ["a", "b"]);
    assert.deepEqual(infer("Transpose", [{ dtype: "float32", shape: ["b", 3, 5] }], { perm: A.ints([2, 0, 1]) })[0].shape, [5, "b", 3]);
  });
});
