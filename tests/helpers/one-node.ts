// One ONNX node on its own: run by our kernel, by its shape rule, or by onnxruntime as a one-node model.
// Inputs are named in0, in1, ... ("" where omitted), outputs out0, out1, ...
import type { Attr, Model, Node } from "../../src/graph/graph.ts";
import type { DType, Tensor } from "../../src/graph/tensor.ts";
import { findOp } from "../../src/ops/registry.ts";
import type { ShapeInfo } from "../../src/ops/op.ts";
import { runNode } from "../../src/run/interp.ts";
import { ortRun } from "../../src/run/ort.ts";

export { attr as A } from "./builder.ts";

/** The values of a tensor as a plain array, for deepEqual. */
export function vals(t: Tensor): (number | string)[] {
  return Array.from(t.data as ArrayLike<number | string>);
}

/** A node named after its op, inputs in0.. ("" where omitted), outputs out0... */
export function mkNode(op: string, inputs: readonly unknown[], nOut: number, attrs: Record<string, Attr> = {}): Node {
  return {
    name: `${op}_test`, op, domain: "",
    inputs: inputs.map((t, i) => (t === undefined ? "" : `in${i}`)),
    outputs: Array.from({ length: nOut }, (_, i) => `out${i}`),
    attrs,
  };
}

/** Run one op with our kernel. */
export function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 13, nOut = 1): Tensor[] {
  return runNode(mkNode(op, inputs, nOut, attrs), new Map([["", opset]]), inputs);
}

/** Run one op's shape rule. */
export function infer(op: string, inputs: (ShapeInfo | undefined)[], attrs: Record<string, Attr> = {}, opset = 13, nOut = 1): ShapeInfo[] {
  const kernel = findOp(op);
  if (!kernel) throw new Error(`no kernel for ${op}`);
  return kernel.shape(inputs, { node: mkNode(op, inputs, nOut, attrs), opset });
}

/** The same node as a one-node model, every present input a graph input; one output per dtype in `outTypes`. */
export function oneNodeModel(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr>, opset: number, outTypes: DType[]): Model {
  const node = mkNode(op, inputs, outTypes.length, attrs);
  return {
    graph: {
      name: "g",
      inputs: inputs.flatMap((t, i) => (t ? [{ name: `in${i}`, dtype: t.dtype, shape: [...t.shape] }] : [])),
      outputs: node.outputs.map((name, i) => ({ name, dtype: outTypes[i], shape: null })),
      nodes: [node],
      initializers: new Map(),
      valueInfo: [],
    },
    opset: new Map([["", opset]]),
    irVersion: 8, producerName: "pseudonet-tests", producerVersion: "", docString: "", metadata: {},
  };
}

/** Run one op with our kernel and with onnxruntime (output types declared from ours); returns [ours, theirs]. */
export async function both(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 13, nOut = 1): Promise<[Tensor[], Tensor[]]> {
  const ours = run(op, inputs, attrs, opset, nOut);
  const model = oneNodeModel(op, inputs, attrs, opset, Array.from({ length: nOut }, (_, i) => ours[i]?.dtype ?? "float32"));
  const feeds: Record<string, Tensor> = {};
  inputs.forEach((t, i) => t && (feeds[`in${i}`] = t));
  const res = await ortRun(model, feeds);
  return [ours, model.graph.outputs.map((o) => res[o.name])];
}
