// QuantizeLinear / DequantizeLinear: rounding (half to even), saturation, per-tensor / per-axis / blocked
// scales, and random seeded comparisons with onnxruntime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { f32, tensor, type DType } from "../../../src/graph/tensor.ts";
import { roundHalfEven } from "../../../src/ops/util/quant.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { randnArray, rng } from "../../helpers/rng.ts";
import { A, infer, ortBatch, run, vals, type OpCase } from "./harness.ts";

describe("QuantizeLinear", () => {
  it("rounds half to even, then adds the zero point and saturates", () => {
    assert.deepEqual([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4999, 2.5001].map(roundHalfEven), [-2, -2, 0, 0, 2, 2, 2, 3]);
    const x = f32([6], [0.5, 1.5, 2.5, -300, 300, 7]);
    const [u] = run("QuantizeLinear", [x, f32([], [1]), tensor("uint8", [], [10])], {}, 10);
    assert.deepEqual([u.dtype, vals(u)], ["uint8", [10, 12, 12, 0, 255, 17]]);
    const [s] = run("QuantizeLinear", [x, f32([], [2]), tensor("int8", [], [-1])], {}, 13);
    assert.deepEqual([s.dtype, vals(s)], ["int8", [-1, 0, 0, -128, 127, 3]]);
  });
  it("defaults to uint8 with zero point 0; output_dtype picks the type (opset 21)", () => {
    assert.equal(run("QuantizeLinear", [f32([1], [3]), f32([], [1])], {}, 13)[0].dtype, "uint8");
    const [y] = run("QuantizeLinear", [f32([2], [-3, 3]), f32([], [1])], { output_dtype: A.int(5) }, 21);
    assert.deepEqual([y.dtype, vals(y)], ["int16", [-3, 3]]);
  });
  it("per-axis and blocked scales", () => {
    const x = f32([2, 2], [1, 1, 1, 1]);
    // axis defaults to 1
    assert.deepEqual(vals(run("QuantizeLinear", [x, f32([2], [1, 0.5]), tensor("uint8", [2], [0, 1])], {}, 13)[0]), [1, 3, 1, 3]);
    assert.deepEqual(vals(run("QuantizeLinear", [x, f32([2], [1, 0.5]), tensor("uint8", [2], [0, 1])], { axis: A.int(-2) }, 13)[0]), [1, 1, 3, 3]);
    const b = f32([1, 4], [4, 4, 4, 4]);
    assert.deepEqual(vals(run("QuantizeLinear", [b, f32([1, 2], [1, 2])], { axis: A.int(1), block_size: A.int(3) }, 21)[0]), [4, 4, 4, 2]);
    assert.throws(() => run("QuantizeLinear", [x, f32([3], [1, 1, 1])], {}, 13), /per-axis scale must be 1-D of length 2/);
  });
});

describe("DequantizeLinear", () => {
  it("(x - zero_point) * scale, in the scale's type", () => {
    const [y] = run("DequantizeLinear", [tensor("uint8", [3], [0, 128, 255]), f32([], [0.5]), tensor("uint8", [], [128])], {}, 10);
    assert.deepEqual([y.dtype, vals(y)], ["float32", [-64, 0, 63.5]]);
    const [z] = run("DequantizeLinear", [tensor("int32", [2], [-1000, 7]), f32([], [0.25])], {}, 13);
    assert.deepEqual(vals(z), [-250, 1.75]);
    const [h] = run("DequantizeLinear", [tensor("int8", [1], [3]), tensor("float16", [], [0.1])], {}, 19);
    assert.equal(h.dtype, "float16");
    assert.throws(() => run("DequantizeLinear", [tensor("int8", [1], [3]), f32([], [1]), tensor("uint8", [], [0])], {}, 13), /zero_point is uint8 but x is int8/);
  });
  it("shape rules keep dims and take the right dtype", () => {
    assert.equal(infer("QuantizeLinear", [{ dtype: "float32", shape: ["b", 4] }, { dtype: "float32", shape: [] }, { dtype: "int8", shape: [] }])[0].dtype, "int8");
    assert.deepEqual(infer("DequantizeLinear", [{ dtype: "uint8", shape: ["b", 4] }, { dtype: "float32", shape: [] }])[0], { dtype: "float32", shape: ["b", 4] });
  });
});

describe("quantisation vs onnxruntime (random seeded)", () => {
  it("per-tensor, per-axis and blocked, every integer type, exact match", async () => {
    const r = rng(99);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    const byOpset = new Map<number, OpCase[]>();
    const add = (opset: number, c: OpCase) => byOpset.set(opset, [...(byOpset.get(opset) ?? []), c]);
    const ranges: Record<string, [number, number]> = { uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767] };
    for (let k = 0; k < 16; k++) {
      const shape = [int(1, 3), int(1, 4), int(1, 5)];
      const n = shape.reduce((a, b) => a * b, 1);
      const axis = int(0, 2);
      const qt = (["uint8", "int8", "uint16", "int16"] as DType[])[k % 4];
      const opset = qt.endsWith("16") ? 21 : 13;
      const [lo, hi] = ranges[qt];
      // Some values land exactly on .5 steps to exercise ties.
      const scale = 0.25 * int(1, 8);
      const x = f32(shape, Array.from(randnArray(r, n, 40), (v) => (r() < 0.3 ? (Math.round(v) + 0.5) * scale : v)));
      const zp = (m: number) => tensor(qt, [m], Array.from({ length: m }, () => int(Math.max(lo, -20), Math.min(hi, 20))));
      const zp0 = zp(1);
      add(opset, { op: "QuantizeLinear", inputs: [x, f32([], [scale]), tensor(qt, [], [zp0.data[0] as number])] });
      const sc = f32([shape[axis]], Array.from({ length: shape[axis] }, () => 0.1 + r()));
      add(opset, { op: "QuantizeLinear", inputs: [x, sc, zp(shape[axis])], attrs: { axis: A.int(axis) } });
      const q = tensor(qt, shape, Array.from({ length: n }, () => int(lo, hi)));
      add(opset, { op: "DequantizeLinear", inputs: [q, sc, zp(shape[axis])], attrs: { axis: A.int(axis - 3) } });
      add(opset, { op: "DequantizeLinear", inputs: [q, f32([], [scale]), tensor(qt, [], [zp0.data[0] as number])] });
      const bs = int(1, 3);
      const bshape = shape.map((d, i) => (i === axis ? Math.ceil(d / bs) : d));
      const bn = bshape.reduce((a, b) => a * b, 1);
      const bsc = f32(bshape, Array.from({ length: bn }, () => 0.1 + r()));
      add(21, { op: "QuantizeLinear", inputs: [x, bsc, tensor(qt, bshape, Array.from({ length: bn }, () => int(Math.max(lo, -9), 9)))], attrs: { axis: A.int(axis), block_size: A.int(bs) } });
      add(21, { op: "DequantizeLinear", inputs: [q, bsc], attrs: { axis: A.int(axis), block_size: A.int(bs) } });
    }
    for (const [opset, list] of byOpset) {
      const res = await ortBatch(list, opset);
      res.forEach(([ours, theirs], k) => assert.equal(mismatch(ours[0], theirs[0], 0, 0), undefined, `opset ${opset} case ${k} ${list[k].op}`));
    }
  });
});
