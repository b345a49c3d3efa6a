// Clusterability (Filan, Casper, Hod, Wild, Critch & Russell, "Clusterability in Neural Networks", 2021): the
// n-cut of a spectral partition of the weight graph (units as nodes, |w| as edge weights), lower than that of
// weight-shuffled copies when the net is modular. The n-cut's numerator is the weight crossing clusters, so the
// penalty here is an l1 term on exactly those weights: each epoch the current graph is partitioned (k clusters,
// recover/modules.ts's spectral clustering), and the proximal step shrinks only the weights between units of
// different clusters. (Filan et al. regularise the Laplacian's smallest eigenvalues instead; this surrogate
// lowers the same n-cut with one proximal step and no eigenvector gradients.) With pruning, the same partition
// also ranks the weights: a crossing weight counts as a fraction of its magnitude (crossRank), so each pruning step
// removes crossing weights first, and what survives is mostly inside clusters (on the MNIST MLP at 40k weights:
// n-cut 6.42 vs 10.41 for shuffled copies with crossRank 0.3, 10.20 vs 10.49 with plain magnitude).
import type { Net } from "../net/net.ts";
import { findModules, type ModulePartition } from "../recover/modules.ts";
import { affineSources } from "../recover/module-graph.ts";
import type { TrainNet } from "../train/types.ts";

/** Per dense layer in the weight graph: 1 where a weight joins units of different clusters. */
export type CrossMasks = Map<string, Uint8Array>;

/** Partition the net's weight graph into k clusters and mark the weights that cross them. */
export function crossClusterWeights(net: Net, k: number, seed: number): CrossMasks {
  const m = findModules(net, undefined, { k, shuffles: 0, seed: seed + 1 });
  const label = new Map<string, number>();
  m.graph.nodes.forEach((nd, i) => label.set(`${nd.layer}:${nd.unit}`, m.labels[i]));
  const out: CrossMasks = new Map();
  for (const l of net.layers) {
    if (l.kind !== "affine" || !m.graph.layers.includes(l.id)) continue;
    const parts = affineSources(net, l);
    if (!parts) continue;
    const cross = new Uint8Array(l.W.length);
    for (const src of parts) {
      for (let q = 0; q < src.n; q++) {
        const from = label.get(src.kind === "input" ? `${src.name}:${q}` : `${src.layer.id}:${q}`);
        if (from === undefined || from < 0) continue;
        for (let j = 0; j < l.outFeatures; j++) {
          const to = label.get(`${l.id}:${j}`);
          if (to !== undefined && to >= 0 && to !== from) cross[j * l.inFeatures + src.offset + q] = 1;
        }
      }
    }
    out.set(l.id, cross);
  }
  return out;
}

/** Per layer: the factor on a weight's magnitude in the pruning ranking (f on crossing weights, 1 elsewhere). */
export function crossRanks(cross: CrossMasks, f: number): Map<string, (i: number) => number> {
  return new Map([...cross].map(([id, c]) => [id, (i: number) => (c[i] ? f : 1)]));
}

/** Soft-threshold the crossing weights by tau. */
export function proxCross(t: TrainNet, cross: CrossMasks, tau: number): void {
  for (const [id, c] of cross) {
    const w = t.params.get(id)?.w;
    if (!w) continue;
    for (let i = 0; i < c.length; i++) {
      if (!c[i]) continue;
      const v = w[i];
      w[i] = v > tau ? v - tau : v < -tau ? v + tau : 0;
    }
  }
}

/** The net's clusterability as the explainer reports it: n-cut at k clusters beside weight-shuffled copies. */
export function clusterability(net: Net, k = 12, shuffles = 3, seed = 7): { ncut: number; shuffled?: ModulePartition["shuffled"]; nodes: number } | undefined {
  const m = findModules(net, undefined, { minSplit: 64, k, shuffles, seed });
  if (m.graph.adj.n < 8) return undefined;
  return { ncut: m.ncut, ...(m.shuffled ? { shuffled: m.shuffled } : {}), nodes: m.graph.adj.n };
}
