// Add, Sub, Mul, Div, Pow: numpy broadcasting, integer semantics, legacy (opset < 7) broadcast, shape rules,
// and agreement with onnxruntime on seeded random inputs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OpError } from "../../../src/errors.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { A, both, broadcastableTo, F, infer, random, randomShape, run1, T, vals } from "./harness.ts";

describe("Add/Sub/Mul/Div", () => {
  it("broadcast a row over a matrix", () => {
    const x = F([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = F([10, 20, 30]);
    assert.deepEqual(vals(run1("Add", [x, b])), [11, 22, 33, 14, 25, 36]);
    assert.deepEqual(vals(run1("Sub", [x, b])), [-9, -18, -27, -6, -15, -24]);
    assert.deepEqual(vals(run1("Mul", [b, x])), [10, 40, 90, 40, 100, 180]);
    assert.deepEqual(run1("Div", [x, F([2])]).shape, [2, 3]);
    assert.deepEqual(vals(run1("Div", [x, F([2])])), [0.5, 1, 1.5, 2, 2.5, 3]);
  });

  it("broadcast a column against a row (both operands stretched)", () => {
    const y = run1("Add", [F([1, 2], [2, 1]), F([10, 20, 30], [1, 3])]);
    assert.deepEqual(y.shape, [2, 3]);
    assert.deepEqual(vals(y), [11, 21, 31, 12, 22, 32]);
  });

  it("integer division truncates toward zero; by zero gives 0", () => {
    assert.deepEqual(vals(run1("Div", [T("int32", [-3, 3, -3, 3, 7]), T("int32", [2, 2, -2, -2, 0])])), [-1, 1, 1, -1, 0]);
    assert.deepEqual(vals(run1("Div", [T("int64", [-7, 7]), T("int64", [2, 2])])), [-3, 3]);
  });

  it("narrow integers wrap like numpy", () => {
    assert.deepEqual(vals(run1("Add", [T("int8", [127, -128]), T("int8", [1, -1])])), [-128, 127]);
    assert.deepEqual(vals(run1("Sub", [T("uint8", [0]), T("uint8", [1])])), [255]);
    assert.deepEqual(vals(run1("Mul", [T("int32", [65536 * 3]), T("int32", [65536])])), [0]);
    assert.deepEqual(vals(run1("Mul", [T("int32", [123456789]), T("int32", [987654321])])), [Math.imul(123456789, 987654321)]);
    assert.deepEqual(vals(run1("Sub", [T("uint64", [3]), T("uint64", [5])])), [2 ** 64 - 2]);
  });

  it("float16 results are rounded to half precision", () => {
    const y = run1("Add", [T("float16", [1]), T("float16", [0.0001])]);
    assert.deepEqual(vals(y), [1]);
  });

  it("opset < 7 legacy broadcast aligns B at `axis`", () => {
    const x = F([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = run1("Add", [x, F([10, 20])], { broadcast: A.int(1), axis: A.int(0) }, 6);
    assert.deepEqual(vals(y), [11, 12, 13, 24, 25, 26]);
    const s = infer("Add", [{ dtype: "float32", shape: ["N", 3, 4] }, { dtype: "float32", shape: [3] }], { broadcast: A.int(1), axis: A.int(1) }, 6);
    assert.deepEqual(s[0].shape, ["N", 3, 4]);
  });

  it("shapes that don't agree are an OpError naming the node and shapes", () => {
    assert.throws(() => run1("Add", [F([1, 2, 3]), F([1, 2])]), (e: unknown) => e instanceof OpError && /Add_test.*\[3\] and \[2\]/.test(e.message));
    assert.throws(() => infer("Mul", [{ dtype: "float32", shape: ["N", 3] }, { dtype: "float32", shape: [4] }]), OpError);
    assert.throws(() => run1("Add", [F([1]), T("int64", [1])]), /different types float32 and int64/);
    assert.throws(() => run1("Add", [T("bool", [1]), T("bool", [1])]), /type bool/);
  });

  it("shape rule broadcasts symbolic dims and keeps dtype", () => {
    const [s] = infer("Add", [{ dtype: "float32", shape: ["batch", 1, 8] }, { dtype: "float32", shape: [4, 1] }]);
    assert.deepEqual(s, { dtype: "float32", shape: ["batch", 4, 8] });
    assert.equal(infer("Add", [{ dtype: "float32", shape: null }, { dtype: "float32", shape: [4] }])[0].shape, null);
  });

  it("shape rule folds small constants (shape arithmetic)", () => {
    const [s] = infer("Mul", [{ dtype: "int64", shape: [2], value: T("int64", [3, 4]) }, { dtype: "int64", shape: [], value: T("int64", [2], []) }]);
    assert.deepEqual(vals(s.value!), [6, 8]);
  });

  for (const op of ["Add", "Sub", "Mul", "Div"]) {
    it(`${op} matches onnxruntime on random broadcast shapes (seeded)`, async () => {
      const r = rng(op.length * 101);
      for (let trial = 0; trial < 6; trial++) {
        const shape = randomShape(r, 1 + Math.floor(r() * 4));
        const [a, b] = r() < 0.5 ? [shape, broadcastableTo(r, shape)] : [broadcastableTo(r, shape), shape];
        const dtype = (["float32", "float64", "int32", "int64"] as const)[trial % 4];
        const x = random(r, dtype, a);
        const y = random(r, dtype, b, 1, 1, 9);
        const [[ours], [ref]] = await both(op, [x, y], {}, 14);
        assert.equal(mismatch(ours, ref, 1e-6, 1e-6), undefined, `${op} ${dtype} [${a}] [${b}]`);
      }
    });
  }
});

describe("Pow", () => {
  it("float base, int exponent and int base, float exponent keep the base type", () => {
    assert.deepEqual(vals(run1("Pow", [F([2, 3, -2]), T("int64", [3, 2, 2])], {}, 15)), [8, 9, 4]);
    const y = run1("Pow", [T("int64", [1, 2, 3]), F([4, 5, 0.5])], {}, 15);
    assert.equal(y.dtype, "int64");
    assert.deepEqual(vals(y), [1, 32, 1]);
    assert.deepEqual(vals(run1("Pow", [T("int32", [2, 3]), T("int32", [10, 3])], {}, 15)), [1024, 27]);
  });

  it("matches onnxruntime for float32 with a broadcast exponent (seeded)", async () => {
    const r = rng(5);
    const x = random(r, "float32", [3, 4]);
    const e = F([2, 3, 0.5, -1]);
    const [[ours], [ref]] = await both("Pow", [x, e], {}, 15);
    assert.equal(mismatch(ours, ref, 1e-5, 1e-6), undefined);
  });
});
