// The reference interpreter: runs a Graph node by node with our own kernels.
import { topoSort, type Graph, type Model, type Node } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { findOp, supportedOps } from "../ops/registry.ts";
import { OpError, UnsupportedOpError, UserError } from "../errors.ts";

export interface RunOptions {
  /** Names of values to return; defaults to the graph outputs. Any intermediate value may be named. */
  outputs?: string[];
}

/** Check that every node has a kernel, throwing UnsupportedOpError for the first that does not. */
export function checkSupported(model: Model): void {
  for (const node of model.graph.nodes) {
    const opset = model.opset.get(node.domain) ?? model.opset.get("") ?? 1;
    if (!findOp(node.op, node.domain)) throw new UnsupportedOpError(node, opset, supportedOps());
  }
}

/** Run a model on named input tensors; returns the requested values by name. */
export function runModel(model: Model, feeds: Record<string, Tensor>, opts: RunOptions = {}): Record<string, Tensor> {
  return runGraph(model.graph, model.opset, feeds, opts);
}

/** Run a graph under the given opset imports. */
export function runGraph(
  graph: Graph,
  opset: Map<string, number>,
  feeds: Record<string, Tensor>,
  opts: RunOptions = {},
): Record<string, Tensor> {
  const wanted = opts.outputs ?? graph.outputs.map((o) => o.name);
  const env = new Map<string, Tensor>(graph.initializers);
  for (const inp of graph.inputs) {
    const t = feeds[inp.name];
    if (!t) {
      if (env.has(inp.name)) continue;
      throw new UserError(`no value given for model input '${inp.name}' (expected ${inp.dtype} ${fmtDims(inp.shape)})`);
    }
    env.set(inp.name, t);
  }
  const order = topoSort(graph);
  // Free each intermediate after its last use: keeps memory flat on deep nets.
  const lastUse = new Map<string, number>();
  order.forEach((n, i) => n.inputs.forEach((v) => lastUse.set(v, i)));
  const keep = new Set<string>([...wanted, ...graph.initializers.keys(), ...graph.inputs.map((i) => i.name)]);
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    const outs = runNode(node, opset, node.inputs.map((v) => (v === "" ? undefined : env.get(v))));
    node.outputs.forEach((name, k) => {
      if (name !== "" && outs[k]) env.set(name, outs[k]);
    });
    for (const v of node.inputs) if (lastUse.get(v) === i && !keep.has(v)) env.delete(v);
  }
  const result: Record<string, Tensor> = {};
  for (const name of wanted) {
    const t = env.get(name);
    if (!t) throw new UserError(`value '${name}' was not computed by the graph`);
    result[name] = t;
  }
  return result;
}

/** Run one node's kernel, turning kernel failures into errors that name the node. */
export function runNode(node: Node, opset: Map<string, number>, inputs: (Tensor | undefined)[]): Tensor[] {
  const version = opset.get(node.domain) ?? opset.get("") ?? 1;
  const op = findOp(node.op, node.domain);
  if (!op) throw new UnsupportedOpError(node, version, supportedOps());
  try {
    return op.run(inputs, { node, opset: version });
  } catch (e) {
    if (e instanceof UserError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    const shapes = inputs.map((t) => (t ? `${t.dtype}[${t.shape.join(",")}]` : "none")).join(", ");
    throw new OpError(node, `${msg} (inputs: ${shapes})`);
  }
}

function fmtDims(shape: (number | string | null)[] | null): string {
  return shape ? `[${shape.map((d) => d ?? "?").join(", ")}]` : "(unknown shape)";
}
