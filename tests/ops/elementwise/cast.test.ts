// Cast and CastLike: the `to` codes, float -> int truncation and saturation, bool, strings, float16 rounding.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { A, both, F, infer, random, run1, T, vals } from "./harness.ts";

const to = (code: number) => ({ to: A.int(code) });

describe("Cast", () => {
  it("float -> int truncates toward zero; out of range does what onnxruntime does on x86", () => {
    const x = F([-2.7, -0.5, 0.5, 2.7, 300, -300, NaN, 1e10]);
    assert.deepEqual(vals(run1("Cast", [x], to(3))), [-2, 0, 0, 2, 44, -44, 0, 0]);
    assert.deepEqual(vals(run1("Cast", [x], to(2))), [254, 0, 0, 2, 44, 212, 0, 0]);
    assert.deepEqual(vals(run1("Cast", [x], to(6))), [-2, 0, 0, 2, 300, -300, -(2 ** 31), -(2 ** 31)]);
    const y = run1("Cast", [x], to(7));
    assert.deepEqual([y.dtype, vals(y)], ["int64", [-2, 0, 0, 2, 300, -300, -(2 ** 63), 1e10]]);
  });

  it("float -> every integer type matches onnxruntime, out-of-range values included", async () => {
    const values = [300, -300, 1e10, -1e10, NaN, 2.7, -2.7, 3e19, -0.5, 70000, -40000];
    for (const code of [2, 3, 4, 5, 6, 7, 12, 13]) {
      // NaN -> uint32/uint64 differs inside onnxruntime itself (scalar vs SIMD path): left out.
      const x = F(code >= 12 ? values.filter((v) => !Number.isNaN(v)) : values);
      const [[ours], [ref]] = await both("Cast", [x], to(code), 13);
      assert.equal(mismatch(ours, ref, 0, 0), undefined, `to ${code}`);
    }
  });

  it("int -> int wraps; anything -> bool is x != 0", () => {
    assert.deepEqual(vals(run1("Cast", [T("int32", [300, -1])], to(2))), [44, 255]);
    assert.deepEqual(vals(run1("Cast", [T("int8", [-1])], to(13))), [2 ** 64 - 1]);
    assert.deepEqual(vals(run1("Cast", [F([0, -0.1, NaN])], to(9))), [0, 1, 1]);
    assert.deepEqual(vals(run1("Cast", [T("bool", [1, 0])], to(1))), [1, 0]);
  });

  it("float16 results are rounded; double -> float rounds", () => {
    assert.deepEqual(vals(run1("Cast", [F([1.0001, 65519, 70000])], to(10))), [1, 65504, Infinity]);
    assert.deepEqual(vals(run1("Cast", [T("float64", [0.1])], to(1))), [Math.fround(0.1)]);
  });

  it("strings parse and format, with the spec's INF/NaN literals", () => {
    assert.deepEqual(vals(run1("Cast", [T("string", ["1.5", "-inf", "NaN", "1e3", "+INF"])], to(1))), [1.5, -Infinity, NaN, 1000, Infinity]);
    assert.deepEqual(vals(run1("Cast", [F([0.1, -2, Infinity, NaN])], to(8))), ["0.1", "-2", "INF", "NaN"]);
    assert.deepEqual(vals(run1("Cast", [T("int64", [42])], to(8))), ["42"]);
  });

  it("opset 1 names the type as a string", () => {
    assert.equal(run1("Cast", [F([1])], { to: A.string("INT32") }, 1).dtype, "int32");
  });

  it("unsupported targets are clear errors", () => {
    assert.throws(() => run1("Cast", [F([1])], to(16)), /bfloat16 is not supported/);
    assert.throws(() => run1("Cast", [F([1])], to(17)), /float8e4m3fn is not supported/);
    assert.throws(() => run1("Cast", [F([1])], to(99)), /unknown data type code 99/);
    assert.throws(() => run1("Cast", [F([1])]), /missing required attribute 'to'/);
  });

  it("shape rule gives the target dtype and folds constants", () => {
    const [s] = infer("Cast", [{ dtype: "int64", shape: [2], value: T("int64", [3, 4]) }], to(1));
    assert.deepEqual([s.dtype, s.shape, vals(s.value!)], ["float32", [2], [3, 4]]);
  });

  it("matches onnxruntime float32 -> int32/float16/float64/bool (seeded)", async () => {
    const r = rng(11);
    const x = random(r, "float32", [3, 5], 10);
    for (const code of [6, 10, 11, 9]) {
      const [[ours], [ref]] = await both("Cast", [x], to(code), 13);
      assert.equal(mismatch(ours, ref, 0, 0), undefined, `to ${code}`);
    }
  });
});

describe("CastLike", () => {
  it("casts to the second input's dtype", () => {
    const y = run1("CastLike", [F([1.9, -1.9]), T("int32", [0])], {}, 15);
    assert.deepEqual([y.dtype, vals(y)], ["int32", [1, -1]]);
    assert.deepEqual(infer("CastLike", [{ dtype: "float32", shape: ["N"] }, { dtype: "float16", shape: [] }], {}, 15), [{ dtype: "float16", shape: ["N"] }]);
  });
});
