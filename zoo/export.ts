// Lay a ZooNet out as ONNX the way torch.onnx.export (opset 13) does for an nn.Module:
// Linear -> Gemm(transB=1) named "/fc1/Gemm" with initialisers "fc1.weight"/"fc1.bias" (or
// MatMul + Add with the weight stored transposed, as for batched Linear), nn.ReLU -> "/relu1/Relu",
// Conv2d -> "/conv1/Conv", nn.Flatten -> Flatten(axis=1), x[:, a:b] -> Slice fed by Constant nodes,
// torch.cat -> Concat(axis=1). A branch reused with shared weights gets the `_1`, `_2` node suffixes.
import type { Attr, Graph, Model, Node } from "../src/graph/graph.ts";
import { f32, tensor, type Tensor } from "../src/graph/tensor.ts";
import { outSize, type ZooNet } from "./net.ts";

export interface ExportOptions {
  /** Write dense layers as MatMul + Add instead of Gemm. */
  matmul?: boolean;
}

/** Where each layer of each branch landed in the ONNX graph: the affine node and its ReLU node. */
export interface LayerNodes {
  branch: number;
  layer: number;
  /** The Gemm, MatMul or Conv node. */
  affine: string;
  /** The Add node of a MatMul + Add layer. */
  add?: string;
  relu?: string;
  /** Number of units (rows or channels). */
  units: number;
}

/** The exported model and where each zoo layer went. */
export interface Exported {
  model: Model;
  layers: LayerNodes[];
}

const ints = (v: number[]): Attr => ({ kind: "ints", value: v });
const int = (v: number): Attr => ({ kind: "int", value: v });
const flt = (v: number): Attr => ({ kind: "float", value: v });

/** Build the ONNX Model of a net: input "x" [batch, ...inputShape], output "y" [batch, outputs]. */
export function toModel(net: ZooNet, name: string, opts: ExportOptions = {}): Exported {
  const nodes: Node[] = [];
  const inits = new Map<string, Tensor>();
  const layers: LayerNodes[] = [];
  const used = new Map<string, number>();
  let constants = 0;
  // PyTorch suffixes repeated scope names with _1, _2, ...; top-level unnamed ops too.
  const unique = (base: string): string => {
    const k = used.get(base) ?? 0;
    used.set(base, k + 1);
    return k === 0 ? base : `${base}_${k}`;
  };
  const emit = (name: string, op: string, inputs: string[], attrs: Record<string, Attr> = {}): string => {
    const out = `${name}_output_0`;
    nodes.push({ name, op, domain: "", inputs, outputs: [out], attrs });
    return out;
  };
  const constant = (values: number[]): string => {
    const nm = constants === 0 ? "/Constant" : `/Constant_${constants}`;
    constants++;
    const out = `${nm}_output_0`;
    nodes.push({ name: nm, op: "Constant", domain: "", inputs: [], outputs: [out], attrs: { value: { kind: "tensor", value: tensor("int64", [values.length], values) } } });
    return out;
  };
  const isImage = net.inputShape.length === 3;
  const outs: string[] = [];
  net.branches.forEach((br, bi) => {
    let cur = "x";
    if (br.slice) {
      const [axes, starts, ends, steps] = [constant([1]), constant([br.slice[0]]), constant([br.slice[1]]), constant([1])];
      cur = emit(unique("/Slice"), "Slice", [cur, starts, ends, axes, steps]);
    }
    let image = isImage && !br.slice;
    const prefix = net.branches.length > 1 || br.name !== "" ? `/${br.name}` : "";
    const wprefix = br.shareKey ?? br.name;
    const wname = (s: string) => (wprefix ? `${wprefix}.${s}` : s);
    br.layers.forEach((l, k) => {
      const mod = `${l.kind === "conv" ? "conv" : "fc"}${k + 1}`;
      const scope = unique(`${prefix}/${mod}`);
      let affineNode: string;
      let addNode: string | undefined;
      if (l.kind === "conv") {
        if (!image) throw new Error(`branch ${br.name}: conv layer ${k} after a flat value`);
        const [ic] = l.inShape;
        inits.set(wname(`${mod}.weight`), f32([l.outChannels, ic, l.kernel[0], l.kernel[1]], l.weight));
        inits.set(wname(`${mod}.bias`), f32([l.outChannels], l.bias));
        cur = emit(`${scope}/Conv`, "Conv", [cur, wname(`${mod}.weight`), wname(`${mod}.bias`)], {
          dilations: ints([1, 1]), group: int(1), kernel_shape: ints([...l.kernel]), pads: ints([l.pad, l.pad, l.pad, l.pad]), strides: ints([l.stride, l.stride]),
        });
        affineNode = nodes[nodes.length - 1].name;
      } else {
        if (image) {
          cur = emit(`${unique(`${prefix}/flatten`)}/Flatten`, "Flatten", [cur], { axis: int(1) });
          image = false;
        }
        if (opts.matmul) {
          const wt = new Float64Array(l.nIn * l.nOut);
          for (let o = 0; o < l.nOut; o++) for (let i = 0; i < l.nIn; i++) wt[i * l.nOut + o] = l.W[o * l.nIn + i];
          const mmName = `onnx::MatMul_${inits.size + 1}`;
          inits.set(mmName, f32([l.nIn, l.nOut], wt));
          inits.set(wname(`${mod}.bias`), f32([l.nOut], l.b));
          cur = emit(`${scope}/MatMul`, "MatMul", [cur, mmName]);
          affineNode = nodes[nodes.length - 1].name;
          cur = emit(`${scope}/Add`, "Add", [wname(`${mod}.bias`), cur]);
          addNode = nodes[nodes.length - 1].name;
        } else {
          inits.set(wname(`${mod}.weight`), f32([l.nOut, l.nIn], l.W));
          inits.set(wname(`${mod}.bias`), f32([l.nOut], l.b));
          cur = emit(`${scope}/Gemm`, "Gemm", [cur, wname(`${mod}.weight`), wname(`${mod}.bias`)], { alpha: flt(1), beta: flt(1), transB: int(1) });
          affineNode = nodes[nodes.length - 1].name;
        }
      }
      let reluNode: string | undefined;
      if (l.relu) {
        cur = emit(`${unique(`${prefix}/relu${k + 1}`)}/Relu`, "Relu", [cur]);
        reluNode = nodes[nodes.length - 1].name;
      }
      layers.push({ branch: bi, layer: k, affine: affineNode, add: addNode, relu: reluNode, units: l.kind === "dense" ? l.nOut : l.outChannels });
    });
    if (image) cur = emit(`${unique(`${prefix}/flatten`)}/Flatten`, "Flatten", [cur], { axis: int(1) });
    outs.push(cur);
  });
  const total = net.branches.reduce((n, br) => n + outSize(br.layers[br.layers.length - 1]), 0);
  const last = outs.length === 1 ? outs[0] : emit(unique("/Concat"), "Concat", outs, { axis: int(1) });
  // Rename the final value to "y", as torch.onnx.export(output_names=["y"]) does.
  for (const n of nodes) n.outputs = n.outputs.map((o) => (o === last ? "y" : o));
  const graph: Graph = {
    name: "main_graph",
    inputs: [{ name: "x", dtype: "float32", shape: ["batch", ...net.inputShape] }],
    outputs: [{ name: "y", dtype: "float32", shape: ["batch", total] }],
    nodes,
    initializers: inits,
    valueInfo: [],
  };
  const model: Model = {
    graph,
    opset: new Map([["", 13]]),
    irVersion: 7,
    producerName: "pseudonet-zoo",
    producerVersion: "0.1.0",
    docString: `zoo case ${name}: a known program compiled to weights`,
    metadata: {},
  };
  return { model, layers };
}
