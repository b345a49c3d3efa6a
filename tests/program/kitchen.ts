// A hand-written Program that uses every primitive kind (and the tricky parameters: pads, ceil mode,
// dilations, groups, 1-D convolution, per-element thresholds) and returns every value, so one run of each
// backend (interpreter, onnxruntime on reconstructed.onnx, program.ts, program.py) checks them all.
import type { PrimOp, PrimStmt, Program, ValueType, Weight } from "../../src/program/program.ts";
import { randnArray, rng } from "../helpers/rng.ts";

const vec = (n: number): ValueType => ({ kind: "vec", n });
const img = (c: number, h: number, w: number): ValueType => ({ kind: "image", c, h, w });
const ten = (shape: number[], dtype: "float32" | "int64" = "float32"): ValueType => ({ kind: "tensor", dtype, shape });

/** Every primitive kind in one program with inputs v: vec[6], im: image[2,7,7], sq: tensor[3,9]. */
export function kitchenSink(seed = 1): Program {
  const r = rng(seed);
  let wk = 0;
  const w = (shape: number[], scale = 0.5): Weight => ({ name: `w${++wk}`, shape, data: randnArray(r, shape.reduce((a, b) => a * b, 1), scale) });
  const body: PrimStmt[] = [];
  const st = (name: string, type: ValueType, args: string[], op: PrimOp): void => {
    body.push({ kind: "prim", out: { name, type }, args, prim: { ...op, id: `p${body.length + 1}`, slice: { layers: [], weights: [] }, error: 0 } as PrimStmt["prim"] });
  };
  const V = vec(6);
  const pool = (kernel: number[], strides: number[], pads: number[], dilations: number[], ceilMode: boolean, countIncludePad: boolean) =>
    ({ kernel, strides, pads, dilations, ceilMode, countIncludePad });
  for (const [name, params] of [
    ["a_leaky", { fn: "leaky_relu", alpha: 0.1 }], ["a_sig", { fn: "sigmoid" }], ["a_tanh", { fn: "tanh" }], ["a_gelu", { fn: "gelu" }],
    ["a_gelut", { fn: "gelu_tanh" }], ["a_exp", { fn: "exp" }], ["a_abs", { fn: "abs" }], ["a_clip", { fn: "clip", min: -0.3, max: 0.4 }],
    ["a_id", { fn: "identity" }], ["a_relu", { fn: "relu" }],
  ] as const) st(name, V, ["v"], { kind: "act", params: { ...params } });
  st("mx", V, ["v", "a_sig", "a_tanh"], { kind: "max", params: {} });
  st("mn", V, ["v", "a_tanh"], { kind: "min", params: {} });
  st("s_up", V, ["v"], { kind: "sort", params: { descending: false } });
  st("s_down", V, ["v"], { kind: "sort", params: { descending: true } });
  st("t_gt", V, ["v"], { kind: "threshold", params: { c: { name: "c_scalar", shape: [], data: Float32Array.of(0.1) }, strict: true } });
  st("t_ge", V, ["v"], { kind: "threshold", params: { c: w([6], 0.3), strict: false } });
  st("bits", { kind: "bits", n: 6 }, ["v"], { kind: "threshold", params: { c: { name: "c_zero", shape: [], data: Float32Array.of(0) }, strict: true } });
  st("l_and", V, ["bits", "t_gt"], { kind: "logic", params: { op: "and" } });
  st("l_or", V, ["bits", "t_ge"], { kind: "logic", params: { op: "or" } });
  st("l_xor", V, ["bits", "t_gt", "t_ge"], { kind: "logic", params: { op: "xor" } });
  st("l_not", V, ["bits"], { kind: "logic", params: { op: "not" } });
  st("l_maj", V, ["bits", "t_gt", "t_ge"], { kind: "logic", params: { op: "maj" } });
  st("pw", V, ["v"], { kind: "piecewise", params: { breakpoints: [-0.5, 0, 0.7], slopes: [0.5, -1, 2, 0.25], value0: 0.3 } });
  st("pw0", V, ["v"], { kind: "piecewise", params: { breakpoints: [], slopes: [-2], value0: 0.5 } });
  st("am", ten([], "int64"), ["v"], { kind: "argmax", params: { axis: 0, keepdims: false, selectLastIndex: false } });
  st("am_img", ten([1, 7, 7], "int64"), ["im"], { kind: "argmax", params: { axis: 0, keepdims: true, selectLastIndex: true } });
  st("aff", vec(5), ["v"], { kind: "affine", params: { W: w([5, 6]), b: w([5]), act: { fn: "clip", min: -0.2, max: 0.6 } } });
  st("aff_seq", ten([3, 4]), ["sq"], { kind: "affine", params: { W: w([4, 9]), b: w([4]) } });
  st("c_grp", img(4, 4, 4), ["im"], {
    kind: "conv", params: { weight: w([4, 1, 3, 3]), bias: w([4]), kernel: [3, 3], strides: [2, 2], pads: [1, 0, 1, 2], dilations: [1, 1], groups: 2, act: { fn: "relu" } },
  });
  st("c_dil", img(3, 7, 7), ["im"], {
    kind: "conv", params: { weight: w([3, 2, 3, 3]), bias: { name: "nobias", shape: [0], data: new Float32Array(0) }, kernel: [3, 3], strides: [1, 1], pads: [2, 2, 2, 2], dilations: [2, 2], groups: 1 },
  });
  st("c_1d", ten([2, 4]), ["sq"], {
    kind: "conv", params: { weight: w([2, 3, 3]), bias: w([2]), kernel: [3], strides: [2], pads: [1, 0], dilations: [1], groups: 1, act: { fn: "tanh" } },
  });
  st("p_max", img(2, 4, 4), ["im"], { kind: "maxpool", params: pool([2, 2], [2, 2], [0, 0, 0, 0], [1, 1], true, false) });
  st("p_avg_inc", img(2, 4, 4), ["im"], { kind: "avgpool", params: pool([2, 2], [2, 2], [1, 1, 1, 1], [1, 1], true, true) });
  st("p_avg", img(2, 4, 4), ["im"], { kind: "avgpool", params: pool([3, 3], [2, 2], [1, 1, 1, 1], [1, 1], false, false) });
  st("p_dil", img(2, 3, 3), ["im"], { kind: "maxpool", params: pool([2, 2], [2, 2], [0, 0, 0, 0], [2, 2], false, false) });
  st("p_gmax", img(2, 1, 1), ["im"], { kind: "global_maxpool", params: pool([], [], [], [], false, false) });
  st("p_gavg", img(2, 1, 1), ["im"], { kind: "global_avgpool", params: pool([], [], [], [], false, false) });
  st("p_1d", ten([3, 4]), ["sq"], { kind: "maxpool", params: pool([2], [2], [0, 0], [1], false, false) });
  st("sm_c", img(2, 7, 7), ["im"], { kind: "softmax", params: { axis: 0 } });
  st("lsm", V, ["v"], { kind: "log_softmax", params: { axis: 0 } });
  st("flat", vec(98), ["im"], { kind: "reshape", params: { shape: [98] } });
  st("resh", ten([14, 7]), ["im"], { kind: "reshape", params: { shape: [14, 7] } });
  st("cat", vec(12), ["v", "a_sig"], { kind: "concat", params: { axis: 0 } });
  st("cat_img", img(4, 7, 7), ["im", "sm_c"], { kind: "concat", params: { axis: 0 } });
  st("sum3", V, ["v", "a_sig", "mx"], { kind: "add", params: {} });
  // Slices of vectors and what is built from them: picks, linear combinations, lists, one-hot.
  st("a_tanh_0", vec(1), ["a_tanh"], { kind: "pick", params: { indices: [0] } });
  st("pk1", vec(1), ["v"], { kind: "pick", params: { indices: [2] } });
  st("pk3", vec(3), ["v"], { kind: "pick", params: { indices: [5, 0, 3] } });
  st("am_k", ten([1], "int64"), ["pk3"], { kind: "argmax", params: { axis: 0, keepdims: true, selectLastIndex: false } });
  st("lin", vec(1), ["pk1", "a_tanh_0"], { kind: "lincomb", params: { coefs: [2, -0.5], bias: 0.25 } });
  st("s_args", vec(4), ["pk1", "pk3"], { kind: "sort", params: { descending: false } });
  st("asm", vec(4), ["pk1", "lin", "pk1", "pk1"], { kind: "concat", params: { axis: 0 } });
  st("oh", vec(6), ["am"], { kind: "onehot", params: { n: 6 } });
  st("oh_k", vec(3), ["am_k"], { kind: "onehot", params: { n: 3 } });
  const outs = body.map((s) => s.out);
  return {
    name: "kitchen",
    inputs: [
      { name: "v", dtype: "float32", shape: [6], batchDim: "N" },
      { name: "im", dtype: "float32", shape: [2, 7, 7], batchDim: "N" },
      { name: "sq", dtype: "float32", shape: [3, 9], batchDim: "N" },
    ],
    outputs: outs.map((o) => ({ name: `out_${o.name}`, dtype: o.type.kind === "tensor" ? o.type.dtype : "float32", shape: shapeOf(o.type), batchDim: "N" })),
    functions: [{
      name: "main",
      params: [{ name: "v", type: V }, { name: "im", type: img(2, 7, 7) }, { name: "sq", type: ten([3, 9]) }],
      body,
      returns: outs.map((o) => o.name),
    }],
    entry: "main",
  };
}

function shapeOf(t: ValueType): number[] {
  return t.kind === "vec" || t.kind === "bits" ? [t.n] : t.kind === "image" ? [t.c, t.h, t.w] : t.shape;
}
