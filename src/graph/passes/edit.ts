// Graph editing helpers shared by the normalize passes: copying, use/def maps, renaming values
// (including references from inside subgraphs), dead-code removal and fresh names.
import type { Attr, Graph, Model, Node } from "../graph.ts";

/** A copy of a node whose lists and attribute table can be edited (attribute values are shared). */
export function cloneNode(n: Node): Node {
  return { ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } };
}

/** A copy of a model whose graph can be edited without touching the original; tensors are shared, so treat them as immutable. */
export function cloneModel(m: Model): Model {
  const g = m.graph;
  const graph: Graph = {
    ...g,
    inputs: g.inputs.map((v) => ({ ...v })),
    outputs: g.outputs.map((v) => ({ ...v })),
    nodes: g.nodes.map(cloneNode),
    initializers: new Map(g.initializers),
    valueInfo: g.valueInfo.map((v) => ({ ...v })),
  };
  return { ...m, graph, opset: new Map(m.opset), metadata: { ...m.metadata } };
}

function subgraphs(n: Node): Graph[] {
  const out: Graph[] = [];
  for (const a of Object.values(n.attrs)) {
    if (a.kind === "graph") out.push(a.value);
    else if (a.kind === "graphs") out.push(...a.value);
  }
  return out;
}

/** Names a graph reads from its enclosing scope (its nodes', and nested subgraphs', unresolved inputs). */
export function outerRefs(g: Graph): Set<string> {
  const defined = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.keys(), ""]);
  for (const n of g.nodes) n.outputs.forEach((o) => defined.add(o));
  const refs = new Set<string>();
  for (const n of g.nodes) {
    for (const v of nodeReads(n)) if (!defined.has(v)) refs.add(v);
  }
  for (const o of g.outputs) if (!defined.has(o.name)) refs.add(o.name);
  return refs;
}

// Whether a node's attribute table holds subgraphs, per attribute table (tables are replaced, not edited, when
// subgraphs change; an edited table keeps its kinds). Saves scanning attributes on every use lookup.
const subgraphCache = new WeakMap<object, boolean>();

/** Does a node carry subgraphs (If/Loop/Scan bodies)? */
export function hasSubgraphs(n: Node): boolean {
  let has = subgraphCache.get(n.attrs);
  if (has === undefined) {
    has = Object.values(n.attrs).some((a) => a.kind === "graph" || a.kind === "graphs");
    subgraphCache.set(n.attrs, has);
  }
  return has;
}

/** Every value a node reads: its inputs plus what its subgraphs (If/Loop/Scan bodies) take from outside. */
export function nodeReads(n: Node): string[] {
  const reads = n.inputs.filter((v) => v !== "");
  if (hasSubgraphs(n)) for (const sg of subgraphs(n)) reads.push(...outerRefs(sg));
  return reads;
}

/** Does a node read a value (as an input or from inside a subgraph)? */
export function reads(n: Node, v: string): boolean {
  return n.inputs.includes(v) || (hasSubgraphs(n) && nodeReads(n).includes(v));
}

/** The nodes that read a value (a scan: cheap enough for passes that edit the graph as they go). */
export function readersOf(g: Graph, v: string): Node[] {
  return g.nodes.filter((n) => reads(n, v));
}

/** Map each value name to the nodes that read it. */
export function consumerMap(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) {
    for (const v of new Set(nodeReads(n))) {
      const l = m.get(v);
      if (l) l.push(n);
      else m.set(v, [n]);
    }
  }
  return m;
}

/** Map each value name to the node that produces it. */
export function producerMap(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o !== "") m.set(o, n);
  return m;
}

/** Walk values backwards from `roots`: `visit` sees each value once and returns the values it is computed from
 *  (what to visit next). Returns every value seen. */
export function walkBack(roots: readonly string[], visit: (v: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    stack.push(...visit(v));
  }
  return seen;
}

/** Is the value one of the graph's outputs. */
export function isGraphOutput(g: Graph, name: string): boolean {
  return g.outputs.some((o) => o.name === name);
}

function renameInSubgraph(g: Graph, from: string, to: string): Graph {
  // A subgraph that defines `from` itself shadows the outer value: leave it alone.
  const shadows = g.inputs.some((v) => v.name === from) || g.initializers.has(from) || g.nodes.some((n) => n.outputs.includes(from));
  if (shadows) return g;
  // Subgraphs may be shared with the model this one was cloned from: build new ones, never edit.
  return {
    ...g,
    nodes: g.nodes.map((n) => {
      const c = cloneNode(n);
      renameReads(c, from, to);
      return c;
    }),
    outputs: g.outputs.map((o) => (o.name === from ? { ...o, name: to } : o)),
  };
}

/** Rewrite a node's reads of `from` to `to`, in place (the node must be owned by the caller). */
function renameReads(n: Node, from: string, to: string): void {
  n.inputs = n.inputs.map((v) => (v === from ? to : v));
  for (const [k, a] of Object.entries(n.attrs)) {
    if (a.kind === "graph") n.attrs[k] = { kind: "graph", value: renameInSubgraph(a.value, from, to) };
    else if (a.kind === "graphs") n.attrs[k] = { kind: "graphs", value: a.value.map((s) => renameInSubgraph(s, from, to)) };
  }
}

/** Make every reader of value `from` read `to` instead (graph outputs are not changed). Edits g's nodes in place. */
export function replaceUses(g: Graph, from: string, to: string): void {
  for (const n of g.nodes) if (reads(n, from)) renameReads(n, from, to);
}

/** Rename a value everywhere: its producer's output, its readers and the graph outputs. In place. */
export function renameValue(g: Graph, from: string, to: string): void {
  replaceUses(g, from, to);
  for (const n of g.nodes) n.outputs = n.outputs.map((o) => (o === from ? to : o));
  g.outputs = g.outputs.map((o) => (o.name === from ? { ...o, name: to } : o));
  g.valueInfo = g.valueInfo.filter((v) => v.name !== to).map((v) => (v.name === from ? { ...v, name: to } : v));
}

/** Remove nodes that no graph output depends on, and initialisers nothing reads. In place; returns the counts removed. */
export function removeDead(g: Graph): { nodes: number; initializers: number } {
  const producers = producerMap(g);
  const live = new Set<Node>();
  const seen = walkBack(g.outputs.map((o) => o.name), (v) => {
    const p = producers.get(v);
    if (!p || live.has(p)) return [];
    live.add(p);
    return nodeReads(p);
  });
  const before = g.nodes.length;
  g.nodes = g.nodes.filter((n) => live.has(n));
  let inits = 0;
  for (const k of [...g.initializers.keys()]) {
    if (!seen.has(k)) {
      g.initializers.delete(k);
      inits++;
    }
  }
  const values = new Set<string>(seen);
  g.valueInfo = g.valueInfo.filter((v) => values.has(v.name));
  return { nodes: before - g.nodes.length, initializers: inits };
}

/** Hands out value and node names not yet used in a graph. */
export class NameAllocator {
  private used = new Set<string>();

  constructor(g?: Graph) {
    if (!g) return;
    for (const v of [...g.inputs, ...g.outputs, ...g.valueInfo]) this.used.add(v.name);
    for (const k of g.initializers.keys()) this.used.add(k);
    for (const n of g.nodes) {
      this.used.add(n.name);
      n.outputs.forEach((o) => this.used.add(o));
      n.inputs.forEach((i) => this.used.add(i));
    }
  }

  /** Reserve a name as taken. */
  take(name: string): void {
    this.used.add(name);
  }

  /** `base` if free, else `base_2`, `base_3`, ...; the name returned is then taken. */
  fresh(base: string): string {
    let name = base;
    for (let k = 2; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }
}

/** Drop a node whose output 0 equals its input 0, rewiring readers; when the output is a graph output its
 *  input is renamed so the output name survives. Returns false (and changes nothing) when that is impossible:
 *  the input is a graph input, initialiser or another graph output. */
export function bypassNode(g: Graph, n: Node): boolean {
  const x = n.inputs[0];
  const y = n.outputs[0];
  if (!isGraphOutput(g, y)) {
    g.nodes = g.nodes.filter((m) => m !== n);
    replaceUses(g, y, x);
    return true;
  }
  const fixed = x === "" || g.inputs.some((v) => v.name === x) || g.initializers.has(x) || isGraphOutput(g, x);
  if (fixed || !producerMap(g).has(x)) return false;
  g.nodes = g.nodes.filter((m) => m !== n);
  renameValue(g, x, y);
  return true;
}

/** A copy of a graph with values renamed all at once by `map` (node outputs and inputs, graph inputs, outputs,
 *  initialisers, and outer references from subgraphs that do not shadow the name). Node names are kept. */
export function renameValues(g: Graph, map: ReadonlyMap<string, string>): Graph {
  const r = (v: string) => (v === "" ? v : map.get(v) ?? v);
  const sub = (s: Graph): Graph => {
    const own = new Set<string>([...s.inputs.map((v) => v.name), ...s.initializers.keys()]);
    s.nodes.forEach((n) => n.outputs.forEach((o) => own.add(o)));
    const inner = new Map([...map].filter(([k]) => !own.has(k)));
    return inner.size ? renameValues(s, inner) : s;
  };
  return {
    ...g,
    inputs: g.inputs.map((v) => ({ ...v, name: r(v.name) })),
    outputs: g.outputs.map((v) => ({ ...v, name: r(v.name) })),
    valueInfo: g.valueInfo.map((v) => ({ ...v, name: r(v.name) })),
    initializers: new Map([...g.initializers].map(([k, t]) => [r(k), t])),
    nodes: g.nodes.map((n) => {
      const attrs: Record<string, Attr> = {};
      for (const [k, a] of Object.entries(n.attrs)) {
        if (a.kind === "graph") attrs[k] = { kind: "graph", value: sub(a.value) };
        else if (a.kind === "graphs") attrs[k] = { kind: "graphs", value: a.value.map(sub) };
        else attrs[k] = a;
      }
      return { ...n, inputs: n.inputs.map(r), outputs: n.outputs.map(r), attrs };
    }),
  };
}
