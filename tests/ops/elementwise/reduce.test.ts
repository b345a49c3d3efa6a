// Reduce*: axes as attribute (old opsets) or input (ReduceSum 13+, others 18+), keepdims, noop_with_empty_axes,
// empty sets, integer and bool inputs, shape rules, and agreement with onnxruntime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { A, both, F, infer, random, run1, T, vals } from "./harness.ts";

const axes = (...a: number[]) => T("int64", a);
const x = F([1, 2, 3, 4, 5, 6], [2, 3]);

describe("Reduce*", () => {
  it("each op over axis 1 (axes input, opset 18)", () => {
    const want: Record<string, number[]> = {
      ReduceSum: [6, 15], ReduceMean: [2, 5], ReduceMax: [3, 6], ReduceMin: [1, 4], ReduceProd: [6, 120], ReduceSumSquare: [14, 77],
    };
    for (const [op, v] of Object.entries(want)) {
      const y = run1(op, [x, axes(1)], {}, 18);
      assert.deepEqual([y.shape, vals(y)], [[2, 1], v], op);
    }
  });

  it("axes attribute before the switch opset; negative axes; keepdims=0", () => {
    assert.deepEqual(vals(run1("ReduceSum", [x], { axes: A.ints([0]), keepdims: A.int(0) }, 11)), [5, 7, 9]);
    assert.deepEqual(run1("ReduceMean", [x], { axes: A.ints([-1]), keepdims: A.int(0) }, 13).shape, [2]);
    assert.deepEqual(vals(run1("ReduceMax", [x], { axes: A.ints([0, 1]) }, 13)), [6]);
  });

  it("no axes reduces everything; noop_with_empty_axes passes through (ReduceSumSquare squares)", () => {
    const all = run1("ReduceSum", [x], { keepdims: A.int(0) }, 13);
    assert.deepEqual([all.shape, vals(all)], [[], [21]]);
    assert.deepEqual(run1("ReduceSum", [x, axes()], {}, 13).shape, [1, 1]);
    const noop = run1("ReduceSum", [x, axes()], { noop_with_empty_axes: A.int(1) }, 13);
    assert.deepEqual([noop.shape, vals(noop)], [[2, 3], [1, 2, 3, 4, 5, 6]]);
    assert.deepEqual(vals(run1("ReduceSumSquare", [x, undefined], { noop_with_empty_axes: A.int(1) }, 18)), [1, 4, 9, 16, 25, 36]);
  });

  it("empty sets: sum 0, prod 1, max -inf, min +inf (int: the dtype's range), mean NaN", () => {
    const e = F([], [2, 0, 4]);
    const r = (op: string) => vals(run1(op, [e, axes(1)], { keepdims: A.int(0) }, 18));
    assert.deepEqual(r("ReduceSum"), [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(r("ReduceProd").slice(0, 2), [1, 1]);
    assert.deepEqual(r("ReduceMax").slice(0, 2), [-Infinity, -Infinity]);
    assert.deepEqual(r("ReduceMin").slice(0, 2), [Infinity, Infinity]);
    assert.deepEqual(r("ReduceMean").slice(0, 2), [NaN, NaN]);
    assert.deepEqual(vals(run1("ReduceMax", [T("int32", [], [0]), axes(0)], {}, 18)), [-2147483648]);
    assert.deepEqual(run1("ReduceSum", [F([], [0, 3]), axes(1)], {}, 18).shape, [0, 1]);
  });

  it("integer and bool inputs", () => {
    assert.deepEqual(vals(run1("ReduceMean", [T("int64", [1, 2, -1, -2], [2, 2]), axes(1)], {}, 18)), [1, -1]);
    const b = run1("ReduceMax", [T("bool", [0, 1, 0, 0], [2, 2]), axes(1)], {}, 20);
    assert.deepEqual([b.dtype, vals(b)], ["bool", [1, 0]]);
    assert.deepEqual(vals(run1("ReduceSum", [T("int8", [100, 100]), axes(0)], {}, 13)), [-56]);
  });

  it("NaN propagates through ReduceMax/ReduceMin", () => {
    assert.deepEqual(vals(run1("ReduceMax", [F([1, NaN, 3])], { keepdims: A.int(0) }, 13)), [NaN]);
    assert.deepEqual(vals(run1("ReduceMin", [F([NaN, 1, 3])], { keepdims: A.int(0) }, 13)), [NaN]);
  });

  it("bad axes are OpErrors", () => {
    assert.throws(() => run1("ReduceSum", [x, axes(2)], {}, 13), /axis 2 is out of range for rank 2/);
    assert.throws(() => run1("ReduceSum", [x, axes(1, -1)], {}, 13), /repeat an axis/);
    assert.throws(() => run1("ReduceSum", [x, T("int32", [1])], {}, 13), /int64/);
  });

  it("shape rules: known axes give exact dims; unknown axes keep the rank (keepdims) or the axis count fixes it", () => {
    const xi = { dtype: "float32" as const, shape: ["N", 3, 4] };
    assert.deepEqual(infer("ReduceMean", [xi], { axes: A.ints([1]), keepdims: A.int(0) }, 13)[0].shape, ["N", 4]);
    assert.deepEqual(infer("ReduceSum", [xi, { dtype: "int64", shape: [1], value: axes(-1) }], {}, 13)[0].shape, ["N", 3, 1]);
    assert.deepEqual(infer("ReduceSum", [xi, { dtype: "int64", shape: [1] }], {}, 13)[0].shape, [null, null, null]);
    assert.deepEqual(infer("ReduceSum", [xi, { dtype: "int64", shape: [2] }], { keepdims: A.int(0) }, 13)[0].shape, [null]);
    assert.equal(infer("ReduceSum", [xi, { dtype: "int64", shape: ["k"] }], { keepdims: A.int(0) }, 13)[0].shape, null);
    assert.deepEqual(infer("ReduceSum", [{ dtype: "float32", shape: [1, 5] }, { dtype: "int64", shape: [1] }], {}, 13)[0].shape, [1, null]);
    assert.deepEqual(infer("ReduceMax", [xi], {}, 18)[0].shape, [1, 1, 1]);
  });

  for (const op of ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceSumSquare"]) {
    it(`${op} matches onnxruntime on random axes (seeded)`, async () => {
      const r = rng(op.length * 7);
      for (let trial = 0; trial < 4; trial++) {
        const input = random(r, "float32", [2, 3, 4, 2]);
        const picked = [0, 1, 2, 3].filter(() => r() < 0.5).map((a) => (r() < 0.3 ? a - 4 : a));
        const keepdims = { keepdims: A.int(trial % 2) };
        const [[ours], [ref]] = await both(op, [input, axes(...picked)], keepdims, 18);
        assert.equal(mismatch(ours, ref, 1e-5, 1e-6), undefined, `axes [${picked}] keepdims ${trial % 2}`);
      }
    });
  }
});
