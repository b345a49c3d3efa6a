// The ONNX nodes that compute one (non-opaque) layer at a given opset. lift strings them into a Graph;
// runNet runs them with the interpreter's kernels, so the Net, its lifted Graph and runNet agree by construction.
import type { Attr, Node } from "../graph/graph.ts";
import { f32, tensor, type Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import type { NameAllocator } from "../graph/passes/edit.ts";
import type { ActLayer, AffineLayer, Layer } from "./net.ts";

export interface Emitted {
  nodes: Node[];
  initializers: Map<string, Tensor>;
}

/** A float32 tensor over an existing array (no copy: layers are immutable, see net.ts). */
const wrap = (shape: number[], data: Float32Array): Tensor => ({ dtype: "float32", shape, data });
const int = (value: number): Attr => ({ kind: "int", value });
const float = (value: number): Attr => ({ kind: "float", value });
const ints = (value: number[]): Attr => ({ kind: "ints", value });

// W^T for MatMul, cached per weight array: runNet would otherwise transpose on every batch.
const transposed = new WeakMap<Float32Array, Float32Array>();

/** An affine layer's weight as [in, out] (what MatMul wants), cached. */
export function weightT(l: AffineLayer): Float32Array {
  let t = transposed.get(l.W);
  if (!t) {
    t = new Float32Array(l.W.length);
    for (let o = 0; o < l.outFeatures; o++) for (let i = 0; i < l.inFeatures; i++) t[i * l.outFeatures + o] = l.W[o * l.inFeatures + i];
    transposed.set(l.W, t);
  }
  return t;
}

/** Emit the nodes of a layer reading `ins` and writing `out`; names come from `names` (values and nodes). */
export function emitLayer(l: Layer, ins: string[], out: string, opset: number, names: NameAllocator): Emitted {
  const nodes: Node[] = [];
  const initializers = new Map<string, Tensor>();
  const init = (suffix: string, t: Tensor): string => {
    const name = names.fresh(`${l.id}.${suffix}`);
    initializers.set(name, t);
    return name;
  };
  const node = (op: string, inputs: string[], attrs: Record<string, Attr> = {}, output?: string): string => {
    const o = output ?? names.fresh(`${l.id}/${op}_output`);
    nodes.push({ name: names.fresh(`${l.id}/${op}`), op, domain: "", inputs, outputs: [o], attrs });
    return o;
  };
  const where = `layer '${l.id}' (${l.kind})`;
  switch (l.kind) {
    case "affine": {
      const b = init("b", wrap([l.outFeatures], l.b));
      if (l.shape.length === 1) {
        node("Gemm", [ins[0], init("W", wrap([l.outFeatures, l.inFeatures], l.W)), b], { alpha: float(1), beta: float(1), transB: int(1) }, out);
      } else {
        const y = node("MatMul", [ins[0], init("W", wrap([l.inFeatures, l.outFeatures], weightT(l)))]);
        node("Add", [y, b], {}, out);
      }
      break;
    }
    case "conv": {
      const wShape = [l.outChannels, l.inChannels / l.groups, ...l.kernel];
      node("Conv", [ins[0], init("weight", wrap(wShape, l.weight)), init("bias", wrap([l.outChannels], l.bias))], {
        kernel_shape: ints(l.kernel), strides: ints(l.strides), pads: ints(l.pads), dilations: ints(l.dilations), group: int(l.groups),
      }, out);
      break;
    }
    case "act":
      emitAct(l, ins[0], out, opset, init, node, where);
      break;
    case "pool": {
      if (l.mode === "global_avg" || l.mode === "global_max") {
        node(l.mode === "global_avg" ? "GlobalAveragePool" : "GlobalMaxPool", [ins[0]], {}, out);
        break;
      }
      const attrs: Record<string, Attr> = { kernel_shape: ints(l.kernel), strides: ints(l.strides), pads: ints(l.pads) };
      if (l.ceilMode) {
        if (opset < 10) throw new UserError(`${where}: ceil_mode needs opset 10, the net is lifted at ${opset}`);
        attrs.ceil_mode = int(1);
      }
      if (l.dilations.some((d) => d !== 1)) {
        if (opset < (l.mode === "max" ? 10 : 19)) throw new UserError(`${where}: pool dilations need a newer opset than ${opset}`);
        attrs.dilations = ints(l.dilations);
      }
      if (l.mode === "avg" && l.countIncludePad) attrs.count_include_pad = int(1);
      node(l.mode === "max" ? "MaxPool" : "AveragePool", [ins[0]], attrs, out);
      break;
    }
    case "add": {
      let acc = ins[0];
      for (let i = 1; i < ins.length; i++) acc = node("Add", [acc, ins[i]], {}, i === ins.length - 1 ? out : undefined);
      if (ins.length === 1) node("Identity", [acc], {}, out);
      break;
    }
    case "concat":
      node("Concat", ins, { axis: int(l.axis + 1) }, out);
      break;
    case "softmax": {
      const rank = l.shape.length + 1;
      if (opset < 13 && l.axis !== l.shape.length - 1) {
        throw new UserError(`${where}: softmax over a non-last axis needs opset 13, the net is lifted at ${opset}`);
      }
      node(l.log ? "LogSoftmax" : "Softmax", [ins[0]], { axis: int(opset < 13 ? rank - 1 : l.axis + 1) }, out);
      break;
    }
    case "reshape":
      node("Reshape", [ins[0], init("shape", tensor("int64", [l.shape.length + 1], [-1, ...l.shape]))], {}, out);
      break;
    case "opaque":
      throw new Error(`emitLayer: ${where} is lifted from its fragment, not emitted`);
  }
  return { nodes, initializers };
}

type Init = (suffix: string, t: Tensor) => string;
type NodeFn = (op: string, inputs: string[], attrs?: Record<string, Attr>, output?: string) => string;

function emitAct(l: ActLayer & { id: string }, x: string, out: string, opset: number, init: Init, node: NodeFn, where: string): void {
  const c = (suffix: string, v: number) => init(suffix, f32([], [v]));
  switch (l.fn) {
    case "relu": node("Relu", [x], {}, out); return;
    case "leaky_relu": node("LeakyRelu", [x], { alpha: float(l.alpha ?? 0.01) }, out); return;
    case "sigmoid": node("Sigmoid", [x], {}, out); return;
    case "tanh": node("Tanh", [x], {}, out); return;
    case "exp": node("Exp", [x], {}, out); return;
    case "abs": node("Abs", [x], {}, out); return;
    case "identity": node("Identity", [x], {}, out); return;
    case "clip": {
      if (opset < 11) {
        const attrs: Record<string, Attr> = {};
        if (l.min !== undefined) attrs.min = float(l.min);
        if (l.max !== undefined) attrs.max = float(l.max);
        node("Clip", [x], attrs, out);
      } else {
        node("Clip", [x, l.min !== undefined ? c("min", l.min) : "", l.max !== undefined ? c("max", l.max) : ""], {}, out);
      }
      return;
    }
    case "gelu": case "gelu_tanh": {
      if (opset >= 20) {
        node("Gelu", [x], { approximate: { kind: "string", value: l.fn === "gelu" ? "none" : "tanh" } }, out);
        return;
      }
      if (opset < 9) throw new UserError(`${where}: gelu needs opset 9 (Erf), the net is lifted at ${opset}`);
      let inner: string;
      if (l.fn === "gelu") {
        inner = node("Erf", [node("Mul", [x, c("inv_sqrt2", Math.SQRT1_2)])]);
      } else {
        const cube = node("Mul", [node("Mul", [x, x]), x]);
        const poly = node("Add", [x, node("Mul", [cube, c("k", 0.044715)])]);
        inner = node("Tanh", [node("Mul", [poly, c("sqrt_2_over_pi", Math.sqrt(2 / Math.PI))])]);
      }
      const half = node("Mul", [x, c("half", 0.5)]);
      node("Mul", [half, node("Add", [inner, c("one", 1)])], {}, out);
      return;
    }
  }
}
