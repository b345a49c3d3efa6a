// Constant, ConstantOfShape, Shape, Size, Range, Expand, Tile and Dropout.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { f32, tensor } from "../../../src/graph/tensor.ts";
import { A, i64, infer, iota, run, vals } from "./harness.ts";

describe("Constant", () => {
  it("every value attribute", () => {
    const t = (attrs: Parameters<typeof run>[2]) => run("Constant", [], attrs)[0];
    assert.deepEqual(vals(t({ value: A.tensor(f32([2], [1, 2])) })), [1, 2]);
    const vf = t({ value_float: A.float(1.5) });
    assert.deepEqual([vf.dtype, vf.shape, vals(vf)], ["float32", [], [1.5]]);
    const vfs = t({ value_floats: A.floats([1, 2, 3]) });
    assert.deepEqual([vfs.dtype, vfs.shape], ["float32", [3]]);
    const vi = t({ value_int: A.int(7) });
    assert.deepEqual([vi.dtype, vi.shape, vals(vi)], ["int64", [], [7]]);
    assert.deepEqual(t({ value_ints: A.ints([4, 5]) }).shape, [2]);
    assert.deepEqual(vals(t({ value_string: A.string("hi") })), ["hi"]);
    assert.deepEqual(vals(t({ value_strings: A.strings(["a", "b"]) })), ["a", "b"]);
  });
  it("needs exactly one value attribute; the shape rule carries the value", () => {
    assert.throws(() => run("Constant", [], {}), /exactly one value attribute/);
    assert.throws(() => run("Constant", [], { value_int: A.int(1), value_float: A.float(1) }), /exactly one/);
    const [s] = infer("Constant", [], { value_ints: A.ints([1, 2]) });
    assert.deepEqual(vals(s.value!), [1, 2]);
  });
});

describe("ConstantOfShape / Shape / Size", () => {
  it("ConstantOfShape fills with value (default float 0)", () => {
    const [z] = run("ConstantOfShape", [i64([2, 3])]);
    assert.deepEqual([z.dtype, z.shape, vals(z).every((v) => v === 0)], ["float32", [2, 3], true]);
    const [o] = run("ConstantOfShape", [i64([2])], { value: A.tensor(tensor("int32", [1], [5])) });
    assert.deepEqual([o.dtype, vals(o)], ["int32", [5, 5]]);
    assert.deepEqual(run("ConstantOfShape", [i64([])])[0].shape, []);
  });
  it("Shape with start/end windows (opset 15), clamped", () => {
    const x = iota([2, 3, 4, 5]);
    assert.deepEqual(vals(run("Shape", [x])[0]), [2, 3, 4, 5]);
    assert.deepEqual(vals(run("Shape", [x], { start: A.int(1), end: A.int(-1) }, 15)[0]), [3, 4]);
    assert.deepEqual(vals(run("Shape", [x], { start: A.int(-10), end: A.int(10) }, 15)[0]), [2, 3, 4, 5]);
    assert.deepEqual(vals(run("Shape", [x], { start: A.int(3), end: A.int(1) }, 15)[0]), []);
    // Before opset 15 the attributes do not exist.
    assert.deepEqual(vals(run("Shape", [x], { start: A.int(1) }, 13)[0]), [2, 3, 4, 5]);
  });
  it("Shape and Size rules give values when dims are known, ranks when not", () => {
    const known = infer("Shape", [{ dtype: "float32", shape: [1, 3, 224, 224] }])[0];
    assert.deepEqual(vals(known.value!), [1, 3, 224, 224]);
    const sym = infer("Shape", [{ dtype: "float32", shape: ["b", 3] }])[0];
    assert.deepEqual([sym.shape, sym.value], [[2], undefined]);
    assert.deepEqual(vals(infer("Size", [{ dtype: "float32", shape: [2, 5] }])[0].value!), [10]);
    assert.equal(infer("Size", [{ dtype: "float32", shape: ["b", 5] }])[0].value, undefined);
    assert.deepEqual(vals(run("Size", [iota([2, 0, 3])])[0]), [0]);
  });
});

describe("Range / Expand / Tile", () => {
  it("Range counts up and down, in the inputs' dtype", () => {
    const r = (a: number, b: number, d: number, dtype: "float32" | "int64" = "int64") =>
      run("Range", [tensor(dtype, [], [a]), tensor(dtype, [], [b]), tensor(dtype, [], [d])], {}, 11)[0];
    assert.deepEqual(vals(r(0, 5, 2)), [0, 2, 4]);
    assert.deepEqual(vals(r(10, 4, -3)), [10, 7]);
    assert.deepEqual(vals(r(3, 1, 1)), []);
    const f = r(0, 1, 0.1, "float32");
    assert.equal(f.dtype, "float32");
    assert.equal(f.shape[0], 10);
    assert.throws(() => r(0, 1, 0), /delta must not be 0/);
  });
  it("Expand broadcasts both ways (shape may be smaller than the input)", () => {
    const [y] = run("Expand", [f32([3, 1], [1, 2, 3]), i64([2, 1, 2])]);
    assert.deepEqual(y.shape, [2, 3, 2]);
    assert.deepEqual(vals(y), [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
    assert.deepEqual(run("Expand", [f32([3, 1], [1, 2, 3]), i64([1])])[0].shape, [3, 1]);
    assert.throws(() => run("Expand", [iota([3]), i64([2])]), /cannot expand/);
    assert.deepEqual(infer("Expand", [{ dtype: "float32", shape: ["b", 1] }, { dtype: "int64", shape: [2], value: i64([1, 4]) }])[0].shape, ["b", 4]);
  });
  it("Tile repeats the whole tensor per axis", () => {
    const [y] = run("Tile", [iota([2, 2]), i64([1, 2])]);
    assert.deepEqual(vals(y), [0, 1, 0, 1, 2, 3, 2, 3]);
    const [z] = run("Tile", [iota([2]), i64([3])]);
    assert.deepEqual(vals(z), [0, 1, 0, 1, 0, 1]);
    assert.deepEqual(run("Tile", [iota([2]), i64([0])])[0].shape, [0]);
    // Opset 1: a scalar tile count along one axis.
    assert.deepEqual(vals(run("Tile", [iota([2, 1]), i64([3], []), i64([1], [])], {}, 1)[0]), [0, 0, 0, 1, 1, 1]);
  });
});

describe("Dropout", () => {
  it("is the identity at inference; the mask keeps everything", () => {
    const x = f32([3], [-1, 0, 1]);
    const [y, m] = run("Dropout", [x, f32([], [0.3])], {}, 13, 2);
    assert.deepEqual(vals(y), [-1, 0, 1]);
    assert.deepEqual([m.dtype, vals(m)], ["bool", [1, 1, 1]]);
    // Dropout-7 had a mask of the data's type.
    assert.equal(run("Dropout", [x], { ratio: A.float(0.5) }, 7, 2)[1].dtype, "float32");
  });
  it("refuses random training-mode dropout, allows ratio 0", () => {
    const x = f32([3], [1, 2, 3]);
    const yes = tensor("bool", [], [1]);
    assert.throws(() => run("Dropout", [x, f32([], [0.5]), yes], {}, 13), /inference only/);
    assert.deepEqual(vals(run("Dropout", [x, f32([], [0]), yes], {}, 13)[0]), [1, 2, 3]);
  });
});
