// The weight graph of a Net's dense layers, as clusterability work uses it (Filan et al., "Clusterability in
// Neural Networks"): a node per unit (and per input entry), an edge per weight with |w| as its affinity.
// Edges are made scale-free first: ReLU units are positively homogeneous, so a unit's in-weights are measured
// relative to its largest one and its out-weights carry that scale (the canonical form of DESIGN section 6);
// otherwise a rescaled unit would look more or less connected than it is. Units the probe never saw active
// (after a ReLU) carry nothing and are left out, as are in-weights below `eps` of their row's largest (near-zero
// weights and weight noise are not structure).
import type { AffineLayer, Layer, Net } from "../net/net.ts";
import type { NetStats } from "../passes/stats.ts";
import { statsFor } from "../passes/stats.ts";
import type { Csr } from "./eigen.ts";

/** A graph node: a unit of an affine layer (`layer:unit`) or an entry of a Net input. */
export interface GraphNode {
  /** Affine layer id (or Net input name). */
  layer: string;
  unit: number;
  /** Hidden: an affine unit whose value goes through an activation to another affine layer. */
  hidden: boolean;
}

export interface WeightGraph {
  nodes: GraphNode[];
  adj: Csr;
  /** Hidden units left out (never active on the data), by layer. */
  dead: Map<string, number[]>;
  /** The affine layers in the graph, in Net order. */
  layers: string[];
}

type Affine = AffineLayer & Layer;

/** One part of an affine layer's input: another affine layer's units (through an activation), or a vector input. */
export type SourcePart = ({ kind: "affine"; layer: Affine; act?: Layer } | { kind: "input"; name: string }) & { offset: number; n: number };

/** Where an affine layer's input comes from: one part, or the parts of a concat (a skip connection). */
export function affineSources(net: Net, a: Affine): SourcePart[] | undefined {
  const byId = new Map(net.layers.map((l) => [l.id, l]));
  const one = (v: string, offset: number): SourcePart | undefined => {
    const l = byId.get(v);
    if (!l) {
      const inp = net.inputs.find((i) => i.name === v);
      return inp && inp.shape.length === 1 ? { kind: "input", name: inp.name, offset, n: inp.shape[0] } : undefined;
    }
    if (l.kind === "affine" && l.shape.length === 1) return { kind: "affine", layer: l, offset, n: l.outFeatures };
    // A flattened input (an MLP on images): its entries are the graph's input nodes, as in Filan et al.'s graph.
    if (l.kind === "reshape" && l.shape.length === 1 && net.inputs.some((i) => i.name === l.inputs[0])) return { kind: "input", name: l.id, offset, n: l.shape[0] };
    if (l.kind === "act" && l.inputs.length === 1) {
      const p = byId.get(l.inputs[0]);
      if (p?.kind === "affine" && p.shape.length === 1) return { kind: "affine", layer: p, act: l, offset, n: p.outFeatures };
    }
    return undefined;
  };
  const v = byId.get(a.inputs[0]);
  if (v?.kind === "concat" && v.axis === 0 && v.shape.length === 1) {
    const parts: SourcePart[] = [];
    let off = 0;
    for (const x of v.inputs) {
      const p = one(x, off);
      if (!p) return undefined;
      parts.push(p);
      off += p.n;
    }
    return off === a.inFeatures ? parts : undefined;
  }
  const p = one(a.inputs[0], 0);
  return p && p.n === a.inFeatures ? [p] : undefined;
}

function rowMax(a: Affine, j: number): number {
  let m = 0;
  for (let i = 0; i < a.inFeatures; i++) m = Math.max(m, Math.abs(a.W[j * a.inFeatures + i]));
  return Math.max(m, Math.abs(a.b[j]) * 1e-3) || 1;
}

/** The weight graph of every 1-D affine layer fed by another (through an activation) or by a vector input. */
export function weightGraph(net: Net, stats?: NetStats, eps = 1e-2): WeightGraph {
  const affines = net.layers.filter((l): l is Affine => l.kind === "affine" && l.shape.length === 1 && l.inputs.length === 1);
  const nodes: GraphNode[] = [];
  const index = new Map<string, number>();
  const add = (layer: string, unit: number, hidden: boolean) => {
    const k = `${layer}:${unit}`;
    if (!index.has(k)) { index.set(k, nodes.length); nodes.push({ layer, unit, hidden }); }
    return index.get(k)!;
  };
  const dead = new Map<string, number[]>();
  const readers = new Set<string>();
  const sources = new Map(affines.map((a) => [a.id, affineSources(net, a)]));
  for (const ps of sources.values()) for (const p of ps ?? []) if (p.kind === "affine") readers.add(p.layer.id);
  // Units never active after their ReLU (on the analysis data): by layer id.
  const deadSet = new Map<string, Set<number>>();
  for (const l of net.layers) {
    if (l.kind !== "act" || l.fn !== "relu" || !stats) continue;
    const p = net.layers.find((x) => x.id === l.inputs[0]);
    const st = statsFor(stats, l.id);
    const pre = p ? statsFor(stats, p.id) : undefined;
    // Never active, and clearly so: its largest pre-activation stays below zero by a tenth of its observed range
    // (a unit that just missed firing on the analysis rows may fire on others, so it stays in the graph).
    const clear = (i: number) => !!pre && pre.max[i] < -0.1 * (pre.max[i] - pre.min[i]);
    if (p?.kind === "affine" && st) deadSet.set(p.id, new Set(st.neverActive.flatMap((d, i) => (d && clear(i) ? [i] : []))));
  }
  const isDead = (p: Affine, i: number) => deadSet.get(p.id)?.has(i) ?? false;
  const edges: [number, number, number][] = [];
  for (const a of affines) {
    const parts = sources.get(a.id);
    if (!parts) continue;
    const scaleA = Array.from({ length: a.outFeatures }, (_, j) => rowMax(a, j));
    const dst = Array.from({ length: a.outFeatures }, (_, j) => add(a.id, j, readers.has(a.id)));
    for (const src of parts) {
      for (let q = 0; q < src.n; q++) {
        const i = src.offset + q;
        let from: number;
        let scaleIn = 1;
        if (src.kind === "input") from = add(src.name, q, false);
        else {
          if (isDead(src.layer, q)) {
            let d = dead.get(src.layer.id);
            if (!d) dead.set(src.layer.id, (d = []));
            d.push(q);
            continue;
          }
          from = add(src.layer.id, q, true);
          scaleIn = rowMax(src.layer, q);
        }
        for (let j = 0; j < a.outFeatures; j++) {
          if (isDead(a, j)) continue;
          const w = Math.abs(a.W[j * a.inFeatures + i]);
          if (w > eps * scaleA[j]) edges.push([from, dst[j], (w * scaleIn) / scaleA[j]]);
        }
      }
    }
  }
  return { nodes, adj: toCsr(nodes.length, edges), dead, layers: affines.filter((a) => sources.get(a.id)).map((a) => a.id) };
}

/** A symmetric CSR matrix from undirected weighted edges (duplicates summed). */
export function toCsr(n: number, edges: readonly [number, number, number][]): Csr {
  const deg = new Int32Array(n + 1);
  for (const [i, j] of edges) { deg[i + 1]++; deg[j + 1]++; }
  for (let i = 0; i < n; i++) deg[i + 1] += deg[i];
  const col = new Int32Array(deg[n]), val = new Float64Array(deg[n]);
  const fill = deg.slice(0, n);
  for (const [i, j, w] of edges) {
    col[fill[i]] = j; val[fill[i]++] = w;
    col[fill[j]] = i; val[fill[j]++] = w;
  }
  return { n, rowStart: deg, col, val };
}

/** Connected components of a graph (labels 0..count-1, numbered in order of their first node). */
export function components(a: Csr): { labels: Int32Array; count: number } {
  const labels = new Int32Array(a.n).fill(-1);
  let count = 0;
  for (let s = 0; s < a.n; s++) {
    if (labels[s] >= 0) continue;
    const stack = [s];
    labels[s] = count;
    while (stack.length) {
      const i = stack.pop()!;
      for (let p = a.rowStart[i]; p < a.rowStart[i + 1]; p++) if (labels[a.col[p]] < 0) { labels[a.col[p]] = count; stack.push(a.col[p]); }
    }
    count++;
  }
  return { labels, count };
}

/** The subgraph on some nodes (renumbered in the given order). */
export function subgraph(a: Csr, keep: readonly number[]): Csr {
  const pos = new Map(keep.map((v, i) => [v, i]));
  const edges: [number, number, number][] = [];
  keep.forEach((i, ii) => {
    for (let p = a.rowStart[i]; p < a.rowStart[i + 1]; p++) {
      const jj = pos.get(a.col[p]);
      if (jj !== undefined && ii < jj) edges.push([ii, jj, a.val[p]]);
    }
  });
  return toCsr(keep.length, edges);
}
