// Slice (negative steps, clamping, attribute form) and Pad (all modes, negative pads, every opset form).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { f32, tensor } from "../../../src/graph/tensor.ts";
import { sliceRange } from "../../../src/ops/slice.ts";
import { A, i64, infer, iota, run, vals } from "./harness.ts";

const BIG = 9223372036854775807; // INT64_MAX as exporters write "to the end"

describe("Slice", () => {
  it("takes [start, end) with steps, negative indices and clamping", () => {
    const x = iota([10]);
    const s = (st: number, en: number, step = 1) => vals(run("Slice", [x, i64([st]), i64([en]), i64([0]), i64([step])])[0]);
    assert.deepEqual(s(2, 5), [2, 3, 4]);
    assert.deepEqual(s(-3, BIG), [7, 8, 9]);
    assert.deepEqual(s(8, 2, -2), [8, 6, 4]);
    assert.deepEqual(s(BIG, -BIG, -1), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    assert.deepEqual(s(-100, 3), [0, 1, 2]);
    assert.deepEqual(s(20, 30), []);
    assert.deepEqual(s(5, 5), []);
  });
  it("slices chosen axes of a matrix (negative axes and steps, default steps and axes)", () => {
    // cols 2, 1 (step -1 down to 0 exclusive); rows 2, 0 (start clamped to 2, step -2 down to the beginning)
    const [y] = run("Slice", [iota([3, 4]), i64([2, 3]), i64([0, -BIG]), i64([-1, 0]), i64([-1, -2])]);
    assert.deepEqual(y.shape, [2, 2]);
    assert.deepEqual(vals(y), [10, 9, 2, 1]);
    const [z] = run("Slice", [iota([3, 4]), i64([0, 3]), i64([2, 0])]);
    assert.deepEqual(z.shape, [2, 0]);
    const [w] = run("Slice", [iota([3, 4]), i64([1]), i64([3]), i64([1])]);
    assert.deepEqual(vals(w), [1, 2, 5, 6, 9, 10]);
  });
  it("reads starts/ends/axes attributes before opset 10", () => {
    const [y] = run("Slice", [iota([3, 4])], { starts: A.ints([1, 0]), ends: A.ints([BIG, 2]), axes: A.ints([0, 1]) }, 9);
    assert.deepEqual(vals(y), [4, 5, 8, 9]);
  });
  it("clamps like numpy (and the ONNX spec) on every axis length", () => {
    for (let dim = 0; dim < 5; dim++) {
      for (const step of [-3, -1, 1, 2]) {
        for (let st = -7; st <= 7; st++) {
          for (let en = -7; en <= 7; en++) {
            const r = sliceRange(dim, st, en, step);
            const ref: number[] = [];
            // Python's slice semantics, written out.
            // ONNX differs from Python in one place: a start below -dim with a negative step clamps to 0, not -1.
            let a = st < 0 ? Math.max(st + dim, 0) : Math.min(st, step < 0 ? dim - 1 : dim);
            const b = en < 0 ? Math.max(en + dim, step < 0 ? -1 : 0) : Math.min(en, step < 0 ? dim - 1 : dim);
            for (; dim > 0 && (step > 0 ? a < b : a > b); a += step) ref.push(a);
            assert.equal(r.len, ref.length, `dim ${dim} [${st}:${en}:${step}]`);
            if (ref.length) assert.equal(r.start, ref[0]);
          }
        }
      }
    }
  });
  it("shape rule: exact with known bounds, symbolic dims kept for whole-axis slices", () => {
    const x = { dtype: "float32" as const, shape: ["b", 10] };
    const c = (v: number[]) => ({ dtype: "int64" as const, shape: [v.length], value: i64(v) });
    assert.deepEqual(infer("Slice", [x, c([0, 2]), c([BIG, -1])])[0].shape, ["b", 7]);
    assert.deepEqual(infer("Slice", [x, c([1]), c([2]), c([0])])[0].shape, [null, 10]);
    assert.deepEqual(infer("Slice", [x, { dtype: "int64", shape: [1] }, c([2]), c([1])])[0].shape, ["b", null]);
  });
});

describe("Pad", () => {
  const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
  const pads = i64([1, 2, 1, 2]); // rows: 1 before, 1 after; cols: 2 before, 2 after
  it("constant mode with a fill value", () => {
    const [y] = run("Pad", [f32([1, 2], [1, 2]), i64([0, 1, 0, 2]), f32([], [9])], {}, 13);
    assert.deepEqual(vals(y), [9, 1, 2, 9, 9]);
  });
  it("reflect, edge and wrap follow numpy", () => {
    const row = f32([4], [1, 2, 3, 4]);
    const p = i64([3, 5]);
    assert.deepEqual(vals(run("Pad", [row, p], { mode: A.string("reflect") }, 13)[0]), [4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3]);
    assert.deepEqual(vals(run("Pad", [row, p], { mode: A.string("edge") }, 13)[0]), [1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 4, 4]);
    assert.deepEqual(vals(run("Pad", [row, p], { mode: A.string("wrap") }, 19)[0]), [2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1]);
    const [y] = run("Pad", [x, pads], { mode: A.string("edge") }, 13);
    assert.deepEqual(y.shape, [4, 7]);
    assert.deepEqual(vals(y).slice(0, 7), [1, 1, 1, 2, 3, 3, 3]);
  });
  it("negative pads crop", () => {
    const [y] = run("Pad", [x, i64([0, -1, 0, 1])], {}, 13);
    assert.deepEqual(vals(y), [2, 3, 0, 5, 6, 0]);
  });
  it("every opset form: paddings (1), pads+value attrs (2), inputs (11), axes (18)", () => {
    const want = vals(run("Pad", [x, i64([0, 1, 0, 0]), f32([], [7])], {}, 13)[0]);
    assert.deepEqual(vals(run("Pad", [x], { paddings: A.ints([0, 1, 0, 0]), value: A.float(7) }, 1)[0]), want);
    assert.deepEqual(vals(run("Pad", [x], { pads: A.ints([0, 1, 0, 0]), value: A.float(7) }, 2)[0]), want);
    assert.deepEqual(vals(run("Pad", [x, i64([1, 0]), f32([], [7]), i64([-1])], {}, 18)[0]), want);
  });
  it("pads integer and string tensors", () => {
    const [y] = run("Pad", [tensor("int32", [2], [5, 6]), i64([1, 0]), tensor("int32", [], [-1])], {}, 13);
    assert.equal(y.dtype, "int32");
    assert.deepEqual(vals(y), [-1, 5, 6]);
  });
  it("rejects bad pads and modes", () => {
    assert.throws(() => run("Pad", [x, i64([1, 2])], {}, 13), /expected 4/);
    assert.throws(() => run("Pad", [x, pads], { mode: A.string("mirror") }, 13), /mode 'mirror'/);
    assert.throws(() => run("Pad", [x, i64([0, -5, 0, 0])], {}, 13), /crop more/);
  });
  it("shape rule", () => {
    const [y] = infer("Pad", [{ dtype: "float32", shape: ["b", 3] }, { dtype: "int64", shape: [4], value: i64([0, 1, 0, 1]) }], {}, 13);
    assert.deepEqual(y.shape, ["b", 5]);
  });
});
