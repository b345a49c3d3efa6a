// ArgMax/ArgMin: axis, keepdims, select_last_index, int64 output, and agreement with onnxruntime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { A, both, F, infer, random, run1, T, vals } from "./harness.ts";

describe("ArgMax / ArgMin", () => {
  const x = F([2, 1, 2, 0, 5, 0], [2, 3]);
  it("default axis 0 with keepdims", () => {
    const y = run1("ArgMax", [x]);
    assert.deepEqual([y.dtype, y.shape, vals(y)], ["int64", [1, 3], [0, 1, 0]]);
  });

  it("axis 1 / -1, keepdims 0, ties to first or last", () => {
    assert.deepEqual(vals(run1("ArgMax", [x], { axis: A.int(1), keepdims: A.int(0) })), [0, 1]);
    assert.deepEqual(vals(run1("ArgMax", [x], { axis: A.int(-1), select_last_index: A.int(1) })), [2, 1]);
    assert.deepEqual(vals(run1("ArgMin", [x], { axis: A.int(1) })), [1, 0]);
    assert.deepEqual(vals(run1("ArgMin", [x], { axis: A.int(1), select_last_index: A.int(1) })), [1, 2]);
  });

  it("NaN counts as the extreme, like numpy", () => {
    assert.deepEqual(vals(run1("ArgMax", [F([1, NaN, 3])])), [1]);
    assert.deepEqual(vals(run1("ArgMin", [F([1, NaN, -3])])), [1]);
  });

  it("integer inputs; errors and shape rule", () => {
    assert.deepEqual(vals(run1("ArgMax", [T("uint8", [3, 200, 7])])), [1]);
    assert.throws(() => run1("ArgMax", [x], { axis: A.int(2) }), /axis 2 is out of range/);
    assert.throws(() => run1("ArgMax", [F([], [0, 2])]), /axis 0 of size 0/);
    assert.deepEqual(infer("ArgMin", [{ dtype: "float32", shape: ["N", 10] }], { axis: A.int(1), keepdims: A.int(0) }), [{ dtype: "int64", shape: ["N"] }]);
  });

  for (const op of ["ArgMax", "ArgMin"]) {
    it(`${op} matches onnxruntime (seeded)`, async () => {
      const r = rng(op.length + 40);
      for (const axis of [0, 1, 2, -1]) {
        const input = random(r, "float32", [3, 4, 5]);
        const attrs = { axis: A.int(axis), keepdims: A.int(axis & 1), select_last_index: A.int(axis < 0 ? 1 : 0) };
        const [[ours], [ref]] = await both(op, [input], attrs, 13);
        assert.equal(mismatch(ours, ref), undefined, `axis ${axis}`);
      }
    });
  }
});
