// Lower a Graph to a Net: each node with a neuron-level meaning becomes a layer (lower-node.ts); the rest are
// grouped into opaque layers holding their Graph fragment. Shapes come from shape inference run at two batch
// sizes (batchShapes), which marks the batch axis and tells static per-sample dims from run-time ones.
//
// Opaque grouping: an un-lowered node's depth is the largest number of lowered layers on a path from the
// inputs to it; connected un-lowered nodes of equal depth form one group. A path that leaves a group
// through a lowered layer comes back deeper, so the layer graph is acyclic by construction. A group read
// in several places is split into one layer per value read, each with the nodes that value needs.
import { topoSort, type Dim, type Graph, type Model, type Node } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import type { PassReport } from "../pipeline/pass.ts";
import { cloneNode, consumerMap, nodeReads } from "../graph/passes/edit.ts";
import { BATCH, batchShapes } from "../graph/passes/shapes.ts";
import { lowerNode, perSample, type LowerCtx, type Lowered } from "./lower-node.ts";
import { IdAllocator, idFromNodeName } from "./ids.ts";
import type { Layer, LayerBody, Net, NetInput, OpaqueLayer } from "./net.ts";

/** One layer before ids are given: its body, the values it reads, the value it computes, its nodes. */
interface Pending {
  /** Absent for opaque layers (their fragment is kept beside). */
  body?: LayerBody;
  data: string[];
  output: string;
  nodes: Node[];
  /** Topological index of the node producing `output`: sorting by it orders layers topologically. */
  pos: number;
}

class UnionFind {
  private parent = new Map<Node, Node>();
  find(n: Node): Node {
    let p = this.parent.get(n) ?? n;
    if (p !== n) {
      p = this.find(p);
      this.parent.set(n, p);
    }
    return p;
  }
  union(a: Node, b: Node): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

function dimsOf(ctx: LowerCtx, v: string): Dim[] | null {
  const s = ctx.shapes.get(v)?.shape;
  return s ? s.map((d) => (d === BATCH ? "batch" : d)) : null;
}

function dtypeOf(ctx: LowerCtx, v: string) {
  return ctx.shapes.get(v)?.dtype ?? [...ctx.g.outputs, ...ctx.g.valueInfo].find((x) => x.name === v)?.dtype ?? "float32";
}

/** The fragment computing `out` from nodes of `within`: backward closure, its inputs and initialisers. */
function fragment(ctx: LowerCtx, out: string, within: Set<Node>, producers: Map<string, Node>, order: Map<Node, number>, id: string): { graph: Graph; inputs: string[] } {
  const nodes = closure(out, within, producers);
  const produced = new Set<string>();
  nodes.forEach((n) => n.outputs.forEach((o) => produced.add(o)));
  const inputs: string[] = [];
  const inits = new Map<string, Tensor>();
  for (const n of nodes) {
    for (const v of nodeReads(n)) {
      if (produced.has(v) || inits.has(v) || inputs.includes(v)) continue;
      if (ctx.g.initializers.has(v)) inits.set(v, ctx.g.initializers.get(v)!);
      else inputs.push(v);
    }
  }
  inputs.sort();
  const sorted = [...nodes].sort((a, b) => order.get(a)! - order.get(b)!).map(cloneNode);
  const graph: Graph = {
    name: id,
    inputs: inputs.map((v) => ({ name: v, dtype: dtypeOf(ctx, v), shape: dimsOf(ctx, v) })),
    outputs: [{ name: out, dtype: dtypeOf(ctx, out), shape: dimsOf(ctx, out) }],
    nodes: sorted,
    initializers: inits,
    valueInfo: [],
  };
  return { graph, inputs };
}

/** Why a fragment stays opaque: its nodes' reasons, each with the ops it applies to. */
function summariseReasons(nodes: Set<Node>, reasons: Map<Node, string>): string {
  const byReason = new Map<string, Set<string>>();
  for (const n of nodes) {
    const r = reasons.get(n) ?? "feeds only opaque nodes";
    if (!byReason.has(r)) byReason.set(r, new Set());
    byReason.get(r)!.add(n.op);
  }
  const parts = [...byReason].map(([r, ops]) => {
    const list = [...ops];
    return `${r} (${list.slice(0, 5).join(", ")}${list.length > 5 ? ", ..." : ""})`;
  });
  return parts.slice(0, 3).join("; ") + (parts.length > 3 ? `; and ${parts.length - 3} more reasons` : "");
}

/** The nodes `out` needs within `within` (backward closure). */
function closure(out: string, within: Set<Node>, producers: Map<string, Node>): Set<Node> {
  const nodes = new Set<Node>();
  const stack = [out];
  const seen = new Set<string>();
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    const p = producers.get(v);
    if (p && within.has(p) && !nodes.has(p)) {
      nodes.add(p);
      stack.push(...nodeReads(p));
    }
  }
  return nodes;
}

/** Split a group read in several places into single-output fragments. Nodes are classed by which of the
 *  group's outputs need them; a class is a DAG slice whose values read by other classes become outputs too
 *  (e.g. a shared encoder feeding two heads becomes its own layer). Only nodes shared by two outputs of
 *  the same class are duplicated. */
function splitGroup(group: Set<Node>, outs: string[], producers: Map<string, Node>): { out: string; nodes: Set<Node> }[] {
  if (outs.length === 1) return [{ out: outs[0], nodes: group }];
  const sig = new Map<Node, string>([...group].map((n) => [n, ""]));
  outs.forEach((o, i) => closure(o, group, producers).forEach((n) => sig.set(n, `${sig.get(n)},${i}`)));
  const classes = new Map<string, Set<Node>>();
  for (const [n, k] of sig) {
    if (!classes.has(k)) classes.set(k, new Set());
    classes.get(k)!.add(n);
  }
  const external = new Set(outs);
  const result: { out: string; nodes: Set<Node> }[] = [];
  for (const cls of classes.values()) {
    const classOuts = new Set<string>();
    for (const n of cls) for (const o of n.outputs) if (external.has(o)) classOuts.add(o);
    for (const m of group) {
      if (cls.has(m)) continue;
      for (const v of nodeReads(m)) {
        const p = producers.get(v);
        if (p && cls.has(p)) classOuts.add(v);
      }
    }
    for (const o of classOuts) result.push({ out: o, nodes: closure(o, cls, producers) });
  }
  return result;
}

/** Lower a model to a Net; the report names every opaque layer and why. */
export function lower(model: Model): { net: Net; report: PassReport } {
  const g = model.graph;
  const order = topoSort(g);
  const index = new Map(order.map((n, i) => [n, i]));
  const { shapes } = batchShapes(model);
  const ctx: LowerCtx = { model, g, opset: model.opset.get("") ?? 1, shapes, readers: consumerMap(g) };

  // 1. Try each node.
  const loweredBy = new Map<Node, Lowered>();
  const reasons = new Map<Node, string>();
  const absorbed = new Set<Node>();
  for (const n of order) {
    if (absorbed.has(n)) continue;
    const r = lowerNode(ctx, n);
    if ("body" in r) {
      loweredBy.set(n, r);
      r.nodes.slice(1).forEach((m) => absorbed.add(m));
    } else reasons.set(n, r.reason);
  }
  const producers = new Map<string, Node>();
  for (const n of order) for (const o of n.outputs) if (o !== "") producers.set(o, n);
  const loweredOf = new Map<string, Lowered>(); // output value -> lowered layer
  for (const l of loweredBy.values()) loweredOf.set(l.output, l);

  // 2. Liveness from the graph outputs: a lowered layer needs only its data inputs.
  const liveLowered = new Set<Lowered>();
  const liveOpaque = new Set<Node>();
  const stack = g.outputs.map((o) => o.name);
  const seen = new Set<string>();
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    const l = loweredOf.get(v);
    if (l) {
      liveLowered.add(l);
      stack.push(...l.data);
      continue;
    }
    const p = producers.get(v);
    if (p && !liveOpaque.has(p)) {
      liveOpaque.add(p);
      stack.push(...nodeReads(p));
    }
  }

  // 3. Depths and groups of the opaque nodes.
  const depth = new Map<Node | Lowered, number>();
  const level = (v: string): number => {
    const l = loweredOf.get(v);
    if (l) return (depth.get(l) ?? 0) + 1;
    const p = producers.get(v);
    return p && liveOpaque.has(p) ? depth.get(p) ?? 0 : 0;
  };
  const uf = new UnionFind();
  for (const n of order) {
    const l = loweredBy.get(n);
    if (l && liveLowered.has(l)) depth.set(l, Math.max(0, ...l.data.map(level)));
    if (!liveOpaque.has(n)) continue;
    const reads = nodeReads(n);
    const d = Math.max(0, ...reads.map(level));
    depth.set(n, d);
    for (const v of reads) {
      const p = producers.get(v);
      if (p && liveOpaque.has(p) && !loweredOf.has(v) && depth.get(p) === d) uf.union(p, n);
    }
  }
  const groups = new Map<Node, Set<Node>>();
  for (const n of order) {
    if (!liveOpaque.has(n)) continue;
    const r = uf.find(n);
    if (!groups.has(r)) groups.set(r, new Set());
    groups.get(r)!.add(n);
  }

  // 4. Pending layers: lowered ones, and one opaque layer per group value read outside the group.
  const pending: Pending[] = [];
  for (const l of liveLowered) pending.push({ ...l, pos: index.get(l.nodes[l.nodes.length - 1])! });
  const outputNames = new Set(g.outputs.map((o) => o.name));
  const externalReads = new Set<string>(outputNames);
  for (const l of liveLowered) l.data.forEach((v) => externalReads.add(v));
  const opaqueFrag = new Map<Pending, { graph: Graph; reason: string }>();
  let groupNo = 0;
  for (const group of groups.values()) {
    groupNo++;
    const outs: string[] = [];
    for (const n of group) {
      for (const o of n.outputs) {
        if (o === "") continue;
        const readOutside = externalReads.has(o) || (ctx.readers.get(o) ?? []).some((m) => liveOpaque.has(m) && !group.has(m));
        if (readOutside) outs.push(o);
      }
    }
    for (const { out, nodes } of splitGroup(group, outs, producers)) {
      const { graph, inputs } = fragment(ctx, out, nodes, producers, index, `group${groupNo}`);
      const p: Pending = { data: inputs, output: out, nodes: graph.nodes, pos: index.get(producers.get(out)!)! };
      opaqueFrag.set(p, { graph, reason: summariseReasons(closure(out, nodes, producers), reasons) });
      pending.push(p);
    }
  }
  pending.sort((a, b) => a.pos - b.pos);

  // 5. Ids, references and shapes.
  const ids = new IdAllocator(g.inputs.map((v) => v.name));
  const ref = new Map<string, string>(g.inputs.map((v) => [v.name, v.name]));
  const layers: Layer[] = [];
  const details: string[] = [];
  let opaqueNo = 0;
  for (const p of pending) {
    const frag = opaqueFrag.get(p);
    const first = p.nodes[0];
    const id = frag ? ids.fresh(`opaque${++opaqueNo}`) : ids.fresh(idFromNodeName(first.name, first.op));
    const inputs = p.data.map((v) => ref.get(v) ?? v);
    const origin = p.nodes.map((n) => n.name);
    const common = { id, inputs, dtype: dtypeOf(ctx, p.output), origin };
    if (frag) {
      const ps = perSample(ctx, p.output);
      const dims = ctx.shapes.get(p.output)?.shape?.slice(1).map((d) => (typeof d === "number" ? d : -1)) ?? [];
      const body: OpaqueLayer = { kind: "opaque", graph: { ...frag.graph, name: id }, opset: new Map(model.opset), reason: frag.reason, perSample: !!ps };
      layers.push({ ...body, ...common, shape: ps ?? dims });
      const ops = [...new Set(frag.graph.nodes.map((n) => n.op))].join(", ");
      details.push(`${id}: ${frag.graph.nodes.length} nodes (${ops}) kept opaque: ${frag.reason}`);
    } else layers.push({ ...p.body!, ...common, shape: perSample(ctx, p.output)! });
    ref.set(p.output, id);
  }

  // Graph outputs that are initialisers: an opaque layer that just produces the constant.
  for (const o of g.outputs) {
    if (ref.has(o.name) || !g.initializers.has(o.name)) continue;
    const id = ids.fresh(`const_${idFromNodeName(o.name, "")}`);
    const src = `${o.name}__value`;
    const t = g.initializers.get(o.name)!;
    const graph: Graph = {
      name: id, inputs: [], outputs: [{ name: o.name, dtype: t.dtype, shape: [...t.shape] }],
      nodes: [{ name: id, op: "Identity", domain: "", inputs: [src], outputs: [o.name], attrs: {} }],
      initializers: new Map([[src, t]]), valueInfo: [],
    };
    layers.push({ kind: "opaque", graph, opset: new Map(model.opset), reason: "constant output", perSample: false, id, inputs: [], shape: t.shape.slice(1), dtype: t.dtype, origin: [] });
    ref.set(o.name, id);
  }

  const inputs: NetInput[] = g.inputs.map((v) => ({
    name: v.name, dtype: v.dtype,
    shape: (shapes.get(v.name)?.shape ?? v.shape ?? []).slice(1).map((d) => (typeof d === "number" ? d : -1)),
    batchDim: v.shape?.[0] ?? null,
  }));
  const net: Net = { name: g.name, inputs, layers, outputs: g.outputs.map((o) => ({ name: o.name, from: ref.get(o.name)! })) };

  const kinds = new Map<string, number>();
  for (const l of layers) kinds.set(l.kind, (kinds.get(l.kind) ?? 0) + 1);
  const dropped = order.length - [...liveLowered].reduce((a, l) => a + l.nodes.length, 0) - liveOpaque.size;
  if (dropped > 0) details.push(`${dropped} nodes not needed: shape plumbing the layers' static shapes replace, or dead code`);
  return {
    net,
    report: {
      pass: "lower",
      summary: `${layers.length} layers (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")})`,
      details,
    },
  };
}
