// Clip: bounds as attributes (opset < 11) and as optional scalar inputs (11+), dtype-range defaults.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { A, both, F, infer, random, run1, T, vals } from "./harness.ts";

describe("Clip", () => {
  const x = F([-3, -1, 0, 2, 5, NaN]);
  it("opset 6: min/max attributes", () => {
    assert.deepEqual(vals(run1("Clip", [x], { min: A.float(-1), max: A.float(2) }, 6)), [-1, -1, 0, 2, 2, NaN]);
    assert.deepEqual(vals(run1("Clip", [x], { max: A.float(0) }, 6)), [-3, -1, 0, 0, 0, NaN]);
  });

  it("opset 13: optional scalar inputs", () => {
    assert.deepEqual(vals(run1("Clip", [x, F([-1], []), F([2], [])])), [-1, -1, 0, 2, 2, NaN]);
    assert.deepEqual(vals(run1("Clip", [x, undefined, F([0], [])])), [-3, -1, 0, 0, 0, NaN]);
    assert.deepEqual(vals(run1("Clip", [x])), vals(x));
  });

  it("min > max sets everything to max", () => {
    assert.deepEqual(vals(run1("Clip", [F([-2, 0, 6]), F([2], []), F([1], [])])), [1, 1, 1]);
  });

  it("integer inputs default to their range", () => {
    assert.deepEqual(vals(run1("Clip", [T("int8", [-128, 0, 127]), T("int8", [-5], [])])), [-5, 0, 127]);
  });

  it("rejects non-scalar and mistyped bounds", () => {
    assert.throws(() => run1("Clip", [x, F([0, 1])]), /must be a scalar/);
    assert.throws(() => run1("Clip", [x, T("float64", [0])]), /type float64/);
    assert.throws(() => infer("Clip", [{ dtype: "float32", shape: [3] }, { dtype: "int64", shape: [] }]), /type int64/);
  });

  it("matches onnxruntime (seeded)", async () => {
    const r = rng(3);
    const [[ours], [ref]] = await both("Clip", [random(r, "float32", [5, 6]), F([-0.5], []), F([0.7], [])], {}, 13);
    assert.equal(mismatch(ours, ref), undefined);
  });
});
