// Exporter styles: the same network written the ways real exporters write it. Each style is a small rewrite of
// the Model zoo/export.ts lays out (torch.onnx.export's form: Gemm(transB=1) + Relu, Conv, Flatten, Slice, Concat)
// into another exporter's form, computing the same function up to float32 rounding unless its doc says otherwise.
// bench/exporters.ts explains every zoo case in every style and checks that recall and fidelity stay the same;
// real torch.onnx.export output (opsets 9, 11, 17) comes from bench/exporters_torch.py beside these.
import type { Attr, Graph, Model, Node } from "../src/graph/graph.ts";
import { f32, tensor, type Tensor } from "../src/graph/tensor.ts";
import { cloneModel, NameAllocator, producerMap } from "../src/graph/passes/edit.ts";
import { floats } from "../src/graph/passes/consts.ts";
import { runModel } from "../src/run/interp.ts";
import { rng } from "../src/util/rng.ts";
import type { OutputKind } from "./case.ts";

/** One style: how an exporter writes the network. */
export interface ExporterStyle {
  name: string;
  /** Which exporter writes it this way, and what changes. */
  doc: string;
  /** Whether the style applies to a model (e.g. NHWC needs an image input); others are skipped. */
  applies?: (m: Model, kind: OutputKind) => boolean;
  /** The rewritten model (a copy). `seed` chooses its constants (statistics, scales). */
  rewrite: (m: Model, seed: number) => Model;
  /** Primitive signatures the style adds on purpose (an extra output's softmax): left out when comparing. */
  adds?: string[];
  /** The style writes an op pseudonet does not run: explain must stop with a one-line error naming this node. */
  unsupportedNode?: string;
  /** The model's input layout changes ([N, C, H, W] -> [N, H, W, C]): data rows must be permuted to match. */
  inputPerm?: (shape: readonly number[]) => number[] | undefined;
}

const int = (v: number): Attr => ({ kind: "int", value: v });
const flt = (v: number): Attr => ({ kind: "float", value: v });
const ints = (v: number[]): Attr => ({ kind: "ints", value: v });

/** A small editing context over a copied model: fresh names and node insertion. */
class Edit {
  readonly m: Model;
  readonly g: Graph;
  readonly names: NameAllocator;
  constructor(m: Model) {
    this.m = cloneModel(m);
    this.g = this.m.graph;
    this.names = new NameAllocator(this.g);
  }
  /** Add an initialiser under a fresh name. */
  init(base: string, t: Tensor): string {
    const n = this.names.fresh(base);
    this.g.initializers.set(n, t);
    return n;
  }
  /** A node with one fresh output, inserted at `at` (default: the end); returns its output. */
  node(base: string, op: string, inputs: string[], attrs: Record<string, Attr> = {}, at?: number, out?: string): string {
    const name = this.names.fresh(base);
    const o = out ?? this.names.fresh(`${name}_output_0`);
    const n: Node = { name, op, domain: "", inputs, outputs: [o], attrs };
    if (at === undefined) this.g.nodes.push(n);
    else this.g.nodes.splice(at, 0, n);
    return o;
  }
  /** Point every reader of `from` at `to`, except the nodes in `except`. */
  redirect(from: string, to: string, except: readonly Node[] = []): void {
    for (const n of this.g.nodes) if (!except.includes(n)) n.inputs = n.inputs.map((v) => (v === from ? to : v));
  }
  /** Insert a node reading `v` right after v's producer, and move all readers of v to its output. */
  after(v: string, base: string, op: string, rest: string[] = [], attrs: Record<string, Attr> = {}): string {
    const p = producerMap(this.g).get(v);
    const at = p ? this.g.nodes.indexOf(p) + 1 : 0;
    const isOut = this.g.outputs.some((o) => o.name === v);
    if (isOut) {
      // Keep the graph output's name on the new node: rename the old value.
      const inner = this.names.fresh(`${v}_pre`);
      p!.outputs = p!.outputs.map((o) => (o === v ? inner : o));
      this.redirect(v, inner);
      return this.node(base, op, [inner, ...rest], attrs, at, v);
    }
    const o = this.node(base, op, [v, ...rest], attrs, at);
    const added = this.g.nodes[at];
    this.redirect(v, o, [added]);
    return o;
  }
  ops(op: string): Node[] {
    return this.g.nodes.filter((n) => n.op === op);
  }
}

/** The weight [out, in] and bias of a canonical Gemm (transB=1) as float64. */
function gemmWeights(g: Graph, n: Node): { W: Float64Array; b: Float64Array; out: number; inF: number } {
  const W = g.initializers.get(n.inputs[1])!;
  return { W: floats(W)!, b: floats(g.initializers.get(n.inputs[2]))!, out: W.shape[0], inF: W.shape[1] };
}

function transpose2(W: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = W[r * cols + c];
  return t;
}

/** tf2onnx / keras2onnx: Dense as MatMul(x, W[in,out]) then Add(bias). */
function matmulAdd(m: Model): Model {
  const e = new Edit(m);
  for (const n of e.ops("Gemm")) {
    const { W, b, out, inF } = gemmWeights(e.g, n);
    const k = e.init(`${n.name}/kernel`, f32([inF, out], transpose2(W, out, inF)));
    const bias = e.init(`${n.name}/bias`, f32([out], b));
    const at = e.g.nodes.indexOf(n);
    const mm = e.node(`${n.name}/MatMul`, "MatMul", [n.inputs[0], k], {}, at);
    e.g.nodes[at + 1] = { name: e.names.fresh(`${n.name}/BiasAdd`), op: "Add", domain: "", inputs: [mm, bias], outputs: n.outputs, attrs: {} };
  }
  return e.m;
}

/** Gemm with the weight stored [in, out] and transB=0 (TF's Dense through some converters, Caffe2). */
function gemmTransB0(m: Model): Model {
  const e = new Edit(m);
  for (const n of e.ops("Gemm")) {
    const { W, out, inF } = gemmWeights(e.g, n);
    n.inputs[1] = e.init(`${n.inputs[1]}_t`, f32([inF, out], transpose2(W, out, inF)));
    n.attrs = { ...n.attrs, transB: int(0) };
  }
  return e.m;
}

/** Gemm with alpha = 0.25 and beta = 4 (the weights x4 and bias /4, exact in float32). */
function gemmAlphaBeta(m: Model): Model {
  const e = new Edit(m);
  for (const n of e.ops("Gemm")) {
    const { W, b, out, inF } = gemmWeights(e.g, n);
    n.inputs[1] = e.init(`${n.inputs[1]}_x4`, f32([out, inF], W.map((v) => v * 4)));
    n.inputs[2] = e.init(`${n.inputs[2]}_d4`, f32([out], b.map((v) => v / 4)));
    n.attrs = { ...n.attrs, alpha: flt(0.25), beta: flt(4) };
  }
  return e.m;
}

/** Gemm(transA=1) of a Transpose of the input (what a batch-last exporter writes). */
function gemmTransA(m: Model): Model {
  const e = new Edit(m);
  for (const n of e.ops("Gemm")) {
    const t = e.node(`${n.name}_transposeA`, "Transpose", [n.inputs[0]], { perm: ints([1, 0]) }, e.g.nodes.indexOf(n));
    n.inputs[0] = t;
    n.attrs = { ...n.attrs, transA: int(1) };
  }
  return e.m;
}

/** Identity nodes after every node (tf2onnx leaves them for tf.identity and at the outputs). */
function identities(m: Model): Model {
  const e = new Edit(m);
  for (const n of [...e.g.nodes]) if (n.op !== "Constant") e.after(n.outputs[0], `${n.name}/Identity`, "Identity");
  return e.m;
}

/** An inference-mode Dropout after every Relu (Keras and torch models exported with their dropout layers; opset 12+
 *  gives it a ratio input and no training_mode, which means inference). */
function dropouts(m: Model): Model {
  const e = new Edit(m);
  const ratio = e.init("dropout_ratio", f32([], [0.5]));
  for (const n of e.ops("Relu")) e.after(n.outputs[0], `${n.name.replace(/\/Relu$/, "")}/dropout/Dropout`, "Dropout", [ratio]);
  return e.m;
}

/** ReLU written another way: each Relu node replaced by `make`. */
function reluAs(m: Model, make: (e: Edit, n: Node) => void): Model {
  const e = new Edit(m);
  for (const n of e.ops("Relu")) make(e, n);
  return e.m;
}

/** Relu(x) as Max(x, 0) (tf.maximum(x, 0); TFLite converters). */
const reluMax = (m: Model) => reluAs(m, (e, n) => {
  n.op = "Max";
  n.inputs = [n.inputs[0], e.init("zero", f32([], [0]))];
});

/** Relu(x) as Clip(x, 0, +inf) (ReLU6-style export with no upper bound; opset 11+ inputs). */
const reluClip = (m: Model) => reluAs(m, (e, n) => {
  n.op = "Clip";
  n.inputs = [n.inputs[0], e.init("clip_min", f32([], [0])), e.init("clip_max", f32([], [Infinity]))];
});

/** Relu(x) as LeakyRelu(x, alpha=0) (Keras's ReLU(negative_slope=0) through tf2onnx). */
const reluLeaky0 = (m: Model) => reluAs(m, (_e, n) => {
  n.op = "LeakyRelu";
  n.attrs = { alpha: flt(0) };
});

/** The per-sample size of the graph input (its static dims' product). */
function inputSize(g: Graph): number {
  return (g.inputs[0].shape ?? []).slice(1).reduce<number>((a, d) => a * (d as number), 1);
}

/** Keras Flatten through tf2onnx: Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])) -- the batch read at
 *  run time. Every Flatten becomes one; a flat input gets one in front of the network too (a Flatten layer on a
 *  vector input is the identity, and exporters keep it). */
function reshapeShape(m: Model): Model {
  return reshapeStyle(m, (e, x, at) => {
    const s = e.node("/Shape", "Shape", [x], {}, at);
    const g0 = e.node("/Gather", "Gather", [s, e.init("zero_i", tensor("int64", [], [0]))], { axis: int(0) }, at + 1);
    const u = e.node("/Unsqueeze", "Unsqueeze", [g0, e.init("axes0", tensor("int64", [1], [0]))], {}, at + 2);
    return { shape: e.node("/Concat", "Concat", [u, e.init("minus1", tensor("int64", [1], [-1]))], { axis: int(0) }, at + 3), added: 4 };
  });
}

/** Flatten as Reshape(x, [-1, n]) with a constant shape (tf2onnx after constant folding; Keras Reshape). */
function reshapeConst(m: Model): Model {
  return reshapeStyle(m, (e, _x, _at, n) => ({ shape: e.init("flat_shape", tensor("int64", [2], [-1, n])), added: 0 }));
}

function reshapeStyle(m: Model, shapeOf: (e: Edit, x: string, at: number, n: number) => { shape: string; added: number }): Model {
  const e = new Edit(m);
  const flatIn = (e.g.inputs[0].shape ?? []).length === 2;
  if (flatIn) {
    const x = e.g.inputs[0].name;
    const { shape, added } = shapeOf(e, x, 0, inputSize(e.g));
    const r = e.node("/input_flatten/Reshape", "Reshape", [x, shape], {}, added);
    e.redirect(x, r, e.g.nodes.slice(0, added + 1)); // the shape nodes and the Reshape keep reading x
  }
  for (const f of e.ops("Flatten")) {
    const size = valueDims(e.m, f.inputs[0]).reduce((a, b) => a * b, 1);
    const at = e.g.nodes.indexOf(f);
    const { shape } = shapeOf(e, f.inputs[0], at, size);
    f.op = "Reshape";
    f.attrs = {};
    f.inputs = [f.inputs[0], shape];
  }
  return e.m;
}

/** Ops that read the channel axis at position 1 (NCHW). */
const LAYOUT_OPS = new Set(["Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"]);

/** Keras conv nets through tf2onnx: the input is NHWC, a Transpose to NCHW before each Conv (and pool) and back to
 *  NHWC after it, Flatten on NHWC (the next dense layer's columns permuted to HWC order to keep the function). Image inputs only. */
function nhwc(m: Model): Model {
  const e = new Edit(m);
  const x = e.g.inputs[0];
  const [n, c, h, w] = x.shape!;
  x.shape = [n, h, w, c];
  // NHWC -> NCHW before each Conv and pool, NCHW -> NHWC after it (and the Relu then runs on NHWC), as tf2onnx writes
  // Keras's channels-last layers before its transpose optimizer.
  for (const conv of e.g.nodes.filter((n) => LAYOUT_OPS.has(n.op))) {
    const at = e.g.nodes.indexOf(conv);
    conv.inputs[0] = e.node(`${conv.name}_nchw`, "Transpose", [conv.inputs[0]], { perm: ints([0, 3, 1, 2]) }, at);
    e.after(conv.outputs[0], `${conv.name}_nhwc`, "Transpose", [], { perm: ints([0, 2, 3, 1]) });
  }
  // Flatten now sees [N, H', W', C']: the reader of its output takes columns in HWC order.
  for (const f of e.ops("Flatten")) {
    const dims = valueDims(e.m, f.inputs[0]);
    const [hh, ww, cc] = dims;
    const readers = e.g.nodes.filter((r) => r.inputs[0] === f.outputs[0] && r.op === "Gemm");
    for (const r of readers) {
      const { W, out, inF } = gemmWeights(e.g, r);
      const P = new Float64Array(out * inF);
      for (let o = 0; o < out; o++) {
        for (let ci = 0; ci < cc; ci++) for (let y = 0; y < hh; y++) for (let xx = 0; xx < ww; xx++) P[o * inF + (y * ww + xx) * cc + ci] = W[o * inF + (ci * hh + y) * ww + xx];
      }
      r.inputs[1] = e.init(`${r.inputs[1]}_hwc`, f32([out, inF], P));
    }
  }
  return e.m;
}

/** Per-sample dims of a value (run on one zero row). */
function valueDims(m: Model, v: string): number[] {
  const shape = (m.graph.inputs[0].shape ?? []).map((d, i) => (i === 0 ? 1 : (d as number)));
  const x = f32(shape, new Float64Array(shape.reduce((a, b) => a * b, 1)));
  return runModel(m, { [m.graph.inputs[0].name]: x }, { outputs: [v] })[v].shape.slice(1);
}

/** BatchNormalization (inference mode, non-trivial statistics) after every Gemm and Conv, with the layer's weights
 *  divided by the BN's scale so the function is unchanged: BN(W'x + b') = s(W'x + b') + t = Wx + b. */
function batchNorm(m: Model, seed: number): Model {
  const e = new Edit(m);
  const u = rng(seed);
  const eps = 1e-5;
  for (const n of [...e.ops("Gemm"), ...e.ops("Conv")]) {
    const Wt = e.g.initializers.get(n.inputs[1])!;
    const c = Wt.shape[0];
    const W = floats(Wt)!;
    const b = n.inputs[2] ? floats(e.g.initializers.get(n.inputs[2]))! : new Float64Array(c);
    const gamma = Array.from({ length: c }, () => (u() < 0.5 ? -1 : 1) * (0.5 + u()));
    const beta = Array.from({ length: c }, () => u() - 0.5);
    const mean = Array.from({ length: c }, () => u() - 0.5);
    const vari = Array.from({ length: c }, () => 0.25 + 2 * u());
    const s = gamma.map((gm, i) => gm / Math.sqrt(vari[i] + eps));
    const t = beta.map((bt, i) => bt - mean[i] * s[i]);
    const per = W.length / c;
    n.inputs[1] = e.init(`${n.inputs[1]}_prebn`, f32(Wt.shape, W.map((v, i) => v / s[Math.floor(i / per)])));
    const bn = Array.from(b, (v, o) => (v - t[o]) / s[o]);
    n.inputs[2] = e.init(`${n.name}.bias_prebn`, f32([c], bn));
    const params = [gamma, beta, mean, vari].map((v, k) => e.init(`${n.name}_bn.${["weight", "bias", "running_mean", "running_var"][k]}`, f32([c], v)));
    e.after(n.outputs[0], `${n.name}_bn/BatchNormalization`, "BatchNormalization", params, { epsilon: flt(eps), momentum: flt(0.9) });
  }
  return e.m;
}

/** Input normalisation before the first layer: Sub(x, mean) then Div(std) per input feature (per channel, Div only,
 *  for an image: zero padding would see the shifted zero), with the first layers compensated so the function is
 *  unchanged: W'[:, i] = W[:, i] * std_i, b' = b + W mean. */
function inputNorm(m: Model, seed: number): Model {
  const e = new Edit(m);
  const u = rng(seed);
  const x = e.g.inputs[0];
  const dims = x.shape!.slice(1) as number[];
  const image = dims.length === 3;
  const nIn = dims.reduce((a, b) => a * b, 1);
  const nStat = image ? dims[0] : nIn;
  const mean = image ? new Array<number>(nStat).fill(0) : Array.from({ length: nStat }, () => Math.round((u() - 0.5) * 64) / 64);
  const std = Array.from({ length: nStat }, () => 2 ** Math.round(u() * 4 - 2)); // powers of two: exact in float32
  // Which input feature each first layer's input entry reads: run the plumbing on x = [0, 1, 2, ...].
  const firsts = e.g.nodes.filter((n) => (n.op === "Gemm" || n.op === "Conv") && readsInputDirectly(e.g, n, x.name));
  const idx = f32([1, ...dims], Float64Array.from({ length: nIn }, (_, i) => i));
  const srcs = runModel(e.m, { [x.name]: idx }, { outputs: firsts.map((n) => n.inputs[0]) });
  for (const n of firsts) {
    const Wt = e.g.initializers.get(n.inputs[1])!;
    const W = floats(Wt)!;
    const b = floats(e.g.initializers.get(n.inputs[2]))!;
    if (n.op === "Conv") {
      const [co, ci] = Wt.shape;
      const per = W.length / (co * ci);
      n.inputs[1] = e.init(`${n.inputs[1]}_norm`, f32(Wt.shape, W.map((v, i) => v * std[Math.floor(i / per) % ci])));
      continue;
    }
    // The statistic each column reads: its input feature, or that feature's channel for an image.
    const src = Array.from(srcs[n.inputs[0]].data as ArrayLike<number>, (f) => (image ? Math.floor(f / (nIn / nStat)) : f));
    const { out, inF } = gemmWeights(e.g, n);
    const W2 = new Float64Array(W.length);
    const b2 = Float64Array.from(b);
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < inF; i++) {
        W2[o * inF + i] = W[o * inF + i] * std[src[i]];
        b2[o] += W[o * inF + i] * mean[src[i]];
      }
    }
    n.inputs[1] = e.init(`${n.inputs[1]}_norm`, f32([out, inF], W2));
    n.inputs[2] = e.init(`${n.inputs[2]}_norm`, f32([out], b2));
  }
  const shape = image ? [1, nStat, 1, 1] : [1, nStat];
  const sub = e.init("input_mean", f32(shape, mean));
  const div = e.init("input_std", f32(shape, std));
  const s = image ? x.name : e.after(x.name, "/normalize/Sub", "Sub", [sub]);
  e.after(s, "/normalize/Div", "Div", [div]);
  return e.m;
}

/** Does a node read the graph input through pure data movement only (Slice, Flatten, Reshape, Identity, Transpose)? */
function readsInputDirectly(g: Graph, n: Node, x: string): boolean {
  const prod = producerMap(g);
  for (let v = n.inputs[0]; ; ) {
    if (v === x) return true;
    const p = prod.get(v);
    if (!p || !["Slice", "Flatten", "Reshape", "Identity", "Transpose"].includes(p.op)) return false;
    v = p.inputs[0];
  }
}

/** Mul of the output by a constant (a Keras Rescaling layer at the end; temperature), the last layers' weights
 *  divided by it so the function is unchanged. The scale is a power of two: exact in float32. */
function mulScale(m: Model): Model {
  const e = new Edit(m);
  const y = e.g.outputs[0].name;
  const scale = 0.25;
  const scaled = (name: string) => e.init(`${name}_x4`, f32(e.g.initializers.get(name)!.shape, floats(e.g.initializers.get(name))!.map((v) => v / scale)));
  for (const l of lastAffine(e.g, y)) {
    l.weight.inputs[l.weight.inputs.indexOf(l.w)] = scaled(l.w);
    if (l.bias) l.bias.inputs[l.bias.inputs.indexOf(l.b!)] = scaled(l.b!);
  }
  e.after(y, "/output_scale/Mul", "Mul", [e.init("output_scale", f32([], [scale]))]);
  return e.m;
}

/** A last layer: the node holding its weight `w`, and the node holding its bias `b` (the same node for Gemm/Conv,
 *  the Add after a MatMul). */
interface LastLayer {
  weight: Node;
  w: string;
  bias?: Node;
  b?: string;
}

/** The layers the output reads through Concat/Flatten/Reshape/Identity (the last layer of each branch). */
function lastAffine(g: Graph, y: string): LastLayer[] {
  const prod = producerMap(g);
  const found: LastLayer[] = [];
  const visit = (v: string): void => {
    const p = prod.get(v);
    if (!p) return;
    const data = p.inputs.find((i) => !g.initializers.has(i)) ?? "";
    if (p.op === "Gemm" || p.op === "Conv") found.push({ weight: p, w: p.inputs[1], ...(p.inputs[2] ? { bias: p, b: p.inputs[2] } : {}) });
    else if (p.op === "Add" && prod.get(data)?.op === "MatMul") {
      const mm = prod.get(data)!;
      found.push({ weight: mm, w: mm.inputs[1], bias: p, b: p.inputs.find((i) => g.initializers.has(i))! });
    } else if (["Concat", "Flatten", "Reshape", "Identity"].includes(p.op)) p.inputs.forEach((i) => !g.initializers.has(i) && visit(i));
    else throw new Error(`output scale: the output is computed by ${p.op} '${p.name}', not by a layer`);
  };
  visit(y);
  return found;
}

/** A classifier exported with its probabilities as a second output: probs = Softmax(y) (Keras's last Dense
 *  activation kept beside the logits). Classifiers (one-hot outputs) only. */
function softmaxOutput(m: Model): Model {
  const e = new Edit(m);
  const y = e.g.outputs[0];
  const p = e.node("/Softmax", "Softmax", [y.name], { axis: int(-1) }, undefined, "probs");
  e.g.outputs.push({ name: p, dtype: "float32", shape: [...(y.shape ?? [])] });
  return e.m;
}

/** A float64 model: every weight, the input and the output in double (a numpy-built or sklearn-converted net). */
function float64(m: Model): Model {
  const e = new Edit(m);
  for (const [k, t] of e.g.initializers) if (t.dtype === "float32") e.g.initializers.set(k, tensor("float64", t.shape, t.data as ArrayLike<number>));
  for (const v of [...e.g.inputs, ...e.g.outputs]) if (v.dtype === "float32") v.dtype = "float64";
  return e.m;
}

/** onnxruntime's optimized export: the first Gemm + Relu as com.microsoft FusedGemm(activation="Relu"), an op
 *  pseudonet has no kernel for (explain must say so, naming the node). */
function fusedGemm(m: Model): Model {
  const e = new Edit(m);
  const gemm = e.ops("Gemm").find((n) => e.g.nodes.some((r) => r.op === "Relu" && r.inputs[0] === n.outputs[0]));
  if (!gemm) throw new Error("no Gemm + Relu to fuse");
  const relu = e.g.nodes.find((r) => r.op === "Relu" && r.inputs[0] === gemm.outputs[0])!;
  Object.assign(gemm, { name: FUSED, op: "FusedGemm", domain: "com.microsoft", outputs: relu.outputs, attrs: { ...gemm.attrs, activation: { kind: "string", value: "Relu" } } });
  e.g.nodes = e.g.nodes.filter((n) => n !== relu);
  e.m.opset.set("com.microsoft", 1);
  return e.m;
}
const FUSED = "/fc1/FusedGemm";

/** Every style, in the order the sweep runs them. The baseline "gemm" is the zoo's own export. */
export const STYLES: readonly ExporterStyle[] = [
  { name: "gemm", doc: "torch.onnx.export's Gemm(transB=1) layout, as zoo/export.ts writes it (the baseline)", rewrite: (m) => cloneModel(m) },
  { name: "matmul-add", doc: "tf2onnx/Keras Dense: MatMul(x, W[in,out]) + Add(b)", rewrite: matmulAdd },
  { name: "gemm-transB0", doc: "Gemm with W[in,out], transB=0", rewrite: gemmTransB0 },
  { name: "gemm-alpha-beta", doc: "Gemm alpha=0.25, beta=4 (weights x4, bias /4)", rewrite: gemmAlphaBeta },
  { name: "gemm-transA", doc: "Gemm(transA=1) of Transpose(x)", rewrite: gemmTransA },
  { name: "identity", doc: "an Identity node after every node (tf2onnx)", rewrite: identities },
  { name: "dropout", doc: "an inference-mode Dropout(ratio 0.5) after every Relu", rewrite: dropouts },
  { name: "relu-max", doc: "Relu as Max(x, 0)", rewrite: reluMax },
  { name: "relu-clip", doc: "Relu as Clip(x, 0, +inf)", rewrite: reluClip },
  { name: "relu-leaky0", doc: "Relu as LeakyRelu(alpha=0)", rewrite: reluLeaky0 },
  { name: "reshape-shape", doc: "Flatten as Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])); flat inputs get one too", rewrite: reshapeShape },
  { name: "reshape-const", doc: "Flatten as Reshape(x, [-1, n]); flat inputs get one too", rewrite: reshapeConst },
  {
    name: "nhwc", doc: "NHWC input, Transpose to NCHW before each Conv and back after, Flatten on NHWC (image inputs)", rewrite: nhwc,
    applies: (m) => (m.graph.inputs[0].shape ?? []).length === 4, inputPerm: (s) => (s.length === 3 ? [1, 2, 0] : undefined),
  },
  { name: "batchnorm", doc: "BatchNormalization after every Gemm/Conv, weights compensated (same function)", rewrite: batchNorm },
  { name: "input-norm", doc: "Sub(mean)/Div(std) on the input (Div only for images), first layers compensated", rewrite: inputNorm },
  { name: "mul-scale", doc: "Mul(y, 0.25) at the output, last layers x4", rewrite: mulScale },
  { name: "softmax-output", doc: "a second output probs = Softmax(y) (classifiers)", rewrite: softmaxOutput, applies: (_m, k) => k === "onehot", adds: ["softmax"] },
  { name: "float64", doc: "every weight, the input and output in float64", rewrite: float64 },
  {
    name: "ort-fusedgemm", doc: "onnxruntime-optimized: Gemm + Relu as com.microsoft FusedGemm (unsupported: explain must name the node)", rewrite: fusedGemm,
    unsupportedNode: FUSED, applies: (m) => m.graph.nodes.some((n) => n.op === "Gemm" && m.graph.nodes.some((r) => r.op === "Relu" && r.inputs[0] === n.outputs[0])),
  },
];
