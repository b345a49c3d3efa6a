// One-input ops: hand-checked values, dtype rules, and agreement with onnxruntime on seeded random inputs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { erf } from "../../../src/ops/erf.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { A, approx, both, F, infer, random, run1, T, vals } from "./harness.ts";

describe("unary ops by hand", () => {
  const x = F([-2, -0.5, 0, 0.5, 2]);
  it("Neg, Abs, Relu, Sign, Floor, Ceil, Reciprocal", () => {
    assert.deepEqual(vals(run1("Neg", [x])), [2, 0.5, -0, -0.5, -2]);
    assert.deepEqual(vals(run1("Abs", [x])), [2, 0.5, 0, 0.5, 2]);
    assert.deepEqual(vals(run1("Relu", [x])), [0, 0, 0, 0.5, 2]);
    assert.deepEqual(vals(run1("Sign", [x])), [-1, -1, 0, 1, 1]);
    assert.deepEqual(vals(run1("Floor", [x])), [-2, -1, 0, 0, 2]);
    assert.deepEqual(vals(run1("Ceil", [x])), [-2, -0, 0, 1, 2]);
    assert.deepEqual(vals(run1("Reciprocal", [x])), [-0.5, -2, Infinity, 2, 0.5]);
  });

  it("LeakyRelu uses alpha (default 0.01)", () => {
    assert.deepEqual(approx(run1("LeakyRelu", [x])), [-0.02, -0.005, 0, 0.5, 2]);
    assert.deepEqual(vals(run1("LeakyRelu", [x], { alpha: A.float(0.5) })), [-1, -0.25, 0, 0.5, 2]);
  });

  it("Sigmoid, Tanh, Exp, Log, Sqrt", () => {
    assert.deepEqual(approx(run1("Sigmoid", [F([0, 100, -100, 1])])), [0.5, 1, 0, 0.73106]);
    assert.deepEqual(approx(run1("Tanh", [F([0, 1])])), [0, 0.76159]);
    assert.deepEqual(approx(run1("Exp", [F([0, 1])])), [1, 2.71828]);
    assert.deepEqual(vals(run1("Log", [F([1, 0, -1])])), [0, -Infinity, NaN]);
    assert.deepEqual(vals(run1("Sqrt", [F([4, 0.25])])), [2, 0.5]);
  });

  it("Erf and Gelu (exact and tanh)", () => {
    assert.deepEqual(approx(run1("Erf", [F([0, 0.5, 1, -2, 7])])), [0, 0.5205, 0.8427, -0.99532, 1]);
    assert.equal(erf(NaN), NaN);
    assert.deepEqual(approx(run1("Gelu", [F([-1, 0, 1, 3])], {}, 20)), [-0.15866, 0, 0.84134, 2.99595]);
    assert.deepEqual(approx(run1("Gelu", [F([-1, 0, 1, 3])], { approximate: A.string("tanh") }, 20)), [-0.15881, 0, 0.84119, 2.99636]);
    assert.throws(() => run1("Gelu", [F([1])], { approximate: A.string("fast") }, 20), /approximate/);
  });

  it("integer inputs: Abs/Neg/Relu wrap and keep the dtype", () => {
    assert.deepEqual(vals(run1("Abs", [T("int8", [-128, -3])])), [-128, 3]);
    assert.deepEqual(vals(run1("Neg", [T("int32", [5, -7])])), [-5, 7]);
    const y = run1("Relu", [T("int64", [-5, 7])], {}, 14);
    assert.equal(y.dtype, "int64");
    assert.deepEqual(vals(y), [0, 7]);
  });

  it("Not negates bools; float-only ops reject ints", () => {
    assert.deepEqual(vals(run1("Not", [T("bool", [1, 0])])), [0, 1]);
    assert.throws(() => run1("Exp", [T("int32", [1])]), /type int32/);
    assert.throws(() => run1("Neg", [T("uint8", [1])]), /type uint8/);
  });

  it("shape rule keeps dtype and symbolic shape", () => {
    assert.deepEqual(infer("Sigmoid", [{ dtype: "float16", shape: ["N", 3] }]), [{ dtype: "float16", shape: ["N", 3] }]);
    assert.throws(() => infer("Sqrt", [{ dtype: "int64", shape: [3] }]), /type int64/);
  });

  it("float16 results are rounded", () => {
    const y = run1("Exp", [T("float16", [1])]);
    assert.deepEqual(vals(y), [2.71875]);
  });
});

describe("unary ops match onnxruntime (seeded)", () => {
  const cases: [string, number, Record<string, ReturnType<typeof A.float>>?][] = [
    ["Neg", 13], ["Abs", 13], ["Relu", 14], ["Sigmoid", 13], ["Tanh", 13], ["Exp", 13], ["Log", 13], ["Sqrt", 13],
    ["Erf", 13], ["Reciprocal", 13], ["Floor", 13], ["Ceil", 13], ["Sign", 13],
    ["LeakyRelu", 16, { alpha: A.float(0.2) }], ["Gelu", 20], ["Gelu", 20, { approximate: A.string("tanh") }],
  ];
  for (const [op, opset, attrs] of cases) {
    it(`${op}${attrs ? " " + JSON.stringify(Object.values(attrs)[0].value) : ""}`, async () => {
      const r = rng(op.charCodeAt(0) * 31 + op.length);
      const x = random(r, "float32", [4, 7], 3);
      const positive = op === "Log" || op === "Sqrt";
      const input = positive ? F(vals(x).map((v) => Math.abs(v as number) + 0.01), [4, 7]) : x;
      const [[ours], [ref]] = await both(op, [input], attrs ?? {}, opset);
      assert.equal(mismatch(ours, ref, 1e-5, 1e-6), undefined);
    });
  }
});
