// Property tests: random seeded cases of every shaping op, in every opset form, against onnxruntime;
// and each op's shape rule must predict the dtype, dims (and value) of what its kernel returns.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sizeOf, tensor, type DType, type Tensor } from "../../../src/graph/tensor.ts";
import { findOp } from "../../../src/ops/registry.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { A, i64, mkNode, ortBatch, type OpCase } from "./harness.ts";

type R = () => number;
const int = (r: R, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const shuffle = <T>(r: R, xs: T[]): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
};
const randShape = (r: R, rank: number, max = 4) => Array.from({ length: rank }, () => int(r, 1, max));

/** A random tensor of a dtype (strings too). */
function randT(r: R, shape: number[], dtype: DType = "float32"): Tensor {
  const n = sizeOf(shape);
  if (dtype === "string") return tensor("string", shape, Array.from({ length: n }, () => `s${int(r, 0, 99)}`));
  const v = Array.from({ length: n }, () =>
    dtype === "float32" || dtype === "float16" ? Math.round((r() * 2 - 1) * 100) / 8 : dtype === "bool" ? int(r, 0, 1) : int(r, 0, 100));
  return tensor(dtype, shape, v);
}

/** Cases per opset. */
function cases(r: R): Map<number, OpCase[]> {
  const by = new Map<number, OpCase[]>();
  const add = (opset: number, c: OpCase) => by.set(opset, [...(by.get(opset) ?? []), c]);
  const dtypes: DType[] = ["float32", "int64", "int32", "uint8", "bool", "string"];
  for (let k = 0; k < 12; k++) {
    const rank = int(r, 1, 4);
    const shape = randShape(r, rank);
    const x = randT(r, shape, pick(r, dtypes));
    // Reshape with 0 / -1 entries.
    const target = shuffle(r, [...shape]);
    const spec = target.map((d, i) => (i < rank && d === shape[i] && r() < 0.3 ? 0 : d));
    spec[int(r, 0, spec.length - 1)] = -1;
    add(13, { op: "Reshape", inputs: [x, i64(spec)] });
    add(14, { op: "Reshape", inputs: [randT(r, [2, 0, 3]), i64([0, 3, 0])], attrs: { allowzero: A.int(1) } });
    add(13, { op: "Transpose", inputs: [x], attrs: { perm: A.ints(shuffle(r, shape.map((_, i) => i))) } });
    add(13, { op: "Flatten", inputs: [x], attrs: { axis: A.int(int(r, -rank, rank)) } });
    // Concat of 1-3 parts along a random axis.
    const axis = int(r, 0, rank - 1);
    const parts = Array.from({ length: int(r, 1, 3) }, () => randT(r, shape.map((d, i) => (i === axis ? int(r, 0, 3) : d)), x.dtype));
    add(13, { op: "Concat", inputs: parts, attrs: { axis: A.int(axis - (r() < 0.5 ? rank : 0)) } });
    // Split: attribute (11), input (13), num_outputs (18).
    const n = int(r, 1, 3);
    const sp = Array.from({ length: n }, () => int(r, 0, 3));
    const big = randT(r, shape.map((d, i) => (i === axis ? sp.reduce((a, b) => a + b, 0) : d)));
    add(11, { op: "Split", inputs: [big], attrs: { axis: A.int(axis), split: A.ints(sp) }, nOut: n });
    add(13, { op: "Split", inputs: [big, i64(sp)], attrs: { axis: A.int(axis) }, nOut: n });
    // num_outputs: chunks of ceil(dim / n); dims whose last chunk would be empty are left out (onnxruntime refuses them).
    let dim = int(r, n, 9);
    if (dim - Math.ceil(dim / n) * (n - 1) <= 0) dim = n * Math.ceil(dim / n);
    add(18, { op: "Split", inputs: [randT(r, shape.map((d, i) => (i === axis ? dim : d)))], attrs: { axis: A.int(axis), num_outputs: A.int(n) }, nOut: n });
    // Slice over random axes with random bounds and steps (attributes before 10, inputs after).
    const axes = shuffle(r, shape.map((_, i) => i)).slice(0, int(r, 1, rank));
    const starts = axes.map(() => int(r, -6, 6));
    const ends = axes.map(() => pick(r, [int(r, -6, 6), 2 ** 62, -(2 ** 62)]));
    const steps = axes.map(() => pick(r, [1, 1, 2, -1, -2, 3]));
    add(13, { op: "Slice", inputs: [x, i64(starts), i64(ends), i64(axes.map((a) => (r() < 0.5 ? a - rank : a))), i64(steps)] });
    add(9, { op: "Slice", inputs: [x], attrs: { starts: A.ints(starts), ends: A.ints(ends.map((e) => Math.max(-1e9, Math.min(1e9, e)))), axes: A.ints(axes) } });
    // Gather (int32 and negative indices), GatherElements, GatherND.
    const idx = Array.from({ length: int(r, 0, 5) }, () => int(r, -shape[axis], shape[axis] - 1));
    // onnxruntime 1.30 copies only the first string of each gathered block, so strings are checked by hand elsewhere.
    const gx = x.dtype === "string" ? randT(r, shape, "int32") : x;
    add(13, { op: "Gather", inputs: [gx, tensor(pick(r, ["int64", "int32"] as const), [idx.length], idx)], attrs: { axis: A.int(axis) } });
    const ge = shape.map((d, i) => (i === axis ? int(r, 1, 4) : int(r, 1, d)));
    add(13, { op: "GatherElements", inputs: [x, tensor("int64", ge, Array.from({ length: sizeOf(ge) }, () => int(r, -shape[axis], shape[axis] - 1)))], attrs: { axis: A.int(axis) } });
    const m = int(r, 1, rank);
    const nd = Array.from({ length: 3 }, () => shape.slice(0, m).map((d) => int(r, 0, d - 1))).flat();
    add(13, { op: "GatherND", inputs: [x, tensor("int64", [3, m], nd)] });
    if (rank >= 2) {
      const bshape = [shape[0], 2, Math.min(m, rank - 1)];
      const bnd = Array.from({ length: sizeOf(bshape) }, (_, i) => int(r, 0, shape[1 + (i % bshape[2])] - 1));
      add(13, { op: "GatherND", inputs: [x, tensor("int64", bshape, bnd)], attrs: { batch_dims: A.int(1) } });
    }
    // Squeeze / Unsqueeze, both forms.
    const withOnes = shape.flatMap((d) => (r() < 0.4 ? [1, d] : [d]));
    const ones = withOnes.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
    const sq = randT(r, withOnes, x.dtype);
    add(11, { op: "Squeeze", inputs: [sq], attrs: r() < 0.5 ? { axes: A.ints(ones) } : {} });
    add(13, { op: "Squeeze", inputs: r() < 0.5 ? [sq, i64(ones.map((a) => a - withOnes.length))] : [sq] });
    const ua = shuffle(r, Array.from({ length: rank + 2 }, (_, i) => i)).slice(0, 2);
    add(11, { op: "Unsqueeze", inputs: [x], attrs: { axes: A.ints(ua) } });
    add(13, { op: "Unsqueeze", inputs: [x, i64(ua.map((a) => (r() < 0.5 ? a - rank - 2 : a)))] });
    // Pad: every mode and form; negative pads (crops) in constant mode.
    const fx = randT(r, shape);
    const pads = shape.flatMap(() => [int(r, 0, 3), int(r, 0, 3)]);
    const padsBE = [...pads.filter((_, i) => i % 2 === 0), ...pads.filter((_, i) => i % 2 === 1)];
    const crop = shape.map((d) => -int(r, 0, d - 1));
    const mode = pick(r, ["constant", "reflect", "edge"]);
    const reflectOk = mode !== "reflect" || shape.every((d, i) => d > Math.max(padsBE[i], padsBE[i + rank]));
    if (reflectOk) {
      add(2, { op: "Pad", inputs: [fx], attrs: { pads: A.ints(padsBE), mode: A.string(mode), value: A.float(1.5) } });
      add(13, { op: "Pad", inputs: [fx, i64(padsBE), tensor("float32", [], [-2])], attrs: { mode: A.string(mode) } });
    }
    add(13, { op: "Pad", inputs: [fx, i64([...crop, ...padsBE.slice(rank)])] });
    add(18, { op: "Pad", inputs: [fx, i64([padsBE[0], padsBE[rank]]), undefined, i64([axis])] });
    add(19, { op: "Pad", inputs: [fx, i64(padsBE.map((p, i) => Math.min(p, shape[i % rank])))], attrs: { mode: A.string("wrap") } });
    // Crop one side and pad the other, in every mode: the fill modes see the cropped axis.
    const mixed = shape.map((d) => {
      const c = int(r, 0, d - 1);
      return r() < 0.5 ? [-c, int(r, 0, d - c - 1)] : [int(r, 0, d - c - 1), -c];
    });
    add(19, { op: "Pad", inputs: [fx, i64([...mixed.map((m) => m[0]), ...mixed.map((m) => m[1])])], attrs: { mode: A.string(pick(r, ["constant", "reflect", "edge", "wrap"])) } });
    // Expand, Tile, Shape, Size, ConstantOfShape, Range, Dropout.
    const ex = shape.map((d) => (r() < 0.5 ? 1 : d));
    add(13, { op: "Expand", inputs: [randT(r, ex, x.dtype), i64([int(r, 1, 2), ...shape.map((d, i) => (ex[i] === 1 ? int(r, 1, 3) : pick(r, [1, d])))])] });
    add(13, { op: "Tile", inputs: [x, i64(shape.map(() => int(r, 0, 3)))] });
    add(15, { op: "Shape", inputs: [x], attrs: { start: A.int(int(r, -5, 5)), end: A.int(int(r, -5, 5)) } });
    add(13, { op: "Size", inputs: [x] });
    add(13, { op: "ConstantOfShape", inputs: [i64(shape)], attrs: r() < 0.5 ? {} : { value: A.tensor(tensor("int32", [1], [int(r, -9, 9)])) } });
    const rt = pick(r, ["int64", "int32", "float32"] as const);
    const [s0, lim, dl] = rt === "float32" ? [r() * 4 - 2, r() * 8 - 4, pick(r, [0.5, -0.25, 0.3])] : [int(r, -5, 5), int(r, -10, 10), pick(r, [1, 2, -1, -3])];
    add(11, { op: "Range", inputs: [tensor(rt, [], [s0]), tensor(rt, [], [lim]), tensor(rt, [], [dl])] });
    add(13, { op: "Dropout", inputs: [fx, tensor("float32", [], [0.3])], nOut: 2 });
    add(10, { op: "Dropout", inputs: [fx], attrs: { ratio: A.float(0.2) } });
  }
  return by;
}

describe("shaping ops vs onnxruntime (random seeded cases)", () => {
  const all = cases(rng(20261125));
  for (const [opset, list] of [...all].sort((a, b) => a[0] - b[0])) {
    it(`opset ${opset}: ${[...new Set(list.map((c) => c.op))].join(", ")} (${list.length} cases)`, async () => {
      const res = await ortBatch(list, opset);
      res.forEach(([ours, theirs], k) => {
        const c = list[k];
        const where = `${c.op} case ${k} inputs ${c.inputs.map((t) => (t ? `${t.dtype}[${t.shape}]` : "-")).join(" ")} attrs ${JSON.stringify(c.attrs ?? {})}`;
        theirs.forEach((t, j) => assert.equal(mismatch(ours[j], t, 1e-6, 1e-6), undefined, `${where} output ${j}`));
        // The shape rule, fed exact input shapes (and values for shape-sized inputs), predicts the output.
        const infos = c.inputs.map((t) => t && { dtype: t.dtype, shape: [...t.shape], ...(sizeOf(t.shape) <= 16 ? { value: t } : {}) });
        const pred = findOp(c.op)!.shape(infos, { node: mkNode(c.op, c.inputs, c.nOut ?? 1, c.attrs ?? {}), opset });
        ours.forEach((t, j) => {
          assert.equal(pred[j].dtype, t.dtype, `${where}: shape rule dtype`);
          assert.deepEqual(pred[j].shape, t.shape, `${where}: shape rule dims`);
          if (pred[j].value) assert.equal(mismatch(pred[j].value!, t, 0, 0), undefined, `${where}: shape rule value`);
        });
      });
    });
  }
});
