// Single-node helpers for the elementwise-family tests: run one op with our kernel, run its shape rule,
// or run the same node with onnxruntime, plus seeded random tensors.
import type { Attr, Model, Node } from "../../../src/graph/graph.ts";
import { sizeOf, tensor, type DType, type Tensor } from "../../../src/graph/tensor.ts";
import { findOp } from "../../../src/ops/registry.ts";
import type { ShapeInfo } from "../../../src/ops/op.ts";
import { runNode } from "../../../src/run/interp.ts";
import { ortRun } from "../../../src/run/ort.ts";
import { randn } from "../../helpers/rng.ts";

/** Attribute shorthands. */
export const A = {
  int: (value: number): Attr => ({ kind: "int", value }),
  float: (value: number): Attr => ({ kind: "float", value }),
  ints: (value: number[]): Attr => ({ kind: "ints", value }),
  string: (value: string): Attr => ({ kind: "string", value }),
};

/** A tensor of a dtype from values (shape defaults to 1-D). */
export function T(dtype: DType, values: number[] | string[], shape: number[] = [values.length]): Tensor {
  return tensor(dtype, shape, values);
}

/** A float32 tensor. */
export function F(values: number[], shape: number[] = [values.length]): Tensor {
  return tensor("float32", shape, values);
}

/** The values of a tensor as a plain array, for deepEqual. */
export function vals(t: Tensor): (number | string)[] {
  return Array.from(t.data as ArrayLike<number | string>);
}

/** Values rounded to a number of decimals (hand-checked float expectations). */
export function approx(t: Tensor, digits = 5): number[] {
  return Array.from(t.data as ArrayLike<number>, (v) => Number(v.toFixed(digits)));
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

/** Run one op with our kernel and return its first output. */
export function run1(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 13): Tensor {
  return run(op, inputs, attrs, opset)[0];
}

/** Run one op's shape rule. */
export function infer(op: string, inputs: (ShapeInfo | undefined)[], attrs: Record<string, Attr> = {}, opset = 13, nOut = 1): ShapeInfo[] {
  const kernel = findOp(op);
  if (!kernel) throw new Error(`no kernel for ${op}`);
  return kernel.shape(inputs, { node: mkNode(op, inputs, nOut, attrs), opset });
}

/** The same node as a one-node model, every present input a graph input; output types from our kernel. */
function oneNodeModel(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr>, opset: number, outs: Tensor[]): Model {
  const node = mkNode(op, inputs, outs.length, attrs);
  return {
    graph: {
      name: "g",
      inputs: inputs.flatMap((t, i) => (t ? [{ name: `in${i}`, dtype: t.dtype, shape: [...t.shape] }] : [])),
      outputs: outs.map((t, i) => ({ name: `out${i}`, dtype: t.dtype, shape: null })),
      nodes: [node],
      initializers: new Map(),
      valueInfo: [],
    },
    opset: new Map([["", opset]]),
    irVersion: 8, producerName: "pseudonet-tests", producerVersion: "", docString: "", metadata: {},
  };
}

/** Run one op with onnxruntime (and with our kernel, to type the outputs); returns [ours, theirs]. */
export async function both(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 13, nOut = 1): Promise<[Tensor[], Tensor[]]> {
  const ours = run(op, inputs, attrs, opset, nOut);
  const model = oneNodeModel(op, inputs, attrs, opset, ours);
  const feeds: Record<string, Tensor> = {};
  inputs.forEach((t, i) => t && (feeds[`in${i}`] = t));
  const res = await ortRun(model, feeds);
  return [ours, model.graph.outputs.map((o) => res[o.name])];
}

/** A seeded random tensor: normal floats (scaled), or integers in [lo, hi] for integer dtypes, 0/1 for bool. */
export function random(r: () => number, dtype: DType, shape: number[], scale = 1, lo = -20, hi = 20): Tensor {
  const n = sizeOf(shape);
  const v = Array.from({ length: n }, () => {
    if (dtype === "bool") return r() < 0.5 ? 1 : 0;
    if (dtype.startsWith("float")) return randn(r) * scale;
    return lo + Math.floor(r() * (hi - lo + 1));
  });
  return tensor(dtype, shape, v);
}

/** A random shape of the given rank with dims in [1, maxDim]. */
export function randomShape(r: () => number, rank: number, maxDim = 4): number[] {
  return Array.from({ length: rank }, () => 1 + Math.floor(r() * maxDim));
}

/** A shape that broadcasts to `shape`: a random suffix, with random dims set to 1. */
export function broadcastableTo(r: () => number, shape: number[]): number[] {
  const keep = Math.floor(r() * (shape.length + 1));
  return shape.slice(shape.length - keep).map((d) => (r() < 0.4 ? 1 : d));
}
