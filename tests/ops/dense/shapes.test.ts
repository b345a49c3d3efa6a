// Shape rules of the dense ops: exact output shapes with symbolic batch (and spatial) dims, and an OpError
// naming the node whenever the inputs' dims cannot agree, both in shape inference and at run time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Attr, Dim, Node } from "../../../src/graph/graph.ts";
import type { DType, Tensor } from "../../../src/graph/tensor.ts";
import { OpError } from "../../../src/errors.ts";
import { findOp } from "../../../src/ops/registry.ts";
import type { ShapeInfo } from "../../../src/ops/op.ts";
import { a, randT, rng } from "./harness.ts";

function node(op: string, nIn: number, attrs: Record<string, Attr> = {}, nOut = 1): Node {
  return {
    name: `my_${op.toLowerCase()}`, op, domain: "",
    inputs: Array.from({ length: nIn }, (_, i) => `in${i}`),
    outputs: Array.from({ length: nOut }, (_, i) => `out${i}`),
    attrs,
  };
}

/** Infer output shapes from (possibly symbolic) input shapes. */
function infer(op: string, shapes: (Dim[] | null | undefined)[], attrs: Record<string, Attr> = {}, dtype: DType = "float32", nOut = 1): (Dim[] | null)[] {
  const infos: (ShapeInfo | undefined)[] = shapes.map((s) => (s === undefined ? undefined : { dtype, shape: s }));
  return findOp(op)!.shape(infos, { node: node(op, shapes.length, attrs, nOut), opset: 22 }).map((o) => o.shape);
}

function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr> = {}): Tensor[] {
  return findOp(op)!.run(inputs, { node: node(op, inputs.length, attrs), opset: 22 });
}

/** Both the shape rule and the kernel reject the case with an OpError naming the node and matching `msg`. */
function rejects(op: string, inputs: Tensor[], attrs: Record<string, Attr>, msg: RegExp): void {
  const check = (e: unknown) => e instanceof OpError && /my_/.test(e.message) && msg.test(e.message);
  assert.throws(() => infer(op, inputs.map((t) => t.shape), attrs), check);
  assert.throws(() => run(op, inputs, attrs), check);
}

const r = rng(7);

describe("dense shape rules", () => {
  it("Gemm keeps a symbolic batch and checks inner dims and C", () => {
    assert.deepEqual(infer("Gemm", [["batch", 784], [256, 784], [256]], { transB: a.int(1) }), [["batch", 256]]);
    assert.deepEqual(infer("Gemm", [[784, "n"], [784, 10]], { transA: a.int(1) }), [["n", 10]]);
    rejects("Gemm", [randT(r, [4, 5]), randT(r, [6, 3])], {}, /inner dimensions differ/);
    rejects("Gemm", [randT(r, [4, 5]), randT(r, [5, 3]), randT(r, [2, 3])], {}, /does not broadcast/);
    rejects("Gemm", [randT(r, [4, 5, 1]), randT(r, [5, 3])], {}, /rank 2/);
  });

  it("MatMul broadcasts batch dims, handles 1-D operands and rejects disagreeing dims", () => {
    assert.deepEqual(infer("MatMul", [["b", "seq", 64], [64, 32]]), [["b", "seq", 32]]);
    assert.deepEqual(infer("MatMul", [[2, 1, 5, 7], [3, 7, 4]]), [[2, 3, 5, 4]]);
    assert.deepEqual(infer("MatMul", [[7], [3, 7, 4]]), [[3, 4]]);
    assert.deepEqual(infer("MatMul", [[2, 5, 7], [7]]), [[2, 5]]);
    assert.deepEqual(infer("MatMul", [null, [7, 4]]), [null]);
    rejects("MatMul", [randT(r, [3, 5]), randT(r, [6, 2])], {}, /inner dimensions differ/);
    rejects("MatMul", [randT(r, [2, 3, 5]), randT(r, [4, 5, 2])], {}, /do not broadcast/);
  });

  it("Conv: exact sizes, symbolic batch, symbolic spatial kept only when the window preserves it", () => {
    const w: Dim[] = [8, 3, 3, 3];
    assert.deepEqual(infer("Conv", [["N", 3, 28, 28], w, [8]], { pads: a.ints([1, 1, 1, 1]) }), [["N", 8, 28, 28]]);
    assert.deepEqual(infer("Conv", [["N", 3, "H", "W"], w], { pads: a.ints([1, 1, 1, 1]) }), [["N", 8, "H", "W"]]);
    assert.deepEqual(infer("Conv", [["N", 3, "H", "W"], w], { strides: a.ints([2, 2]) }), [["N", 8, null, null]]);
    assert.deepEqual(infer("Conv", [[1, 3, 9, 10], w], { strides: a.ints([2, 3]), auto_pad: a.string("SAME_UPPER") }), [[1, 8, 5, 4]]);
    assert.deepEqual(infer("Conv", [[1, 4, 9], [6, 2, 3]], { group: a.int(2), dilations: a.ints([2]) }), [[1, 6, 5]]);
  });

  it("Conv rejects channel, group, bias, rank and window mismatches", () => {
    rejects("Conv", [randT(r, [1, 3, 5, 5]), randT(r, [4, 2, 3, 3])], {}, /3 channels but W .* expects 2 x group 1/);
    rejects("Conv", [randT(r, [1, 4, 5, 5]), randT(r, [3, 2, 3, 3])], { group: a.int(2) }, /not divisible by group 2/);
    rejects("Conv", [randT(r, [1, 3, 5, 5]), randT(r, [4, 3, 3, 3]), randT(r, [5])], {}, /bias B must have shape \[4\]/);
    rejects("Conv", [randT(r, [1, 3, 5, 5]), randT(r, [4, 3, 3])], {}, /rank/);
    rejects("Conv", [randT(r, [1, 3, 2, 5]), randT(r, [4, 3, 3, 3])], {}, /smaller than the window/);
    rejects("Conv", [randT(r, [1, 3, 5, 5]), randT(r, [4, 3, 3, 3])], { strides: a.ints([1]) }, /'strides' has 1 values, expected 2/);
    rejects("Conv", [randT(r, [1, 3, 5, 5]), randT(r, [4, 3, 3, 3])], { kernel_shape: a.ints([2, 2]) }, /disagrees with the weight/);
  });

  it("ConvTranspose sizes from pads, output_padding and output_shape; channel checks", () => {
    const w: Dim[] = [3, 2, 3, 3];
    assert.deepEqual(infer("ConvTranspose", [["N", 3, 5, 5], w], { strides: a.ints([2, 2]) }), [["N", 2, 11, 11]]);
    assert.deepEqual(infer("ConvTranspose", [["N", 3, 5, 5], w], { strides: a.ints([2, 2]), output_padding: a.ints([1, 0]), pads: a.ints([1, 1, 1, 1]) }), [["N", 2, 10, 9]]);
    assert.deepEqual(infer("ConvTranspose", [["N", 3, "H", "W"], w], { output_shape: a.ints([12, 13]) }), [["N", 2, 12, 13]]);
    assert.deepEqual(infer("ConvTranspose", [[1, 4, 5], [4, 3, 4]], { group: a.int(2), auto_pad: a.string("SAME_UPPER"), strides: a.ints([3]) }), [[1, 6, 15]]);
    // SAME only crops: when the full output is already shorter than in * stride it stays as is (as in onnxruntime).
    assert.deepEqual(infer("ConvTranspose", [[1, 4, 5], [4, 3, 2]], { group: a.int(2), auto_pad: a.string("SAME_UPPER"), strides: a.ints([3]) }), [[1, 6, 14]]);
    rejects("ConvTranspose", [randT(r, [1, 4, 5, 5]), randT(r, [3, 2, 3, 3])], {}, /4 channels but W .* expects 3/);
  });

  it("pools: sizes with ceil_mode, auto_pad and dilations; Indices are int64; globals keep size-1 axes", () => {
    const k2 = { kernel_shape: a.ints([2, 2]), strides: a.ints([2, 2]) };
    assert.deepEqual(infer("MaxPool", [["N", 6, 28, 28]], k2, "float32", 2), [["N", 6, 14, 14], ["N", 6, 14, 14]]);
    assert.deepEqual(infer("MaxPool", [[1, 1, 5, 5]], { ...k2, ceil_mode: a.int(1) }), [[1, 1, 3, 3]]);
    assert.deepEqual(infer("AveragePool", [[1, 1, 7]], { kernel_shape: a.ints([3]), dilations: a.ints([2]) }), [[1, 1, 3]]);
    assert.deepEqual(infer("AveragePool", [["N", 2, "H"]], { kernel_shape: a.ints([3]), auto_pad: a.string("SAME_LOWER") }), [["N", 2, "H"]]);
    assert.deepEqual(infer("GlobalAveragePool", [["N", 16, "H", "W"]]), [["N", 16, 1, 1]]);
    assert.deepEqual(infer("GlobalMaxPool", [[2, 3, 4, 5, 6]]), [[2, 3, 1, 1, 1]]);
    rejects("MaxPool", [randT(r, [1, 6])], k2, /rank 3 or more/);
    rejects("AveragePool", [randT(r, [1, 1, 5, 5])], { strides: a.ints([1, 1]) }, /'kernel_shape' is required/);
    rejects("MaxPool", [randT(r, [1, 1, 5, 5])], { ...k2, auto_pad: a.string("SAME") }, /auto_pad 'SAME'/);
  });

  it("integer ops output int32 with the float ops' shapes", () => {
    assert.deepEqual(infer("MatMulInteger", [["b", 5, 7], [7, 3]], {}, "uint8"), [["b", 5, 3]]);
    assert.deepEqual(infer("ConvInteger", [["N", 2, 6, 6], [4, 2, 3, 3]], {}, "uint8"), [["N", 4, 4, 4]]);
    const out = findOp("ConvInteger")!.shape([{ dtype: "uint8", shape: [1, 2, 6, 6] }, { dtype: "uint8", shape: [4, 2, 3, 3] }], { node: node("ConvInteger", 2), opset: 10 });
    assert.equal(out[0].dtype, "int32");
  });
});
