// The ops added for conformance hardening: trigonometric and hyperbolic functions, IsNaN/IsInf, Mod, BitShift,
// CumSum, Hardmax, MeanVarianceNormalization, Trilu and StringNormalizer. Each agrees with onnxruntime on
// seeded random inputs (StringNormalizer by hand: onnxruntime needs a system locale for it); the ONNX
// conformance cases run in tests/conformance/node-tests-112.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Attr } from "../../../src/graph/graph.ts";
import { tensor } from "../../../src/graph/tensor.ts";
import { OpError } from "../../../src/errors.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { A, both, F, infer, random, run1, T, vals } from "./harness.ts";

const strings = (value: string[]): Attr => ({ kind: "strings", value });
const err = (re: RegExp) => (e: unknown) => e instanceof OpError && re.test(e.message);

describe("trigonometric and hyperbolic ops match onnxruntime", () => {
  // Inputs inside each function's domain: [-1, 1] for asin/acos/atanh, >= 1 for acosh.
  const domain: Record<string, (v: number) => number> = {
    Asin: Math.tanh, Acos: Math.tanh, Atanh: (v) => 0.99 * Math.tanh(v), Acosh: (v) => 1 + Math.abs(v),
  };
  for (const op of ["Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh"]) {
    it(op, async () => {
      const x = random(rng(op.length * 13 + op.charCodeAt(1)), "float32", [3, 5], 1.5);
      const input = domain[op] ? F(vals(x).map((v) => domain[op](v as number)), [3, 5]) : x;
      const [[ours], [ref]] = await both(op, [input], {}, 9);
      assert.equal(mismatch(ours, ref, 1e-5, 1e-6), undefined);
    });
  }
  it("float only; float16 rounded", () => {
    assert.throws(() => run1("Sin", [T("int32", [1])], {}, 9), err(/type int32/));
    assert.deepEqual(vals(run1("Cos", [T("float16", [1])], {}, 9)), [0.54052734375]);
  });
});

describe("IsNaN and IsInf", () => {
  const x = F([1, NaN, Infinity, -Infinity, 0]);
  it("give bool masks; IsInf's detect_* attributes choose the sign", async () => {
    assert.deepEqual(vals(run1("IsNaN", [x], {}, 13)), [0, 1, 0, 0, 0]);
    assert.deepEqual(vals(run1("IsInf", [x], {}, 10)), [0, 0, 1, 1, 0]);
    assert.deepEqual(vals(run1("IsInf", [x], { detect_negative: A.int(0) }, 10)), [0, 0, 1, 0, 0]);
    assert.deepEqual(vals(run1("IsInf", [x], { detect_positive: A.int(0) }, 10)), [0, 0, 0, 1, 0]);
    for (const [op, attrs] of [["IsNaN", {}], ["IsInf", { detect_negative: A.int(0) }]] as const) {
      const [[ours], [ref]] = await both(op, [x], attrs, op === "IsNaN" ? 13 : 10);
      assert.equal(mismatch(ours, ref), undefined, op);
    }
    assert.deepEqual(infer("IsNaN", [{ dtype: "float16", shape: ["N"] }], {}, 13), [{ dtype: "bool", shape: ["N"] }]);
  });
});

describe("Mod", () => {
  it("fmod = 0 takes the divisor's sign, fmod = 1 the dividend's (as Python % and C fmod)", () => {
    const a = T("int32", [-4, 7, 5, -5, 3]);
    const b = T("int32", [3, -3, 0, 2, -2]);
    assert.deepEqual(vals(run1("Mod", [a, b], {}, 13)), [2, -2, 0, 1, -1]);
    assert.deepEqual(vals(run1("Mod", [a, b], { fmod: A.int(1) }, 13)), [-1, 1, 0, -1, 1]);
    assert.deepEqual(vals(run1("Mod", [F([-4.5, 7.25]), F([2, -2])], { fmod: A.int(1) }, 13)), [-0.5, 1.25]);
    assert.throws(() => run1("Mod", [F([1]), F([2])], {}, 13), err(/fmod = 1/));
  });
  it("matches onnxruntime on random signed inputs, broadcast", async () => {
    const r = rng(41);
    for (const [dtype, fmod] of [["int32", 0], ["int64", 0], ["int32", 1], ["float32", 1], ["float64", 1]] as const) {
      const a = random(r, dtype, [3, 4], 10, -50, 50);
      const nonzero = (v: number) => (v === 0 ? 3 : v);
      const b = tensor(dtype, [4], vals(random(r, dtype, [4], 4, -9, 9)).map((v) => nonzero(v as number)));
      const [[ours], [ref]] = await both("Mod", [a, b], { fmod: A.int(fmod) }, 13);
      assert.equal(mismatch(ours, ref, 1e-6, 1e-6), undefined, `${dtype} fmod=${fmod}`);
    }
  });
});

describe("BitShift", () => {
  it("shifts unsigned ints, dropping bits past the width", async () => {
    const x = T("uint8", [1, 255, 16, 200]);
    const s = T("uint8", [1, 1, 4, 8]);
    assert.deepEqual(vals(run1("BitShift", [x, s], { direction: A.string("LEFT") }, 11)), [2, 254, 0, 0]);
    assert.deepEqual(vals(run1("BitShift", [x, s], { direction: A.string("RIGHT") }, 11)), [0, 127, 1, 0]);
    const big = T("uint64", [2 ** 40 + 3]);
    assert.deepEqual(vals(run1("BitShift", [big, T("uint64", [30])], { direction: A.string("LEFT") }, 11)), [3 * 2 ** 30]);
    assert.throws(() => run1("BitShift", [x, s], { direction: A.string("UP") }, 11), err(/LEFT" or "RIGHT/));
    assert.throws(() => run1("BitShift", [T("int32", [1]), T("int32", [1])], { direction: A.string("LEFT") }, 11), err(/type int32/));
    for (const dtype of ["uint8", "uint32"] as const) {
      const r = rng(dtype.length);
      const a = random(r, dtype, [2, 5], 1, 0, 255);
      const b = random(r, dtype, [5], 1, 0, 7);
      for (const direction of ["LEFT", "RIGHT"]) {
        const [[ours], [ref]] = await both("BitShift", [a, b], { direction: A.string(direction) }, 11);
        assert.equal(mismatch(ours, ref), undefined, `${dtype} ${direction}`);
      }
    }
  });
});

describe("CumSum", () => {
  it("exclusive and reverse, by hand", () => {
    const x = F([1, 2, 3, 4]);
    const axis = T("int32", [0], []);
    assert.deepEqual(vals(run1("CumSum", [x, axis], {}, 14)), [1, 3, 6, 10]);
    assert.deepEqual(vals(run1("CumSum", [x, axis], { exclusive: A.int(1) }, 14)), [0, 1, 3, 6]);
    assert.deepEqual(vals(run1("CumSum", [x, axis], { reverse: A.int(1) }, 14)), [10, 9, 7, 4]);
    assert.deepEqual(vals(run1("CumSum", [x, axis], { reverse: A.int(1), exclusive: A.int(1) }, 14)), [9, 7, 4, 0]);
    assert.throws(() => run1("CumSum", [x, T("int64", [1])], {}, 14), err(/axis 1 is out of range/));
  });
  it("matches onnxruntime along every axis", async () => {
    const r = rng(5);
    const x = random(r, "float32", [2, 3, 4]);
    for (let axis = -3; axis < 3; axis++) {
      const attrs = { exclusive: A.int(axis & 1), reverse: A.int(axis < 0 ? 1 : 0) };
      const [[ours], [ref]] = await both("CumSum", [x, T("int64", [axis], [])], attrs, 14);
      assert.equal(mismatch(ours, ref, 1e-5, 1e-6), undefined, `axis ${axis}`);
    }
    const xi = random(r, "int32", [5, 2]);
    const [[ours], [ref]] = await both("CumSum", [xi, T("int32", [0], [])], {}, 14);
    assert.equal(mismatch(ours, ref), undefined, "int32");
  });
});

describe("Hardmax", () => {
  it("one-hot of the first maximum; opset < 13 flattens from axis", async () => {
    assert.deepEqual(vals(run1("Hardmax", [F([1, 3, 3, 2], [2, 2])], {}, 13)), [0, 1, 1, 0]);
    const x = random(rng(8), "float32", [2, 3, 4]);
    for (const [opset, axis] of [[13, -1], [13, 1], [13, 0], [11, 1], [11, 0], [11, 2]]) {
      const [[ours], [ref]] = await both("Hardmax", [x], { axis: A.int(axis) }, opset);
      assert.equal(mismatch(ours, ref), undefined, `opset ${opset} axis ${axis}`);
    }
  });
});

describe("MeanVarianceNormalization", () => {
  it("matches onnxruntime for the default and custom axes", async () => {
    const x = random(rng(9), "float32", [2, 3, 4, 5], 3);
    for (const axes of [undefined, [1], [2, 3], [0, 1, 2, 3]]) {
      const [[ours], [ref]] = await both("MeanVarianceNormalization", [x], axes ? { axes: A.ints(axes) } : {}, 13);
      assert.equal(mismatch(ours, ref, 1e-4, 1e-5), undefined, `axes ${axes}`);
    }
  });
  it("constant slices normalise to 0, not NaN", () => {
    assert.deepEqual(vals(run1("MeanVarianceNormalization", [F([0.1, 0.1, 0.1], [3])], { axes: A.ints([0]) }, 13)), [0, 0, 0]);
  });
});

describe("Trilu", () => {
  it("matches onnxruntime: upper/lower, k from -3 to 3, batched, non-square", async () => {
    const x = random(rng(12), "float32", [2, 3, 5]);
    for (const upper of [0, 1]) {
      for (let k = -3; k <= 3; k++) {
        const [[ours], [ref]] = await both("Trilu", [x, T("int64", [k], [])], { upper: A.int(upper) }, 14);
        assert.equal(mismatch(ours, ref), undefined, `upper=${upper} k=${k}`);
      }
    }
    const [[ours], [ref]] = await both("Trilu", [random(rng(2), "int64", [4, 4])], {}, 14);
    assert.equal(mismatch(ours, ref), undefined, "int64, k omitted");
  });
  it("rank < 2 is an OpError", () => {
    assert.throws(() => run1("Trilu", [F([1, 2])], {}, 14), err(/rank >= 2/));
  });
});

describe("StringNormalizer", () => {
  const x = T("string", ["Monday", "tuesday", "MONDAY", "Straße"]);
  it("drops stopwords (case-insensitive by default) and changes case", () => {
    const stop = { stopwords: strings(["monday"]) };
    assert.deepEqual(vals(run1("StringNormalizer", [x], stop, 10)), ["tuesday", "Straße"]);
    assert.deepEqual(vals(run1("StringNormalizer", [x], { ...stop, is_case_sensitive: A.int(1) }, 10)), ["Monday", "tuesday", "MONDAY", "Straße"]);
    assert.deepEqual(vals(run1("StringNormalizer", [x], { ...stop, case_change_action: A.string("UPPER") }, 10)), ["TUESDAY", "STRASSE"]);
    assert.deepEqual(vals(run1("StringNormalizer", [x], { case_change_action: A.string("LOWER") }, 10)), ["monday", "tuesday", "monday", "straße"]);
  });
  it("keeps the [1, C] form, and gives one empty string when nothing is left", () => {
    const two = T("string", ["a", "b"], [1, 2]);
    const y = run1("StringNormalizer", [two], { stopwords: strings(["A"]) }, 10);
    assert.deepEqual([y.shape, vals(y)], [[1, 1], ["b"]]);
    const none = run1("StringNormalizer", [two], { stopwords: strings(["a", "b"]) }, 10);
    assert.deepEqual([none.shape, vals(none)], [[1, 1], [""]]);
    assert.deepEqual(infer("StringNormalizer", [{ dtype: "string", shape: [1, "C"] }], {}, 10), [{ dtype: "string", shape: [1, null] }]);
  });
  it("bad input is an OpError", () => {
    assert.throws(() => run1("StringNormalizer", [T("string", ["a", "b"], [2, 1])], {}, 10), err(/expected \[C\] or \[1, C\]/));
    assert.throws(() => run1("StringNormalizer", [x], { case_change_action: A.string("TITLE") }, 10), err(/NONE, LOWER or UPPER/));
    assert.throws(() => run1("StringNormalizer", [F([1])], {}, 10), err(/accepts string/));
  });
});

describe("GroupNormalization", () => {
  const x = random(rng(21), "float32", [2, 6, 3, 2], 2);
  it("matches onnxruntime at opset 18 (scale per group) and 21 (scale per channel)", async () => {
    for (const [opset, count] of [[18, 3], [21, 6]]) {
      const r = rng(opset);
      const scale = random(r, "float32", [count]);
      const bias = random(r, "float32", [count]);
      const [[ours], [ref]] = await both("GroupNormalization", [x, scale, bias], { num_groups: A.int(3), epsilon: A.float(1e-3) }, opset);
      assert.equal(mismatch(ours, ref, 1e-4, 1e-5), undefined, `opset ${opset}`);
    }
  });
  it("groups must divide the channels; parameter counts follow the opset", () => {
    const p = (n: number) => F(new Array<number>(n).fill(1));
    assert.throws(() => run1("GroupNormalization", [x, p(4), p(4)], { num_groups: A.int(4) }, 21), err(/divide the 6 channels/));
    assert.throws(() => run1("GroupNormalization", [x, p(6), p(6)], { num_groups: A.int(3) }, 18), err(/6 values, expected 3/));
    assert.throws(() => infer("GroupNormalization", [{ dtype: "float32", shape: ["N", 6, 4] }, { dtype: "float32", shape: [3] }, { dtype: "float32", shape: [3] }], { num_groups: A.int(3) }, 21), err(/3 values, expected 6/));
  });
});
