// Opaque layers: the Graph fragments lower keeps for nodes with no neuron-level layer. A group of connected
// un-lowered nodes is split into single-output fragments, each with its inputs, initialisers and a reason.
import type { Dim, Graph, Node } from "../graph/graph.ts";
import type { DType, Tensor } from "../graph/tensor.ts";
import { cloneNode, nodeReads, walkBack } from "../graph/passes/edit.ts";
import { BATCH } from "../graph/passes/shapes.ts";
import type { LowerCtx } from "./lower-node.ts";

/** Union-find over nodes: the opaque groups. */
export class UnionFind {
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

/** A value's dims for a fragment's ValueInfo (the batch axis as the symbol "batch"). */
export function dimsOf(ctx: LowerCtx, v: string): Dim[] | null {
  const s = ctx.shapes.get(v)?.shape;
  return s ? s.map((d) => (d === BATCH ? "batch" : d)) : null;
}

/** A value's dtype (inferred, else declared, else float32). */
export function dtypeOf(ctx: LowerCtx, v: string): DType {
  return ctx.shapes.get(v)?.dtype ?? [...ctx.g.outputs, ...ctx.g.valueInfo].find((x) => x.name === v)?.dtype ?? "float32";
}

/** The fragment computing `out` from nodes of `within`: backward closure, its inputs and initialisers. */
export function fragment(ctx: LowerCtx, out: string, within: Set<Node>, producers: Map<string, Node>, order: Map<Node, number>, id: string): { graph: Graph; inputs: string[] } {
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
export function summariseReasons(nodes: Set<Node>, reasons: Map<Node, string>): string {
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
export function closure(out: string, within: Set<Node>, producers: Map<string, Node>): Set<Node> {
  const nodes = new Set<Node>();
  walkBack([out], (v) => {
    const p = producers.get(v);
    if (!p || !within.has(p) || nodes.has(p)) return [];
    nodes.add(p);
    return nodeReads(p);
  });
  return nodes;
}

/** Values produced in `part` and read outside it (by other nodes of `all`), plus the wanted outputs it makes. */
function partOutputs(part: Set<Node>, all: Set<Node>, wanted: Set<string>, producers: Map<string, Node>): string[] {
  const outs = new Set<string>();
  for (const n of part) for (const o of n.outputs) if (wanted.has(o)) outs.add(o);
  for (const m of all) {
    if (part.has(m)) continue;
    for (const v of nodeReads(m)) {
      const p = producers.get(v);
      if (p && part.has(p)) outs.add(v);
    }
  }
  return [...outs].sort();
}

/** Split a group read in several places into single-output fragments, duplicating as little as possible.
 *  Nodes are classed by which outputs need them (a shared encoder feeding two heads is one class, each head
 *  another); each class is split again against the values other classes read from it. When every node is
 *  needed by every output, the nodes producing the outputs are peeled off (one fragment each; a multi-output
 *  node such as Split or LSTM is the only thing ever duplicated) and the rest is split against what they read. */
export function splitGroup(group: Set<Node>, outs: string[], producers: Map<string, Node>): { out: string; nodes: Set<Node> }[] {
  if (outs.length === 1) return [{ out: outs[0], nodes: closure(outs[0], group, producers) }];
  const wanted = new Set(outs);
  const sig = new Map<Node, string>([...group].map((n) => [n, ""]));
  outs.forEach((o, i) => closure(o, group, producers).forEach((n) => sig.set(n, `${sig.get(n)},${i}`)));
  const classes = new Map<string, Set<Node>>();
  for (const [n, k] of sig) {
    if (k === "") continue;
    if (!classes.has(k)) classes.set(k, new Set());
    classes.get(k)!.add(n);
  }
  if (classes.size > 1) {
    return [...classes.values()].flatMap((cls) => splitGroup(cls, partOutputs(cls, group, wanted, producers), producers));
  }
  const top = new Set(outs.map((o) => producers.get(o)!));
  const rest = new Set([...group].filter((n) => !top.has(n)));
  const result = outs.map((o) => ({ out: o, nodes: new Set([producers.get(o)!]) }));
  if (rest.size) result.push(...splitGroup(rest, partOutputs(rest, group, wanted, producers), producers));
  return result;
}
