// Softmax/LogSoftmax: the opset < 13 "coerce to 2-D at axis" semantics vs the opset 13 single axis, stability
// with large inputs, and agreement with onnxruntime under both opsets.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { A, approx, both, F, infer, random, run1, T } from "./harness.ts";

describe("Softmax / LogSoftmax", () => {
  it("rows sum to one; large inputs stay finite", () => {
    assert.deepEqual(approx(run1("Softmax", [F([1, 2, 3, 1000, 1000, 1000], [2, 3])])), [0.09003, 0.24473, 0.66524, 0.33333, 0.33333, 0.33333]);
    assert.deepEqual(approx(run1("LogSoftmax", [F([1, 2, 3], [1, 3])])), [-2.40761, -1.40761, -0.40761]);
  });

  it("opset 11 axis=1 normalises over all trailing dims; opset 13 over one axis", () => {
    const x = F([0, 0, 0, 0], [1, 2, 2]);
    assert.deepEqual(approx(run1("Softmax", [x], { axis: A.int(1) }, 11)), [0.25, 0.25, 0.25, 0.25]);
    assert.deepEqual(approx(run1("Softmax", [x], { axis: A.int(1) }, 13)), [0.5, 0.5, 0.5, 0.5]);
    assert.deepEqual(approx(run1("Softmax", [x], {}, 11)), [0.25, 0.25, 0.25, 0.25]);
    assert.deepEqual(approx(run1("Softmax", [x], {}, 13)), [0.5, 0.5, 0.5, 0.5]);
  });

  it("errors and shape rule", () => {
    assert.throws(() => run1("Softmax", [F([1, 2])], { axis: A.int(1) }, 13), /axis 1 is out of range for rank 1/);
    assert.throws(() => run1("Softmax", [T("int32", [1])]), /type int32/);
    assert.deepEqual(infer("LogSoftmax", [{ dtype: "float32", shape: ["N", 10] }]), [{ dtype: "float32", shape: ["N", 10] }]);
  });

  for (const op of ["Softmax", "LogSoftmax"]) {
    for (const opset of [11, 13]) {
      it(`${op} opset ${opset} matches onnxruntime on every axis (seeded)`, async () => {
        const r = rng(opset + op.length);
        for (const axis of [0, 1, 2, -1]) {
          const [[ours], [ref]] = await both(op, [random(r, "float32", [2, 3, 4], 3)], { axis: A.int(axis) }, opset);
          assert.equal(mismatch(ours, ref, 1e-5, 1e-6), undefined, `axis ${axis}`);
        }
      });
    }
  }
});
