// One Graph node (or a MatMul/Gemm with the bias Add after it) to one Net layer body, when the node has an
// exact neuron-level meaning on per-sample float32 values; otherwise the reason it stays opaque.
import type { Graph, Model, Node } from "../graph/graph.ts";
import type { ShapeInfo } from "../ops/op.ts";
import { attrFloat, attrInt, attrInts, attrString } from "../ops/op.ts";
import { absorbAdd, gemmAffine, matmulAffine, type Affine } from "../graph/passes/canonical-affine.ts";
import { floats } from "../graph/passes/consts.ts";
import { BATCH } from "../graph/passes/shapes.ts";
import type { ActLayer, LayerBody, PoolLayer } from "./net.ts";

export interface LowerCtx {
  model: Model;
  g: Graph;
  /** Default-domain opset of the model. */
  opset: number;
  /** Shapes with the batch axis marked (see batchShapes). */
  shapes: Map<string, ShapeInfo>;
  readers: Map<string, Node[]>;
}

export interface Lowered {
  body: LayerBody;
  /** Value names the layer reads, in layer input order. */
  data: string[];
  /** The graph nodes the layer replaces (a MatMul and its bias Add, or one node). */
  nodes: Node[];
  /** The value the layer computes. */
  output: string;
}

/** A lowered layer, or why the node stays opaque (without the op name: reports group nodes by reason). */
export type LowerResult = Lowered | { reason: string };

/** The per-sample shape of a float32 value whose axis 0 is the batch and other dims are static, else undefined. */
export function perSample(ctx: LowerCtx, v: string): number[] | undefined {
  const info = ctx.shapes.get(v);
  if (!info?.shape || info.shape[0] !== BATCH || info.dtype !== "float32") return undefined;
  const rest = info.shape.slice(1);
  return rest.every((d) => typeof d === "number") ? (rest as number[]) : undefined;
}

const ACTS: Record<string, ActLayer["fn"]> = {
  Relu: "relu", LeakyRelu: "leaky_relu", Sigmoid: "sigmoid", Tanh: "tanh", Exp: "exp", Abs: "abs", Identity: "identity",
};

function act(ctx: LowerCtx, n: Node): ActLayer | string {
  if (n.op === "Gelu") {
    const approx = attrString(n, "approximate", "none");
    return { kind: "act", fn: approx === "tanh" ? "gelu_tanh" : "gelu" };
  }
  if (n.op === "LeakyRelu") return { kind: "act", fn: "leaky_relu", alpha: attrFloat(n, "alpha", 0.01) };
  if (n.op === "Clip") {
    const read = (i: number, name: string): number | undefined | string => {
      if (ctx.opset < 11) return attrFloat(n, name);
      const v = n.inputs[i];
      if (!v) return undefined;
      const t = floats(ctx.g.initializers.get(v));
      return t && t.length === 1 ? t[0] : `Clip ${name} is not a constant`;
    };
    const lo = read(1, "min");
    const hi = read(2, "max");
    if (typeof lo === "string") return lo;
    if (typeof hi === "string") return hi;
    const a: ActLayer = { kind: "act", fn: "clip" };
    if (lo !== undefined) a.min = lo;
    if (hi !== undefined) a.max = hi;
    return a;
  }
  return { kind: "act", fn: ACTS[n.op] };
}

/** Explicit [begins..., ends...] pads for a windowed op, resolving auto_pad from the input and output sizes. */
function explicitPads(n: Node, inSp: number[], outSp: number[], kernel: number[], strides: number[], dil: number[]): number[] {
  const auto = attrString(n, "auto_pad", "NOTSET");
  const r = inSp.length;
  if (auto === "NOTSET") return attrInts(n, "pads", new Array<number>(2 * r).fill(0));
  if (auto === "VALID") return new Array<number>(2 * r).fill(0);
  const begins: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < r; i++) {
    const total = Math.max(0, (outSp[i] - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - inSp[i]);
    const small = Math.floor(total / 2);
    begins.push(auto === "SAME_LOWER" ? total - small : small);
    ends.push(auto === "SAME_LOWER" ? small : total - small);
  }
  return [...begins, ...ends];
}

function affineBody(a: Affine): LayerBody {
  return { kind: "affine", W: new Float32Array(a.W), b: new Float32Array(a.b), inFeatures: a.inF, outFeatures: a.out };
}

function lowerAffine(ctx: LowerCtx, n: Node, x: number[]): LowerResult {
  const a = n.op === "Gemm" ? gemmAffine(ctx.g, n) : matmulAffine(ctx.g, n);
  if (!a) return { reason: `${n.op} without constant float weights (or with transA / a per-row bias)` };
  if (n.op === "Gemm" && x.length !== 1) return { reason: "Gemm input is not a per-sample vector" };
  if (x[x.length - 1] !== a.inF) return { reason: `input has ${x[x.length - 1]} features, weights expect ${a.inF}` };
  const nodes = [n];
  let output = n.outputs[0];
  const add = absorbAdd(ctx.g, output, a, (v) => ctx.readers.get(v) ?? []);
  if (add && perSample(ctx, add.out)) {
    nodes.push(add.add);
    output = add.out;
  }
  return { body: affineBody(a), data: [n.inputs[0]], nodes, output };
}

function lowerConv(ctx: LowerCtx, n: Node, x: number[], y: number[]): LowerResult {
  const W = ctx.g.initializers.get(n.inputs[1]);
  const w = floats(W);
  if (!W || !w || W.dtype !== "float32") return { reason: "Conv weight is not a constant float32 tensor" };
  const bias = n.inputs[2] ? floats(ctx.g.initializers.get(n.inputs[2])) : new Float64Array(W.shape[0]);
  if (!bias) return { reason: "Conv bias is not a constant" };
  const r = W.shape.length - 2;
  if (r > 2) return { reason: `${r}-D convolution: the Net's conv layer is 1-D or 2-D` };
  const kernel = attrInts(n, "kernel_shape", W.shape.slice(2));
  const strides = attrInts(n, "strides", new Array<number>(r).fill(1));
  const dilations = attrInts(n, "dilations", new Array<number>(r).fill(1));
  const pads = explicitPads(n, x.slice(1), y.slice(1), kernel, strides, dilations);
  return {
    body: {
      kind: "conv", weight: new Float32Array(w), bias: new Float32Array(bias), outChannels: W.shape[0], inChannels: x[0],
      kernel, strides, pads, dilations, groups: attrInt(n, "group", 1),
    },
    data: [n.inputs[0]], nodes: [n], output: n.outputs[0],
  };
}

function lowerPool(ctx: LowerCtx, n: Node, x: number[], y: number[]): LowerResult {
  const sp = x.slice(1);
  const r = sp.length;
  if (r > 2) return { reason: `${r}-D pooling: the Net's pool layer is 1-D or 2-D` };
  const ones = new Array<number>(r).fill(1);
  if (n.op === "GlobalAveragePool" || n.op === "GlobalMaxPool") {
    const mode = n.op === "GlobalAveragePool" ? "global_avg" : "global_max";
    const body: PoolLayer = { kind: "pool", mode, kernel: sp, strides: ones, pads: new Array<number>(2 * r).fill(0), countIncludePad: false, ceilMode: false, dilations: ones };
    return { body, data: [n.inputs[0]], nodes: [n], output: n.outputs[0] };
  }
  if (n.outputs[1] && ctx.readers.has(n.outputs[1])) return { reason: "MaxPool indices are used" };
  const kernel = attrInts(n, "kernel_shape", []);
  if (kernel.length !== r) return { reason: "pool kernel_shape does not match the input rank" };
  const strides = attrInts(n, "strides", ones);
  const dilations = attrInts(n, "dilations", ones);
  const body: PoolLayer = {
    kind: "pool", mode: n.op === "MaxPool" ? "max" : "avg", kernel, strides,
    pads: explicitPads(n, sp, y.slice(1), kernel, strides, dilations),
    countIncludePad: attrInt(n, "count_include_pad", 0) !== 0, ceilMode: attrInt(n, "ceil_mode", 0) !== 0, dilations,
  };
  return { body, data: [n.inputs[0]], nodes: [n], output: n.outputs[0] };
}

function lastAxisSoftmax(ctx: LowerCtx, n: Node, rank: number): boolean {
  const dflt = ctx.opset < 13 ? 1 : -1;
  let axis = attrInt(n, "axis", dflt);
  if (axis < 0) axis += rank;
  // Before opset 13 the input is flattened to 2-D at `axis`: the same as the last axis only when axis is last.
  return axis === rank - 1;
}

/** Lower one node, or say why it stays opaque. */
export function lowerNode(ctx: LowerCtx, n: Node): LowerResult {
  if (n.domain !== "") return { reason: `custom domain ${n.domain}` };
  const y = perSample(ctx, n.outputs[0] ?? "");
  const x = perSample(ctx, n.inputs[0] ?? "");
  if (!y || !x) return { reason: "not on per-sample float32 values with static shapes" };
  switch (n.op) {
    case "Gemm": case "MatMul":
      return lowerAffine(ctx, n, x);
    case "Conv":
      return lowerConv(ctx, n, x, y);
    case "MaxPool": case "AveragePool": case "GlobalAveragePool": case "GlobalMaxPool":
      return lowerPool(ctx, n, x, y);
    case "Relu": case "LeakyRelu": case "Sigmoid": case "Tanh": case "Exp": case "Abs": case "Identity": case "Gelu": case "Clip": {
      const a = act(ctx, n);
      return typeof a === "string" ? { reason: a } : { body: a, data: [n.inputs[0]], nodes: [n], output: n.outputs[0] };
    }
    case "Add": case "Sum": {
      const ins = n.inputs;
      const same = ins.every((v) => !ctx.g.initializers.has(v) && perSample(ctx, v)?.join() === y.join());
      if (!same || ins.length < 2) return { reason: `${n.op} of a constant or with broadcasting` };
      return { body: { kind: "add" }, data: [...ins], nodes: [n], output: n.outputs[0] };
    }
    case "Concat": {
      if (!n.inputs.every((v) => perSample(ctx, v) && !ctx.g.initializers.has(v))) return { reason: "Concat of a constant" };
      let axis = attrInt(n, "axis", 0);
      if (axis < 0) axis += y.length + 1;
      if (axis < 1) return { reason: "Concat along the batch axis" };
      return { body: { kind: "concat", axis: axis - 1 }, data: [...n.inputs], nodes: [n], output: n.outputs[0] };
    }
    case "Softmax": case "LogSoftmax":
      if (!lastAxisSoftmax(ctx, n, y.length + 1)) return { reason: `${n.op} not over the last axis` };
      return { body: { kind: "softmax", log: n.op === "LogSoftmax", axis: y.length - 1 }, data: [n.inputs[0]], nodes: [n], output: n.outputs[0] };
    case "Reshape": case "Flatten": case "Squeeze": case "Unsqueeze":
      return { body: { kind: "reshape" }, data: [n.inputs[0]], nodes: [n], output: n.outputs[0] };
    default:
      return { reason: "no neuron-level layer for this op" };
  }
}
