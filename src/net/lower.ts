// Lower a Graph to a Net: each node with a neuron-level meaning becomes a layer (lower-node.ts); the rest are
// grouped into opaque layers holding their Graph fragment. Shapes come from shape inference run at two batch
// sizes (batchShapes), which marks the batch axis and tells static per-sample dims from run-time ones.
//
// Opaque grouping: an un-lowered node's depth is the largest number of lowered layers on a path from the
// inputs to it; connected un-lowered nodes of equal depth form one group. A path that leaves a group
// through a lowered layer comes back deeper, so the layer graph is acyclic by construction. A group read
// in several places is split into one layer per value read, each with the nodes that value needs.
import { topoSort, type Graph, type Model, type Node } from "../graph/graph.ts";
import type { Pass, PassReport } from "../pipeline/pass.ts";
import { consumerMap, NameAllocator, nodeReads, producerMap, walkBack } from "../graph/passes/edit.ts";
import { batchShapes } from "../graph/passes/shapes.ts";
import { closure, dtypeOf, fragment, splitGroup, summariseReasons, UnionFind } from "./opaque.ts";
import { lowerNode, perSample, type LowerCtx, type Lowered } from "./lower-node.ts";
import { commonScope, idFromNodeName } from "./ids.ts";
import type { Layer, LayerBody, Net, NetInput, OpaqueLayer } from "./net.ts";
import { SEQ_DOMAIN } from "../seq/defs.ts";

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

/** Cheap layers (all but affine and conv) that only shuttle values between opaque nodes, like the reshapes,
 *  residual adds and softmaxes of an attention block, would cut one opaque region into many small ones. A
 *  connected run of them whose inputs all come from opaque nodes and whose values only opaque nodes read
 *  rejoins the opaque region (repeated until nothing changes). */
function demoteSandwiched(ctx: LowerCtx, loweredBy: Map<Node, Lowered>, reasons: Map<Node, string>, producers: Map<string, Node>): void {
  const outputs = new Set(ctx.g.outputs.map((o) => o.name));
  const cheap = (l: Lowered) => l.body.kind !== "affine" && l.body.kind !== "conv";
  for (let changed = true; changed; ) {
    changed = false;
    const layerOfNode = new Map<Node, Lowered>();
    for (const l of loweredBy.values()) l.nodes.forEach((n) => layerOfNode.set(n, l));
    const layerOfValue = (v: string) => {
      const p = producers.get(v);
      return p && layerOfNode.get(p)?.output === v ? layerOfNode.get(p) : undefined;
    };
    const uf = new UnionFind();
    const cheapLayers = [...loweredBy.values()].filter(cheap);
    for (const l of cheapLayers) {
      for (const v of l.data) {
        const p = layerOfValue(v);
        if (p && cheap(p)) uf.union(p.nodes[0], l.nodes[0]);
      }
    }
    const comps = new Map<Node, Lowered[]>();
    for (const l of cheapLayers) {
      const r = uf.find(l.nodes[0]);
      comps.set(r, [...(comps.get(r) ?? []), l]);
    }
    for (const comp of comps.values()) {
      const inComp = new Set(comp);
      const fedByOpaque = comp.every((l) => l.data.every((v) => {
        const p = layerOfValue(v);
        return p ? inComp.has(p) : producers.has(v) && !layerOfNode.has(producers.get(v)!);
      }));
      const readByOpaque = comp.every((l) => !outputs.has(l.output) && (ctx.readers.get(l.output) ?? []).every((r) => {
        const q = layerOfNode.get(r);
        return q ? inComp.has(q) : true;
      }));
      if (!fedByOpaque || !readByOpaque) continue;
      for (const l of comp) {
        loweredBy.delete(l.nodes[0]);
        for (const m of l.nodes) reasons.set(m, "between opaque nodes");
      }
      changed = true;
    }
  }
}

/** A sequence block (src/seq) stays a layer of its own: one opaque layer holding just its node. */
const isBlock = (n: Node): boolean => n.domain === SEQ_DOMAIN;

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
  const producers = producerMap(g);
  demoteSandwiched(ctx, loweredBy, reasons, producers);
  const loweredOf = new Map<string, Lowered>(); // output value -> lowered layer
  for (const l of loweredBy.values()) loweredOf.set(l.output, l);

  // 2. Liveness from the graph outputs: a lowered layer needs only its data inputs.
  const liveLowered = new Set<Lowered>();
  const liveOpaque = new Set<Node>();
  walkBack(g.outputs.map((o) => o.name), (v) => {
    const l = loweredOf.get(v);
    if (l) {
      liveLowered.add(l);
      return l.data;
    }
    const p = producers.get(v);
    if (!p || liveOpaque.has(p)) return [];
    liveOpaque.add(p);
    return nodeReads(p);
  });

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
      if (p && liveOpaque.has(p) && !loweredOf.has(v) && depth.get(p) === d && !isBlock(p) && !isBlock(n)) uf.union(p, n);
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
  const ids = new NameAllocator();
  for (const v of g.inputs) ids.take(v.name);
  const scope = commonScope(order.map((n) => n.name));
  const ref = new Map<string, string>(g.inputs.map((v) => [v.name, v.name]));
  const layers: Layer[] = [];
  const details: string[] = [];
  let opaqueNo = 0;
  for (const p of pending) {
    const frag = opaqueFrag.get(p);
    const first = p.nodes[0];
    const id = frag ? ids.fresh(`opaque${++opaqueNo}`) : ids.fresh(idFromNodeName(first.name.slice(scope.length), first.op));
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

/** lower as a pipeline pass. */
export const lowerPass: Pass<Model, Net> = {
  name: "lower",
  doc: "Graph -> Net: neuron-level layers with unit ids; what has no neuron-level meaning stays an opaque fragment (exact)",
  run(model) {
    const { net, report } = lower(model);
    return { out: net, report };
  },
};
