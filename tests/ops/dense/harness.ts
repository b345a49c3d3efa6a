// One-node models for the dense ops: run by our interpreter and by onnxruntime, compared with allclose.
import type { Attr, Model } from "../../../src/graph/graph.ts";
import { tensor, type DType, type Tensor } from "../../../src/graph/tensor.ts";
import { findOp } from "../../../src/ops/registry.ts";
import { runModel } from "../../../src/run/interp.ts";
import { ortRun } from "../../../src/run/ort.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { randnArray, rng } from "../../helpers/rng.ts";

export { attr as a } from "../../helpers/builder.ts";

/** One node: op, attributes, input tensors (undefined = omitted optional input), output count and dtypes. */
export interface NodeCase {
  op: string;
  attrs?: Record<string, Attr>;
  inputs: (Tensor | undefined)[];
  /** Output dtypes (one per output); defaults to one output of the first input's dtype. */
  outputs?: DType[];
  opset?: number;
}


/** The one-node model and its feeds; every present input is a graph input. */
export function oneNode(c: NodeCase): { model: Model; feeds: Record<string, Tensor> } {
  const feeds: Record<string, Tensor> = {};
  const names = c.inputs.map((t, i) => {
    if (!t) return "";
    feeds[`in${i}`] = t;
    return `in${i}`;
  });
  const outTypes = c.outputs ?? [c.inputs[0]!.dtype];
  const outputs = outTypes.map((dtype, i) => ({ name: `out${i}`, dtype, shape: null }));
  const model: Model = {
    graph: {
      name: "g",
      inputs: Object.entries(feeds).map(([name, t]) => ({ name, dtype: t.dtype, shape: [...t.shape] })),
      outputs,
      nodes: [{ name: `${c.op}_0`, op: c.op, domain: "", inputs: names, outputs: outputs.map((o) => o.name), attrs: c.attrs ?? {} }],
      initializers: new Map(),
      valueInfo: [],
    },
    opset: new Map([["", c.opset ?? 22]]),
    irVersion: 8,
    producerName: "test",
    producerVersion: "",
    docString: "",
    metadata: {},
  };
  return { model, feeds };
}

/** Many cases as one model (one onnxruntime session instead of one per case): case i's values are prefixed c{i}_. */
export function manyNodes(cases: NodeCase[], opset: number): { model: Model; feeds: Record<string, Tensor>; outputsOf: string[][] } {
  const parts = cases.map((c) => oneNode(c));
  const feeds: Record<string, Tensor> = {};
  const outputsOf: string[][] = [];
  const rename = (i: number, name: string) => (name === "" ? "" : `c${i}_${name}`);
  const g = parts[0].model.graph;
  const model: Model = { ...parts[0].model, opset: new Map([["", opset]]), graph: { ...g, inputs: [], outputs: [], nodes: [] } };
  parts.forEach((p, i) => {
    for (const [k, t] of Object.entries(p.feeds)) feeds[rename(i, k)] = t;
    const pg = p.model.graph;
    model.graph.inputs.push(...pg.inputs.map((v) => ({ ...v, name: rename(i, v.name) })));
    model.graph.outputs.push(...pg.outputs.map((v) => ({ ...v, name: rename(i, v.name) })));
    const n = pg.nodes[0];
    model.graph.nodes.push({ ...n, name: rename(i, n.name), inputs: n.inputs.map((x) => rename(i, x)), outputs: n.outputs.map((x) => rename(i, x)) });
    outputsOf.push(pg.outputs.map((v) => rename(i, v.name)));
  });
  return { model, feeds, outputsOf };
}

/** vsOrt over many cases sharing one session; one entry per case: undefined when it matches. */
export async function vsOrtMany(cases: NodeCase[], rtol = 1e-4, atol = 1e-5): Promise<(string | undefined)[]> {
  const opset = cases[0]?.opset ?? 22;
  if (cases.some((c) => (c.opset ?? 22) !== opset)) throw new Error("vsOrtMany: cases must share an opset");
  const { model, feeds, outputsOf } = manyNodes(cases, opset);
  let ref: Record<string, Tensor>;
  try {
    ref = await ortRun(model, feeds);
  } catch {
    // One case onnxruntime rejects spoils the batch: run them one by one to say which.
    return Promise.all(cases.map((c) => vsOrt(c, rtol, atol).catch((e: Error) => `onnxruntime: ${e.message}`)));
  }
  const ours = runModel(model, feeds);
  return outputsOf.map((outs) => {
    for (const o of outs) {
      const d = mismatch(ours[o], ref[o], rtol, atol);
      if (d) return `${o}: ${d}`;
    }
    return undefined;
  });
}

/** Run ours and onnxruntime on one node; undefined when every output matches, else what differs. */
export async function vsOrt(c: NodeCase, rtol = 1e-4, atol = 1e-5): Promise<string | undefined> {
  const { model, feeds } = oneNode(c);
  const ours = runModel(model, feeds);
  const ref = await ortRun(model, feeds);
  for (const o of model.graph.outputs) {
    const d = mismatch(ours[o.name], ref[o.name], rtol, atol);
    if (d) return `${o.name}: ${d}`;
  }
  return undefined;
}

/** A seeded float32 tensor of normal values. */
export function randT(r: () => number, shape: number[], scale = 1): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return { dtype: "float32", shape, data: randnArray(r, n, scale) };
}

export { rng };

/** Our shape rule on the inputs' types (values unknown) must give the dtypes and shapes run() produces. */
export function shapeRuleAgrees(c: NodeCase): string | undefined {
  const { model, feeds } = oneNode(c);
  const node = model.graph.nodes[0];
  const op = findOp(node.op)!;
  const ctx = { node, opset: c.opset ?? 22 };
  const infos = c.inputs.map((t) => (t ? { dtype: t.dtype, shape: [...t.shape] } : undefined));
  const inferred = op.shape(infos, ctx);
  const got = op.run(c.inputs, ctx);
  void feeds;
  for (let i = 0; i < got.length; i++) {
    const want = got[i];
    const inf = inferred[i];
    if (!inf || inf.dtype !== want.dtype || JSON.stringify(inf.shape) !== JSON.stringify(want.shape)) {
      return `output ${i}: shape rule says ${inf?.dtype}${JSON.stringify(inf?.shape)}, run gives ${want.dtype}${JSON.stringify(want.shape)}`;
    }
  }
  return undefined;
}

/** A seeded tensor of integers in [lo, hi] of an integer dtype. */
export function randInt(r: () => number, dtype: DType, shape: number[], lo: number, hi: number): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor(dtype, shape, Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1))));
}
