// BatchNormalization (inference, training mode, legacy spatial=0) and LayerNormalization (axis, optional
// bias, Mean/InvStdDev outputs), by hand and against onnxruntime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OpError } from "../../../src/errors.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { A, approx, both, F, infer, random, run, run1, vals } from "./harness.ts";

describe("BatchNormalization", () => {
  // N=1, C=2, 2 values per channel.
  const x = F([1, 3, 10, 20], [1, 2, 2]);
  const scale = F([1, 2]);
  const bias = F([0, 1]);
  const mean = F([2, 15]);
  const vari = F([1, 25]);
  it("inference: per-channel affine", () => {
    const y = run1("BatchNormalization", [x, scale, bias, mean, vari], { epsilon: A.float(0) }, 15);
    assert.deepEqual(approx(y), [-1, 1, -1, 3]);
  });

  it("training mode returns running statistics", () => {
    const [y, rm, rv] = run("BatchNormalization", [x, scale, bias, mean, vari], { epsilon: A.float(0), training_mode: A.int(1), momentum: A.float(0.5) }, 15, 3);
    // batch stats: channel 0 mean 2 var 1; channel 1 mean 15 var 25
    assert.deepEqual(approx(y), [-1, 1, -1, 3]);
    assert.deepEqual(approx(rm), [2, 15]);
    assert.deepEqual(approx(rv), [1, 25]);
    const [, rm2] = run("BatchNormalization", [x, scale, bias, F([0, 0]), vari], { training_mode: A.int(1), momentum: A.float(0.5) }, 15, 3);
    assert.deepEqual(approx(rm2), [1, 7.5]);
  });

  it("opset 6 spatial=0: one statistic per feature", () => {
    const p = (v: number[]) => F(v, [2, 2]);
    const y = run1("BatchNormalization", [x, p([1, 1, 1, 1]), p([0, 0, 0, 0]), p([1, 3, 10, 0]), p([1, 1, 1, 1])], { epsilon: A.float(0), spatial: A.int(0), is_test: A.int(1) }, 6);
    assert.deepEqual(approx(y), [0, 0, 0, 20]);
  });

  it("parameter sizes that don't match the channels are OpErrors", () => {
    assert.throws(() => run1("BatchNormalization", [x, F([1, 2, 3]), bias, mean, vari]), (e: unknown) => e instanceof OpError && /3 values, expected 2/.test(e.message));
    const p = { dtype: "float32" as const, shape: [3] };
    assert.throws(() => infer("BatchNormalization", [{ dtype: "float32", shape: ["N", 4, 8, 8] }, p, p, p, p]), /expected 4/);
    assert.throws(() => run1("BatchNormalization", [F([1]), scale, bias, mean, vari]), /rank 1/);
  });

  it("matches onnxruntime, inference and training (seeded)", async () => {
    const r = rng(21);
    const c = 3;
    const ins = [random(r, "float32", [2, c, 4, 5]), random(r, "float32", [c]), random(r, "float32", [c]), random(r, "float32", [c]),
      F(Array.from({ length: c }, () => 0.5 + r()))];
    const [[y], [ref]] = await both("BatchNormalization", ins, {}, 15);
    assert.equal(mismatch(y, ref, 1e-5, 1e-6), undefined);
    const [ours, theirs] = await both("BatchNormalization", ins, { training_mode: A.int(1) }, 15, 3);
    ours.forEach((t, i) => assert.equal(mismatch(t, theirs[i], 1e-4, 1e-5), undefined, `output ${i}`));
  });
});

describe("LayerNormalization", () => {
  const x = F([1, 2, 3, 4, 6, 8], [2, 3]);
  it("normalises the last axis; Mean and InvStdDev outputs", () => {
    const [y, m, inv] = run("LayerNormalization", [x, F([1, 1, 1]), F([0, 0, 1])], { epsilon: A.float(0) }, 17, 3);
    assert.deepEqual(approx(y, 4), [-1.2247, 0, 2.2247, -1.2247, 0, 2.2247]);
    assert.deepEqual([m.shape, vals(m)], [[2, 1], [2, 6]]);
    assert.deepEqual(approx(inv, 4), [1.2247, 0.6124]);
  });

  it("axis 0 normalises everything; bias is optional; scale broadcasts", () => {
    const y = run1("LayerNormalization", [x, F([2])], { axis: A.int(0), epsilon: A.float(0) }, 17);
    const s = vals(y) as number[];
    assert.ok(Math.abs(s.reduce((a, b) => a + b, 0)) < 1e-5);
    assert.throws(() => run1("LayerNormalization", [x, F([1, 2])], {}, 17), /does not broadcast/);
  });

  it("shape rule gives statistic shapes in the stash type", () => {
    const out = infer("LayerNormalization", [{ dtype: "float16", shape: ["N", 5, 8] }, { dtype: "float16", shape: [8] }], { axis: A.int(-2) }, 17, 3);
    assert.deepEqual(out, [{ dtype: "float16", shape: ["N", 5, 8] }, { dtype: "float32", shape: ["N", 1, 1] }, { dtype: "float32", shape: ["N", 1, 1] }]);
  });

  it("matches onnxruntime for several axes (seeded)", async () => {
    const r = rng(17);
    for (const axis of [-1, 1, 2]) {
      const input = random(r, "float32", [2, 3, 4], 2);
      const norm = [2, 3, 4].slice(axis < 0 ? 3 + axis : axis);
      const [ours, theirs] = await both("LayerNormalization", [input, random(r, "float32", norm), random(r, "float32", norm)], { axis: A.int(axis) }, 17, 3);
      ours.forEach((t, i) => assert.equal(mismatch(t, theirs[i], 1e-4, 1e-5), undefined, `axis ${axis} output ${i}`));
    }
  });
});
