// Max, Min, Sum, Mean: one or more inputs, broadcasting, NaN propagation, and agreement with onnxruntime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OpError } from "../../../src/errors.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { both, broadcastableTo, F, infer, random, randomShape, run1, T, vals } from "./harness.ts";

describe("variadic ops", () => {
  const a = F([1, 5, 3], [3, 1]);
  const b = F([4, 2]);
  const c = F([0]);
  it("three inputs broadcast to one shape", () => {
    assert.deepEqual(vals(run1("Max", [a, b, c])), [4, 2, 5, 5, 4, 3]);
    assert.deepEqual(vals(run1("Min", [a, b, c])), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(vals(run1("Sum", [a, b, c])), [5, 3, 9, 7, 7, 5]);
    assert.deepEqual(vals(run1("Mean", [a, b])), [2.5, 1.5, 4.5, 3.5, 3.5, 2.5]);
    assert.deepEqual(run1("Sum", [a, b, c]).shape, [3, 2]);
  });

  it("one input is a copy", () => {
    const y = run1("Max", [b]);
    assert.deepEqual(vals(y), [4, 2]);
    assert.notEqual(y.data, b.data);
  });

  it("NaN wins in Max and Min, as np.maximum", () => {
    assert.deepEqual(vals(run1("Max", [F([NaN, 1]), F([1, NaN])])), [NaN, NaN]);
    assert.deepEqual(vals(run1("Min", [F([NaN, 1]), F([1, NaN])])), [NaN, NaN]);
  });

  it("integers keep their dtype; Mean is float-only", () => {
    const y = run1("Max", [T("uint8", [1, 200]), T("uint8", [100, 3])]);
    assert.deepEqual([y.dtype, vals(y)], ["uint8", [100, 200]]);
    assert.throws(() => run1("Mean", [T("int32", [1])]), /type int32/);
  });

  it("errors name the problem", () => {
    assert.throws(() => run1("Sum", [F([1, 2]), F([1, 2, 3])]), OpError);
    assert.throws(() => run1("Sum", [F([1]), T("float64", [1])]), /different types/);
    assert.throws(() => run1("Max", []), /one or more inputs/);
    assert.deepEqual(infer("Min", [{ dtype: "float32", shape: ["N", 1] }, { dtype: "float32", shape: [3] }]), [{ dtype: "float32", shape: ["N", 3] }]);
  });

  for (const op of ["Max", "Min", "Sum", "Mean"]) {
    it(`${op} matches onnxruntime on random inputs (seeded)`, async () => {
      const r = rng(op.charCodeAt(1));
      for (let trial = 0; trial < 3; trial++) {
        const s = randomShape(r, 3);
        const ins = [random(r, "float32", s), random(r, "float32", broadcastableTo(r, s)), random(r, "float32", broadcastableTo(r, s))];
        const [[ours], [ref]] = await both(op, ins.slice(0, 1 + (trial % 3)), {}, 13);
        assert.equal(mismatch(ours, ref, 1e-6, 1e-6), undefined);
      }
    });
  }
});
