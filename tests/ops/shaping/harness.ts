// Single-node helpers for the shaping/sequence op tests: run one op with our kernel, infer its shapes,
// or run the same node with onnxruntime.
import type { Attr, Node } from "../../../src/graph/graph.ts";
import { tensor, type DType, type Tensor } from "../../../src/graph/tensor.ts";
import { ortRun } from "../../../src/run/ort.ts";
import { both, mkNode, oneNodeModel, run } from "../../helpers/one-node.ts";

export { A, infer, mkNode, run, vals } from "../../helpers/one-node.ts";

/** An int64 tensor (1-D unless a shape is given). */
export function i64(values: number[], shape: number[] = [values.length]): Tensor {
  return tensor("int64", shape, values);
}

/** A float32 tensor holding 0, 1, 2, ... */
export function iota(shape: number[], dtype: DType = "float32"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(dtype, shape, Array.from({ length: n }, (_, i) => i));
}

/** Run one op with onnxruntime; returns its outputs in order. */
export async function ort(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 13, nOut = 1): Promise<Tensor[]> {
  return (await both(op, inputs, attrs, opset, nOut))[1];
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
  const model = oneNodeModel("Identity", [], {}, opset, []);
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
