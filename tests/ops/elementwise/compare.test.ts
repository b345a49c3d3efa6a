// Comparisons, logic and Where: bool results, broadcasting, strings, and agreement with onnxruntime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { both, broadcastableTo, F, infer, random, randomShape, run1, T, vals } from "./harness.ts";

describe("comparisons", () => {
  const a = F([1, 2, 3, NaN]);
  const b = F([2]);
  it("return bool, broadcasting; NaN compares false", () => {
    const cases: [string, number[]][] = [
      ["Equal", [0, 1, 0, 0]], ["Greater", [0, 0, 1, 0]], ["Less", [1, 0, 0, 0]],
      ["GreaterOrEqual", [0, 1, 1, 0]], ["LessOrEqual", [1, 1, 0, 0]],
    ];
    for (const [op, want] of cases) {
      const y = run1(op, [a, b], {}, 16);
      assert.equal(y.dtype, "bool", op);
      assert.deepEqual(vals(y), want, op);
    }
  });

  it("Equal on bools, ints and strings", () => {
    assert.deepEqual(vals(run1("Equal", [T("bool", [1, 0]), T("bool", [1, 1])])), [1, 0]);
    assert.deepEqual(vals(run1("Equal", [T("uint64", [5, 6]), T("uint64", [5])])), [1, 0]);
    assert.deepEqual(vals(run1("Equal", [T("string", ["a", "b", "c"]), T("string", ["b"])], {}, 19)), [0, 1, 0]);
    assert.throws(() => run1("Equal", [T("string", ["a"]), F([1])], {}, 19), /different types/);
    assert.deepEqual(infer("Equal", [{ dtype: "string", shape: ["N"] }, { dtype: "string", shape: [1] }], {}, 19), [{ dtype: "bool", shape: ["N"] }]);
  });

  it("shape rule gives bool and checks shapes", () => {
    assert.deepEqual(infer("Less", [{ dtype: "int64", shape: ["N", 4] }, { dtype: "int64", shape: [4] }]), [{ dtype: "bool", shape: ["N", 4] }]);
    assert.throws(() => infer("Greater", [{ dtype: "int64", shape: [3] }, { dtype: "int64", shape: [4] }]), /cannot be broadcast/);
  });

  for (const op of ["Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual"]) {
    it(`${op} matches onnxruntime on random int32 inputs (seeded)`, async () => {
      const r = rng(op.length);
      for (let trial = 0; trial < 3; trial++) {
        const s = randomShape(r, 3);
        const [[ours], [ref]] = await both(op, [random(r, "int32", s, 1, 0, 3), random(r, "int32", broadcastableTo(r, s), 1, 0, 3)], {}, 16);
        assert.equal(mismatch(ours, ref), undefined);
      }
    });
  }
});

describe("logic", () => {
  const p = T("bool", [1, 1, 0, 0]);
  const q = T("bool", [1, 0, 1, 0]);
  it("And, Or, Xor, Not truth tables", () => {
    assert.deepEqual(vals(run1("And", [p, q])), [1, 0, 0, 0]);
    assert.deepEqual(vals(run1("Or", [p, q])), [1, 1, 1, 0]);
    assert.deepEqual(vals(run1("Xor", [p, q])), [0, 1, 1, 0]);
    assert.deepEqual(vals(run1("Not", [p])), [0, 0, 1, 1]);
    assert.throws(() => run1("And", [F([1]), F([1])]), /type float32/);
  });

  it("broadcast like arithmetic", () => {
    const y = run1("Or", [T("bool", [1, 0], [2, 1]), T("bool", [0, 1, 0], [1, 3])]);
    assert.deepEqual([y.shape, vals(y)], [[2, 3], [1, 1, 1, 0, 1, 0]]);
  });
});

describe("Where", () => {
  it("selects with broadcasting across all three inputs", () => {
    const y = run1("Where", [T("bool", [1, 0], [2, 1]), F([1, 2, 3]), F([-1])]);
    assert.deepEqual([y.shape, vals(y)], [[2, 3], [1, 2, 3, -1, -1, -1]]);
  });

  it("works on strings and int64", () => {
    assert.deepEqual(vals(run1("Where", [T("bool", [1, 0]), T("string", ["a", "b"]), T("string", ["x", "y"])])), ["a", "y"]);
    assert.deepEqual(vals(run1("Where", [T("bool", [0, 1]), T("int64", [5]), T("int64", [7, 8])])), [7, 5]);
  });

  it("rejects a non-bool condition and mixed x/y types", () => {
    assert.throws(() => run1("Where", [F([1]), F([1]), F([2])]), /condition has type float32/);
    assert.throws(() => run1("Where", [T("bool", [1]), F([1]), T("int64", [2])]), /different types/);
    assert.deepEqual(infer("Where", [{ dtype: "bool", shape: ["N", 1] }, { dtype: "float32", shape: [5] }, { dtype: "float32", shape: [] }]),
      [{ dtype: "float32", shape: ["N", 5] }]);
  });

  it("matches onnxruntime on random shapes (seeded)", async () => {
    const r = rng(99);
    for (let trial = 0; trial < 4; trial++) {
      const s = randomShape(r, 3);
      const ins = [random(r, "bool", broadcastableTo(r, s)), random(r, "float32", s), random(r, "float32", broadcastableTo(r, s))];
      const [[ours], [ref]] = await both("Where", ins, {}, 16);
      assert.equal(mismatch(ours, ref), undefined);
    }
  });
});
