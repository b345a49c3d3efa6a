// Random seeded networks built directly in the Graph IR, laid out the way exporters write them
// (PyTorch: Gemm with transB=1 and "fc1.weight" initialisers; TF/Keras: MatMul + Add), for tests
// that compare passes, lowering and lifting against the interpreter and onnxruntime.
import type { Dim, Model } from "../../src/graph/graph.ts";
import { f32, type Tensor } from "../../src/graph/tensor.ts";
import { attr, GraphBuilder, i64 } from "./builder.ts";
import { randn, randnArray, rng, uniformArray } from "./rng.ts";

type Rng = () => number;

export { attr, GraphBuilder, i64 } from "./builder.ts";

export type Act = "relu" | "sigmoid" | "tanh" | "leaky_relu";

/** Append an activation node. */
export function addAct(b: GraphBuilder, scope: string, x: string, act: Act): string {
  switch (act) {
    case "relu": return b.node(scope, "Relu", [x]);
    case "sigmoid": return b.node(scope, "Sigmoid", [x]);
    case "tanh": return b.node(scope, "Tanh", [x]);
    case "leaky_relu": return b.node(scope, "LeakyRelu", [x], { alpha: attr.float(0.1) });
  }
}

/** Append a dense layer: PyTorch's Gemm(x, W[out,in], b, transB=1) or Keras's MatMul(x, W[in,out]) + Add(b). */
export function addDense(r: Rng, b: GraphBuilder, scope: string, x: string, nIn: number, nOut: number, style: "gemm" | "matmul", bias = true): string {
  const name = scope.replace(/^\//, "").replace(/\//g, ".");
  const W = randnArray(r, nIn * nOut, Math.sqrt(2 / nIn));
  const bv = randnArray(r, nOut, 0.1);
  if (style === "gemm") {
    const w = b.init(`${name}.weight`, f32([nOut, nIn], W));
    const inputs = bias ? [x, w, b.init(`${name}.bias`, f32([nOut], bv))] : [x, w];
    return b.node(scope, "Gemm", inputs, { alpha: attr.float(1), beta: attr.float(1), transB: attr.int(1) });
  }
  const y = b.node(scope, "MatMul", [x, b.init(`${name}.kernel`, f32([nIn, nOut], W))]);
  return bias ? b.node(scope, "Add", [y, b.init(`${name}.bias`, f32([nOut], bv))]) : y;
}

/** Append an inference-mode BatchNormalization over channel axis 1 with plausible running statistics. */
export function addBatchNorm(r: Rng, b: GraphBuilder, scope: string, x: string, c: number): string {
  const name = scope.replace(/^\//, "").replace(/\//g, ".");
  const inputs = [
    b.init(`${name}.weight`, f32([c], uniformArray(r, c, 0.5, 1.5))),
    b.init(`${name}.bias`, f32([c], randnArray(r, c, 0.2))),
    b.init(`${name}.running_mean`, f32([c], randnArray(r, c, 0.3))),
    b.init(`${name}.running_var`, f32([c], uniformArray(r, c, 0.5, 2))),
  ];
  return b.node(scope, "BatchNormalization", [x, ...inputs], { epsilon: attr.float(1e-5), momentum: attr.float(0.9) });
}

/** Append a Conv with a seeded He-initialised kernel. */
export function addConv(r: Rng, b: GraphBuilder, scope: string, x: string, cin: number, cout: number, k: number, pad: number, stride = 1, bias = true): string {
  const name = scope.replace(/^\//, "").replace(/\//g, ".");
  const w = b.init(`${name}.weight`, f32([cout, cin, k, k], randnArray(r, cout * cin * k * k, Math.sqrt(2 / (cin * k * k)))));
  const inputs = bias ? [x, w, b.init(`${name}.bias`, f32([cout], randnArray(r, cout, 0.1)))] : [x, w];
  return b.node(scope, "Conv", inputs, {
    dilations: attr.ints([1, 1]), group: attr.int(1), kernel_shape: attr.ints([k, k]),
    pads: attr.ints([pad, pad, pad, pad]), strides: attr.ints([stride, stride]),
  });
}

export interface MLPOptions {
  act?: Act;
  /** "gemm" as PyTorch writes nn.Linear, "matmul" as TF/Keras (MatMul + Add). */
  affine?: "gemm" | "matmul";
  /** BatchNorm1d after each hidden affine, before the activation. */
  batchNorm?: boolean;
  /** An (inference-mode) Dropout after each hidden activation. */
  dropout?: boolean;
  softmax?: "softmax" | "log_softmax";
  /** The input's batch dim: a symbol (default "batch") or a fixed size. */
  batch?: Dim;
  opset?: number;
}

/** A random MLP with layer widths `sizes` (input first): affine, [BN], act, [dropout] per hidden layer. */
export function randomMLP(r: Rng, sizes: number[], opts: MLPOptions = {}): Model {
  const b = new GraphBuilder("mlp");
  const style = opts.affine ?? "gemm";
  let x = b.input("input", [opts.batch ?? "batch", sizes[0]]);
  for (let i = 1; i < sizes.length; i++) {
    const scope = `/fc${i}`;
    x = addDense(r, b, scope, x, sizes[i - 1], sizes[i], style);
    if (i === sizes.length - 1) break;
    if (opts.batchNorm) x = addBatchNorm(r, b, `/bn${i}`, x, sizes[i]);
    x = addAct(b, `/act${i}`, x, opts.act ?? "relu");
    if (opts.dropout) x = b.nodeN(`/drop${i}`, "Dropout", [x], {}, 1)[0];
  }
  x = addHead(b, x, opts.softmax);
  b.output(x, "output", [opts.batch ?? "batch", sizes[sizes.length - 1]]);
  return b.model(opts.opset ?? 13);
}

function addHead(b: GraphBuilder, x: string, softmax: MLPOptions["softmax"]): string {
  if (softmax === "softmax") return b.node("", "Softmax", [x], { axis: attr.int(-1) });
  if (softmax === "log_softmax") return b.node("", "LogSoftmax", [x], { axis: attr.int(-1) });
  return x;
}

export interface CNNOptions {
  /** Per-sample input shape [C, H, W]. */
  input: [number, number, number];
  /** Output channels of each conv stage (conv, [BN], act, [pool]). */
  channels: number[];
  kernel?: number;
  /** Conv padding (default kernel>>1: "same"). */
  pad?: number;
  pool?: "max" | "avg" | "none";
  batchNorm?: boolean;
  act?: Act;
  /** How the image becomes a vector: Flatten, Reshape to a constant, or PyTorch's x.view(x.size(0), -1) (Shape/Gather/Concat/Reshape). */
  flatten?: "flatten" | "reshape" | "dynamic";
  /** Hidden dense widths after flattening. */
  hidden?: number[];
  classes: number;
  softmax?: MLPOptions["softmax"];
  batch?: Dim;
  opset?: number;
}

/** A random CNN: conv stages, flatten, dense head; shapes as a PyTorch export writes them. */
export function randomCNN(r: Rng, opts: CNNOptions): Model {
  const b = new GraphBuilder("cnn");
  const k = opts.kernel ?? 3;
  const pad = opts.pad ?? k >> 1;
  const batch = opts.batch ?? "batch";
  let [c, h, w] = opts.input;
  let x = b.input("input", [batch, c, h, w]);
  opts.channels.forEach((cout, i) => {
    x = addConv(r, b, `/conv${i + 1}`, x, c, cout, k, pad);
    [c, h, w] = [cout, h + 2 * pad - k + 1, w + 2 * pad - k + 1];
    if (opts.batchNorm) x = addBatchNorm(r, b, `/bn${i + 1}`, x, c);
    x = addAct(b, `/act${i + 1}`, x, opts.act ?? "relu");
    const pool = opts.pool ?? "max";
    if (pool !== "none" && h >= 2 && w >= 2) {
      const pattrs = { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), pads: attr.ints([0, 0, 0, 0]) };
      x = b.node(`/pool${i + 1}`, pool === "max" ? "MaxPool" : "AveragePool", [x], pattrs);
      [h, w] = [h >> 1, w >> 1];
    }
  });
  x = addFlatten(b, x, opts.flatten ?? "flatten", c * h * w);
  let n = c * h * w;
  (opts.hidden ?? []).forEach((m, i) => {
    x = addAct(b, `/fcact${i + 1}`, addDense(r, b, `/fc${i + 1}`, x, n, m, "gemm"), opts.act ?? "relu");
    n = m;
  });
  x = addDense(r, b, "/head", x, n, opts.classes, "gemm");
  x = addHead(b, x, opts.softmax);
  b.output(x, "output", [batch, opts.classes]);
  return b.model(opts.opset ?? 13);
}

/** Flatten an NCHW value to [N, n] the way the chosen exporter style does. */
export function addFlatten(b: GraphBuilder, x: string, style: "flatten" | "reshape" | "dynamic", n: number): string {
  if (style === "flatten") return b.node("", "Flatten", [x], { axis: attr.int(1) });
  if (style === "reshape") return b.node("", "Reshape", [x, b.init(`shape_${b.nodes.length}`, i64([2], [-1, n]))]);
  const shape = b.node("", "Shape", [x]);
  const n0 = b.node("", "Gather", [shape, b.init(`zero_${b.nodes.length}`, i64([], [0]))], { axis: attr.int(0) });
  const u = b.node("", "Unsqueeze", [n0, b.init(`axes_${b.nodes.length}`, i64([1], [0]))]);
  const cat = b.node("", "Concat", [u, b.init(`minus1_${b.nodes.length}`, i64([1], [-1]))], { axis: attr.int(0) });
  return b.node("", "Reshape", [x, cat]);
}

export interface ResidualOptions {
  kind: "mlp" | "conv";
  /** MLP: hidden width; conv: channels. */
  width: number;
  blocks: number;
  /** MLP: input features; conv: [C, H, W]. */
  input: number | [number, number, number];
  classes: number;
  batchNorm?: boolean;
  batch?: Dim;
  opset?: number;
}

/** A random residual net: stem, `blocks` x (two affine/conv with relu between, plus skip, relu), head. */
export function randomResidual(r: Rng, opts: ResidualOptions): Model {
  const b = new GraphBuilder(`res_${opts.kind}`);
  const batch = opts.batch ?? "batch";
  const wd = opts.width;
  let x: string;
  if (opts.kind === "mlp") {
    const nIn = opts.input as number;
    x = b.input("input", [batch, nIn]);
    x = addAct(b, "/stem", addDense(r, b, "/stem", x, nIn, wd, "gemm"), "relu");
    for (let i = 1; i <= opts.blocks; i++) {
      const s = `/block${i}`;
      let h = addDense(r, b, `${s}/fc1`, x, wd, wd, "gemm");
      if (opts.batchNorm) h = addBatchNorm(r, b, `${s}/bn1`, h, wd);
      h = addDense(r, b, `${s}/fc2`, addAct(b, s, h, "relu"), wd, wd, "gemm");
      x = b.node(s, "Relu", [b.node(s, "Add", [x, h])]);
    }
  } else {
    const [c, , ] = opts.input as [number, number, number];
    x = b.input("input", [batch, ...(opts.input as number[])]);
    x = addConv(r, b, "/stem", x, c, wd, 3, 1, 1, !opts.batchNorm);
    if (opts.batchNorm) x = addBatchNorm(r, b, "/stem/bn", x, wd);
    x = addAct(b, "/stem", x, "relu");
    for (let i = 1; i <= opts.blocks; i++) {
      const s = `/block${i}`;
      let h = addConv(r, b, `${s}/conv1`, x, wd, wd, 3, 1, 1, !opts.batchNorm);
      if (opts.batchNorm) h = addBatchNorm(r, b, `${s}/bn1`, h, wd);
      h = addConv(r, b, `${s}/conv2`, addAct(b, s, h, "relu"), wd, wd, 3, 1, 1, !opts.batchNorm);
      if (opts.batchNorm) h = addBatchNorm(r, b, `${s}/bn2`, h, wd);
      x = b.node(s, "Relu", [b.node(s, "Add", [x, h])]);
    }
    x = b.node("/pool", "GlobalAveragePool", [x]);
    x = b.node("", "Flatten", [x], { axis: attr.int(1) });
  }
  x = addDense(r, b, "/head", x, wd, opts.classes, "gemm");
  b.output(x, "output", [batch, opts.classes]);
  return b.model(opts.opset ?? 13);
}

/** Seeded standard-normal feeds for every float graph input, symbolic dims set to `batch`. */
export function randomFeeds(r: Rng, model: Model, batch = 4): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const inp of model.graph.inputs) {
    const shape = (inp.shape ?? []).map((d) => (typeof d === "number" ? d : batch));
    const n = shape.reduce((a, d) => a * d, 1);
    if (inp.dtype !== "float32") throw new Error(`randomFeeds: input '${inp.name}' is ${inp.dtype}; only float32 inputs are generated`);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = randn(r);
    feeds[inp.name] = f32(shape, data);
  }
  return feeds;
}

export interface NetCase {
  name: string;
  model: Model;
}

/** A spread of random exporter-style nets (MLPs, CNNs, residual nets; BN, dropout, softmax heads), seeded. */
export function randomNetCases(seed = 1): NetCase[] {
  const r = (k: number) => rng(seed * 1000 + k);
  return [
    { name: "mlp-gemm-bn-dropout-softmax", model: randomMLP(r(1), [6, 12, 10, 4], { batchNorm: true, dropout: true, softmax: "softmax" }) },
    { name: "mlp-matmul-tanh", model: randomMLP(r(2), [5, 9, 3], { affine: "matmul", act: "tanh" }) },
    { name: "mlp-leaky-logsoftmax", model: randomMLP(r(3), [7, 8, 8, 5], { act: "leaky_relu", softmax: "log_softmax" }) },
    { name: "mlp-sigmoid-fixed-batch", model: randomMLP(r(4), [4, 6, 2], { act: "sigmoid", batch: 1, opset: 11 }) },
    { name: "cnn-flatten-bn", model: randomCNN(r(5), { input: [2, 8, 8], channels: [4, 6], batchNorm: true, hidden: [10], classes: 3 }) },
    { name: "cnn-dynamic-avgpool", model: randomCNN(r(6), { input: [1, 9, 9], channels: [3], pool: "avg", flatten: "dynamic", classes: 4, softmax: "log_softmax" }) },
    { name: "cnn-reshape-nopad", model: randomCNN(r(7), { input: [3, 10, 10], channels: [4, 5], pad: 0, flatten: "reshape", classes: 2 }) },
    { name: "residual-mlp-bn", model: randomResidual(r(8), { kind: "mlp", width: 8, blocks: 2, input: 5, classes: 3, batchNorm: true }) },
    { name: "residual-conv-bn", model: randomResidual(r(9), { kind: "conv", width: 4, blocks: 2, input: [2, 6, 6], classes: 3, batchNorm: true }) },
  ];
}

/** Largest |a - b| over all elements, divided by the largest |b| (1 when b is all zeros). */
export function maxRelErr(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) return Infinity;
  const x = a.data as ArrayLike<number>;
  const y = b.data as ArrayLike<number>;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(x[i]) !== Number.isNaN(y[i])) return Infinity;
    if (Number.isNaN(y[i])) continue;
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return diff / (scale || 1);
}
