// Modules: a partition of a Net's hidden units into parts that compute apart. First the connected components of
// the weight graph (exact: no weight joins two components, so each is an independent sub-computation); then,
// inside each component, spectral clustering by normalised cut (spectral.ts), the number of clusters from the
// eigengap. Whether the clusters are real is measured as clusterability work does: the n-cut of the partition
// beside the n-cut of the same clustering on copies of the net whose weights were shuffled within each layer.
import type { Net } from "../net/net.ts";
import type { NetStats } from "../passes/stats.ts";
import { rng } from "../util/rng.ts";
import { components, subgraph, toCsr, weightGraph, type WeightGraph } from "./module-graph.ts";
import { normalizedCut, spectralClusters } from "./spectral.ts";
import type { Csr } from "./eigen.ts";

export interface ModuleOptions {
  /** Most clusters tried inside one component (default 8). */
  kMax?: number;
  /** Components smaller than this many nodes are not split further (default 6). */
  minSplit?: number;
  /** Clusters per split component, fixed (as clusterability studies compare n-cuts at one k); default: the eigengap. */
  k?: number;
  /** Shuffled copies for the n-cut baseline (default 5; 0 skips it). */
  shuffles?: number;
  seed?: number;
  /** The Net's weight graph when the caller has it already (clusterability asks one graph twice). */
  graph?: WeightGraph;
}

export interface ModulePartition {
  graph: WeightGraph;
  /** Module of each graph node (-1: none). */
  labels: Int32Array;
  count: number;
  /** Connected components and, per component, the clusters spectral clustering split it into. */
  components: { nodes: number; clusters: number; eigenvalues: number[] }[];
  /** N-cut of the partition, and of the same number of clusters on weight-shuffled copies (mean, sd). */
  ncut: number;
  shuffled?: { mean: number; sd: number; copies: number };
}

/** Partition the hidden units of a Net's dense layers into modules. */
export function findModules(net: Net, stats?: NetStats, opts: ModuleOptions = {}): ModulePartition {
  const graph = opts.graph ?? weightGraph(net, stats);
  const { labels, count, comps } = partition(graph.adj, opts);
  const { ncut, shuffled } = ncutBeside(graph, labels, count, opts.shuffles ?? 5, opts.seed);
  return { graph, labels, count, components: comps, ncut, ...(shuffled ? { shuffled } : {}) };
}

/** N-cut of a labelling of the weight graph, beside the n-cut spectral clustering reaches at the same number of
 *  clusters on weight-shuffled copies of the net (mean, sd over `shuffles` copies; none when count < 2). */
export function ncutBeside(graph: WeightGraph, labels: Int32Array, count: number, shuffles: number, seed?: number): { ncut: number; shuffled?: { mean: number; sd: number; copies: number } } {
  const ncut = normalizedCut(graph.adj, labels, count);
  if (count < 2 || shuffles <= 0) return { ncut };
  const u = rng(seed ?? 7);
  const vals = Array.from({ length: shuffles }, () => {
    const g = shuffledGraph(graph, u);
    const r = spectralClusters(g, { k: Math.min(count, g.n - 1), seed: seed ?? 1 });
    return normalizedCut(g, r.labels, count);
  });
  const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
  return { ncut, shuffled: { mean, sd: Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length), copies: shuffles } };
}

function partition(adj: Csr, opts: ModuleOptions): { labels: Int32Array; count: number; comps: ModulePartition["components"] } {
  const cc = components(adj);
  const labels = new Int32Array(adj.n).fill(-1);
  const comps: ModulePartition["components"] = [];
  let count = 0;
  for (let c = 0; c < cc.count; c++) {
    const nodes = [...cc.labels.keys()].filter((i) => cc.labels[i] === c);
    if (nodes.length === 1 && adj.rowStart[nodes[0] + 1] === adj.rowStart[nodes[0]]) continue; // an isolated node
    if (nodes.length < (opts.minSplit ?? 6)) {
      nodes.forEach((i) => (labels[i] = count));
      comps.push({ nodes: nodes.length, clusters: 1, eigenvalues: [] });
      count++;
      continue;
    }
    const r = spectralClusters(subgraphOf(adj, nodes), { kMax: opts.kMax ?? 8, seed: opts.seed ?? 1, ...(opts.k ? { k: Math.min(opts.k, nodes.length - 1) } : {}) });
    nodes.forEach((i, k) => (labels[i] = count + r.labels[k]));
    comps.push({ nodes: nodes.length, clusters: r.k, eigenvalues: r.eigenvalues.slice(0, (opts.kMax ?? 8) + 1) });
    count += r.k;
  }
  return { labels, count, comps };
}

/** Subgraphs already cut from a graph, by their node list: the same component asked again is the same object, so
 *  spectral clustering reuses its Lanczos basis (spectral.ts). */
const subgraphs = new WeakMap<Csr, Map<string, Csr>>();

function subgraphOf(adj: Csr, nodes: number[]): Csr {
  let per = subgraphs.get(adj);
  if (!per) subgraphs.set(adj, (per = new Map()));
  const key = nodes.join(",");
  let g = per.get(key);
  if (!g) per.set(key, (g = subgraph(adj, nodes)));
  return g;
}

/** m distinct slots of 0..slots-1, uniformly at random, in random order (m <= slots). Rejection sampling of the
 *  taken slots when they are at most half, of the empty ones otherwise: a dense layer deals every slot, where plain
 *  rejection needs slots x ln(slots) draws (2.3 s of a 1M-weight MLP's explain); then a Fisher-Yates shuffle. */
export function dealSlots(m: number, slots: number, u: () => number): Int32Array {
  const flip = 2 * m > slots;
  const want = flip ? slots - m : m;
  const mark = new Uint8Array(slots);
  for (let n = 0; n < want; ) {
    const s = Math.floor(u() * slots);
    if (!mark[s]) (mark[s] = 1), n++;
  }
  const out = new Int32Array(m);
  let k = 0;
  if (flip) { for (let s = 0; s < slots; s++) if (!mark[s]) out[k++] = s; }
  else for (let s = 0; s < slots; s++) if (mark[s]) out[k++] = s;
  for (let i = m - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    const t = out[i]; out[i] = out[j]; out[j] = t;
  }
  return out;
}

/** The graph of a copy of the net with its weights shuffled among the edges between each pair of layers
 *  (same weights, same layer sizes, structure destroyed): Filan et al.'s baseline. */
function shuffledGraph(g: WeightGraph, u: () => number): Csr {
  // Layers as numbers, pairs as one number (a Map keeps first-insertion order whatever the key type).
  const layerIds = new Map<string, number>();
  const layerOf = g.nodes.map((nd) => layerIds.get(nd.layer) ?? (layerIds.set(nd.layer, layerIds.size), layerIds.size - 1));
  const L = Math.max(1, layerIds.size);
  const groups = new Map<number, [number, number, number][]>();
  for (let i = 0; i < g.adj.n; i++) {
    for (let p = g.adj.rowStart[i]; p < g.adj.rowStart[i + 1]; p++) {
      const j = g.adj.col[p];
      if (i < j) {
        const key = layerOf[i] * L + layerOf[j];
        let list = groups.get(key);
        if (!list) groups.set(key, (list = []));
        list.push([i, j, g.adj.val[p]]);
      }
    }
  }
  const edges: [number, number, number][] = [];
  for (const es of groups.values()) {
    // Every (source, target) pair of the two layers is a slot; the weights are dealt to random slots.
    const src = [...new Set(es.map((e) => e[0]))], dst = [...new Set(es.map((e) => e[1]))];
    for (const [k, s] of dealSlots(es.length, src.length * dst.length, u).entries()) edges.push([src[Math.floor(s / dst.length)], dst[s % dst.length], es[k][2]]);
  }
  return toCsr(g.adj.n, edges);
}
