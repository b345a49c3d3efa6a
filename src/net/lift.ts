// Lift a Net back to a Graph that computes exactly what the Net computes: each layer's nodes (emit.ts),
// opaque fragments spliced in with their values renamed apart. The opset is 13, or the opaque fragments'
// own opset when there are any (their ops keep the semantics of the version they were written for).
import type { Dim, Graph, Model, Node, ValueInfo } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import { NameAllocator, renameValues } from "../graph/passes/edit.ts";
import { emitLayer } from "./emit.ts";
import type { Net, OpaqueLayer } from "./net.ts";

/** The default opset of a lifted Net with no opaque layer. */
export const LIFT_OPSET = 13;

/** The opset imports a Net lifts to: the opaque fragments' (highest per domain), else LIFT_OPSET. */
export function liftOpset(net: Net): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of net.layers) {
    if (l.kind !== "opaque") continue;
    for (const [d, v] of l.opset) out.set(d, Math.max(out.get(d) ?? 0, v));
  }
  if (!out.has("")) out.set("", LIFT_OPSET);
  const v = out.get("")!;
  if (v < 7) throw new UserError(`cannot lift a net whose opaque parts use opset ${v}: lifting needs opset 7 or later`);
  return out;
}

/** Splice an opaque fragment: its inputs read `ins`, its output is `out`, its other values get fresh names. */
function spliceOpaque(l: OpaqueLayer & { id: string }, ins: string[], out: string, names: NameAllocator): { nodes: Node[]; inits: Map<string, Tensor> } {
  const f = l.graph;
  if (f.inputs.length !== ins.length || f.outputs.length !== 1) {
    throw new Error(`lift: opaque layer '${l.id}' has ${f.inputs.length} fragment inputs for ${ins.length} layer inputs and ${f.outputs.length} outputs`);
  }
  const map = new Map<string, string>();
  f.inputs.forEach((v, i) => map.set(v.name, ins[i]));
  map.set(f.outputs[0].name, out);
  for (const k of f.initializers.keys()) if (!map.has(k)) map.set(k, names.fresh(k));
  for (const n of f.nodes) for (const o of n.outputs) if (o !== "" && !map.has(o)) map.set(o, names.fresh(o));
  const g = renameValues(f, map);
  return { nodes: g.nodes.map((n) => ({ ...n, name: names.fresh(n.name) })), inits: g.initializers };
}

function dims(batch: Dim, shape: number[]): Dim[] {
  return [batch, ...shape.map((d) => (d < 0 ? null : d))];
}

/** The Model computing what the Net computes (graph inputs and outputs keep their names). */
export function lift(net: Net): Model {
  const opset = liftOpset(net);
  const v = opset.get("")!;
  const names = new NameAllocator();
  for (const i of net.inputs) names.take(i.name);
  for (const o of net.outputs) names.take(o.name);
  const batch: Dim = net.inputs[0]?.batchDim ?? "batch";
  const value = new Map<string, string>(net.inputs.map((i) => [i.name, i.name]));
  const nodes: Node[] = [];
  const initializers = new Map<string, Tensor>();
  const outputOf = new Map<string, string>(); // layer id -> the first net output it feeds
  for (const o of net.outputs) if (!outputOf.has(o.from) && !value.has(o.from)) outputOf.set(o.from, o.name);

  for (const l of net.layers) {
    const ins = l.inputs.map((r) => {
      const val = value.get(r);
      if (val === undefined) throw new UserError(`layer '${l.id}' reads '${r}', which no earlier layer or input provides`);
      return val;
    });
    const out = outputOf.get(l.id) ?? names.fresh(l.id);
    const e = l.kind === "opaque" ? spliceOpaque(l, ins, out, names) : (({ nodes, initializers: inits }) => ({ nodes, inits }))(emitLayer(l, ins, out, v, names));
    nodes.push(...e.nodes);
    for (const [k, t] of e.inits) initializers.set(k, t);
    value.set(l.id, out);
  }

  const outputs: ValueInfo[] = net.outputs.map((o) => {
    const src = value.get(o.from);
    if (src === undefined) throw new UserError(`net output '${o.name}' comes from '${o.from}', which is not a layer or input`);
    if (src !== o.name) nodes.push({ name: names.fresh(`${o.name}/Identity`), op: "Identity", domain: "", inputs: [src], outputs: [o.name], attrs: {} });
    const layer = net.layers.find((l) => l.id === o.from);
    const inp = net.inputs.find((i) => i.name === o.from);
    const perSample = layer ? layer.kind !== "opaque" || layer.perSample : true;
    const shape = layer?.shape ?? inp?.shape ?? [];
    return { name: o.name, dtype: layer?.dtype ?? inp?.dtype ?? "float32", shape: perSample ? dims(batch, shape) : null };
  });
  const graph: Graph = {
    name: net.name ?? "pseudonet",
    inputs: net.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: dims(i.batchDim, i.shape) })),
    outputs,
    nodes,
    initializers,
    valueInfo: [],
  };
  return { graph, opset, irVersion: 8, producerName: "pseudonet", producerVersion: "0.1.0", docString: "", metadata: {} };
}
