// The wider activation set (Elu, Selu, Celu, Softplus, Softsign, HardSigmoid, HardSwish, ThresholdedRelu,
// Shrink, Mish, Round, PRelu) and InstanceNormalization / LRN: by hand and against onnxruntime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { A, approx, both, F, infer, random, run1, T, vals } from "./harness.ts";

describe("activations by hand", () => {
  const x = F([-2, -0.5, 0, 0.5, 2]);
  it("Elu, Selu, Celu", () => {
    assert.deepEqual(approx(run1("Elu", [x])), [-0.86466, -0.39347, 0, 0.5, 2]);
    assert.deepEqual(approx(run1("Selu", [F([-1, 1])])), [-1.11133, 1.0507]);
    assert.deepEqual(approx(run1("Celu", [F([-1, 1])], { alpha: A.float(2) }, 12)), [-0.78694, 1]);
  });

  it("Softplus (no overflow), Softsign, Mish", () => {
    assert.deepEqual(approx(run1("Softplus", [F([0, 1000, -1000])])), [0.69315, 1000, 0]);
    assert.deepEqual(vals(run1("Softsign", [F([-3, 1])])), [-0.75, 0.5]);
    assert.deepEqual(approx(run1("Mish", [F([0, 1])], {}, 18)), [0, 0.86510]);
  });

  it("HardSigmoid, HardSwish, ThresholdedRelu, Shrink", () => {
    assert.deepEqual(approx(run1("HardSigmoid", [x])), [0.1, 0.4, 0.5, 0.6, 0.9]);
    assert.deepEqual(approx(run1("HardSwish", [F([-4, 1, 4])], {}, 14)), [0, 0.66667, 4]);
    assert.deepEqual(vals(run1("ThresholdedRelu", [x], { alpha: A.float(0.4) }, 10)), [0, 0, 0, 0.5, 2]);
    assert.deepEqual(vals(run1("Shrink", [x], { lambd: A.float(1), bias: A.float(0.5) }, 9)), [-1.5, 0, 0, 0, 1.5]);
  });

  it("Round sends halves to even", () => {
    assert.deepEqual(vals(run1("Round", [F([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6])], {}, 11)), [0, 2, 2, -0, -2, 2, -3]);
  });

  it("PRelu broadcasts the slope one way; opset 6 slopes are per channel", () => {
    const xs = F([-1, 2, -3, 4, -5, 6], [1, 3, 2]);
    assert.deepEqual(vals(run1("PRelu", [xs, F([0.5, 1, 2], [3, 1])], {}, 9)), [-0.5, 2, -3, 4, -10, 6]);
    assert.deepEqual(vals(run1("PRelu", [xs, F([0.5, 1, 2])], {}, 6)), [-0.5, 2, -3, 4, -10, 6]);
    assert.throws(() => run1("PRelu", [F([-1, 1]), F([1, 2, 3], [3, 1])], {}, 9), /without changing it/);
    assert.deepEqual(infer("PRelu", [{ dtype: "float32", shape: ["N", 3, 8] }, { dtype: "float32", shape: [3, 1] }], {}, 9), [{ dtype: "float32", shape: ["N", 3, 8] }]);
  });

  it("InstanceNormalization normalises each sample and channel", () => {
    const y = run1("InstanceNormalization", [F([1, 3, 10, 30], [1, 2, 2]), F([1, 2]), F([0, 1])], { epsilon: A.float(0) });
    assert.deepEqual(approx(y), [-1, 1, -1, 3]);
    assert.throws(() => run1("InstanceNormalization", [F([1, 2], [1, 2]), F([1, 2]), F([0, 1])]), /rank 2/);
  });

  it("LRN divides by the local channel energy", () => {
    const y = run1("LRN", [F([1, 2, 3], [1, 3, 1])], { size: A.int(3), alpha: A.float(3), beta: A.float(1), bias: A.float(1) });
    // channel sums of squares: [1+4, 1+4+9, 4+9] -> denominators 1 + sum
    assert.deepEqual(approx(y), [1 / 6, 2 / 15, 3 / 14].map((v) => Number(v.toFixed(5))));
    assert.throws(() => run1("LRN", [F([1], [1, 1])]), /'size' is required/);
  });
});

describe("activations match onnxruntime (seeded)", () => {
  const cases: [string, number, Record<string, ReturnType<typeof A.float>>][] = [
    ["Elu", 6, { alpha: A.float(0.7) }], ["Selu", 6, {}], ["Celu", 12, {}], ["Softplus", 1, {}], ["Softsign", 1, {}],
    ["HardSigmoid", 6, { alpha: A.float(0.3) }], ["HardSwish", 14, {}], ["ThresholdedRelu", 10, {}],
    ["Shrink", 9, { bias: A.float(0.2) }], ["Mish", 18, {}], ["Round", 11, {}],
  ];
  for (const [op, opset, attrs] of cases) {
    it(op, async () => {
      const r = rng(op.length * 13 + opset);
      const [[ours], [ref]] = await both(op, [random(r, "float32", [3, 8], 3)], attrs, opset);
      assert.equal(mismatch(ours, ref, 1e-5, 1e-6), undefined);
    });
  }

  it("PRelu, InstanceNormalization, LRN", async () => {
    const r = rng(77);
    const x = random(r, "float32", [2, 4, 3, 3]);
    const checks: [string, (typeof x)[], Record<string, ReturnType<typeof A.int>>, number][] = [
      ["PRelu", [x, random(r, "float32", [4, 1, 1])], {}, 16],
      ["InstanceNormalization", [x, random(r, "float32", [4]), random(r, "float32", [4])], {}, 6],
      ["LRN", [x], { size: A.int(3), alpha: A.float(0.1), beta: A.float(0.6), bias: A.float(2) }, 13],
    ];
    for (const [op, ins, attrs, opset] of checks) {
      const [[ours], [ref]] = await both(op, ins, attrs, opset);
      assert.equal(mismatch(ours, ref, 1e-4, 1e-6), undefined, op);
    }
  });
});

describe("more reductions", () => {
  const x = F([3, -4, 1, 2], [2, 2]);
  it("ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp", () => {
    const ax = T("int64", [1]);
    assert.deepEqual(vals(run1("ReduceL1", [x, ax], {}, 18)), [7, 3]);
    assert.deepEqual(approx(run1("ReduceL2", [x, ax], {}, 18)), [5, 2.23607]);
    assert.deepEqual(approx(run1("ReduceLogSum", [F([1, 2, 3, 4], [2, 2]), ax], {}, 18)), [1.09861, 1.94591]);
    assert.deepEqual(approx(run1("ReduceLogSumExp", [F([1000, 1000, -Infinity, -Infinity], [2, 2]), ax], {}, 18), 3), [1000.693, -Infinity]);
  });

  for (const op of ["ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp"]) {
    it(`${op} matches onnxruntime (seeded)`, async () => {
      const r = rng(op.length * 3);
      const input = op === "ReduceLogSum" ? F(vals(random(r, "float32", [2, 3, 4])).map((v) => Math.abs(v as number)), [2, 3, 4]) : random(r, "float32", [2, 3, 4]);
      const [[ours], [ref]] = await both(op, [input], { axes: A.ints([0, 2]), keepdims: A.int(0) }, 13);
      assert.equal(mismatch(ours, ref, 1e-5, 1e-6), undefined);
    });
  }
});
