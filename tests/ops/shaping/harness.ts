// Single-node helpers for the shaping/sequence op tests: run one op with our kernel, infer its shapes,
// or run the same node with onnxruntime.
import type { Attr, Model, Node } from "../../../src/graph/graph.ts";
import { tensor, type DType, type Tensor } from "../../../src/graph/tensor.ts";
import { findOp } from "../../../src/ops/registry.ts";
import type { ShapeInfo } from "../../../src/ops/op.ts";
import { runNode } from "../../../src/run/interp.ts";
import { ortRun } from "../../../src/run/ort.ts";

/** Attribute shorthands. */
export const A = {
  int: (value: number): Attr => ({ kind: "int", value }),
  float: (value: number): Attr => ({ kind: "float", value }),
  ints: (value: number[]): Attr => ({ kind: "ints", value }),
  floats: (value: number[]): Attr => ({ kind: "floats", value }),
  string: (value: string): Attr => ({ kind: "string", value }),
  strings: (value: string[]): Attr => ({ kind: "strings", value }),
  tensor: (value: Tensor): Attr => ({ kind: "tensor", value }),
};

/** An int64 tensor (1-D unless a shape is given). */
export function i64(values: number[], shape: number[] = [values.length]): Tensor {
  return tensor("int64", shape, values);
}

/** A float32 tensor holding 0, 1, 2, ... */
export function iota(shape: number[], dtype: DType = "float32"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(dtype, shape, Array.from({ length: n }, (_, i) => i));
}

/** The values of a tensor as a plain array, for deepEqual. */
export function vals(t: Tensor): (number | string)[] {
  return Array.from(t.data as ArrayLike<number | string>);
}

/** A node named after its op, inputs in0.. ("" where omitted), outputs out0... */
export function mkNode(op: string, inputs: (unknown | undefined)[], nOut: number, attrs: Record<string, Attr> = {}): Node {
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

/** The same node as a one-node model, every present input a graph input. */
export function oneNodeModel(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr>, opset: number, nOut: number): Model {
  const node = mkNode(op, inputs, nOut, attrs);
  return {
    graph: {
      name: "g",
      inputs: inputs.flatMap((t, i) => (t ? [{ name: `in${i}`, dtype: t.dtype, shape: [...t.shape] }] : [])),
      outputs: node.outputs.map((name) => ({ name, dtype: "float32" as DType, shape: null })),
      nodes: [node],
      initializers: new Map(),
      valueInfo: [],
    },
    opset: new Map([["", opset]]),
    irVersion: 8, producerName: "pseudonet-tests", producerVersion: "", docString: "", metadata: {},
  };
}

/** Run one op with onnxruntime; returns its outputs in order. */
export async function ort(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 13, nOut = 1): Promise<Tensor[]> {
  const model = oneNodeModel(op, inputs, attrs, opset, nOut);
  // Output types are left to onnxruntime: declare each from a run of our kernel so the file is well-typed.
  const ours = run(op, inputs, attrs, opset, nOut);
  model.graph.outputs.forEach((o, i) => (o.dtype = ours[i]?.dtype ?? "float32"));
  const feeds: Record<string, Tensor> = {};
  inputs.forEach((t, i) => t && (feeds[`in${i}`] = t));
  const res = await ortRun(model, feeds);
  return model.graph.outputs.map((o) => res[o.name]);
}

/** One op application for ortBatch. */
export interface OpCase {
  op: string;
  inputs: (Tensor | undefined)[];
  attrs?: Record<string, Attr>;
  nOut?: number;
}

/** Run many single-op cases as one onnxruntime model (one session), returning [ours, theirs] per case. */
export async function ortBatch(cases: OpCase[], opset: number): Promise<[Tensor[], Tensor[]][]> {
  const nodes: Node[] = [];
  const feeds: Record<string, Tensor> = {};
  const ours: Tensor[][] = [];
  const model = oneNodeModel("Identity", [], {}, opset, 0);
  model.graph.nodes = nodes;
  cases.forEach((c, k) => {
    const n = mkNode(c.op, c.inputs, c.nOut ?? 1, c.attrs ?? {});
    n.name = `${c.op}_${k}`;
    n.inputs = n.inputs.map((v) => (v ? `c${k}_${v}` : ""));
    n.outputs = n.outputs.map((v) => `c${k}_${v}`);
    nodes.push(n);
    c.inputs.forEach((t, i) => {
      if (!t) return;
      feeds[`c${k}_in${i}`] = t;
      model.graph.inputs.push({ name: `c${k}_in${i}`, dtype: t.dtype, shape: [...t.shape] });
    });
    const mine = run(c.op, c.inputs, c.attrs ?? {}, opset, c.nOut ?? 1);
    ours.push(mine);
    n.outputs.forEach((o, j) => model.graph.outputs.push({ name: o, dtype: mine[j].dtype, shape: null }));
  });
  const res = await ortRun(model, feeds);
  return nodes.map((n, k) => [ours[k], n.outputs.map((o) => res[o])]);
}
