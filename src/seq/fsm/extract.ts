// State extraction: cluster the hidden states a recurrent net visits on the data into k groups (k-means, k growing),
// read the majority transition and decision of each group, and keep the smallest k whose machine reproduces every
// decision the network made on the analysis sequences. The clusters only propose states: the machine is accepted
// by replaying it against the network, never by how tight the clusters are.
import { rng } from "../../util/rng.ts";
import { kmeans, assign } from "./kmeans.ts";
import { agreement, machineFromClusters } from "./machine.ts";
import type { Agreement, Machine, Traces } from "./types.ts";

/** The cluster counts tried, in order. */
const KS = [2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 24, 32];
/** At most this many hidden states are used to fit the centres (all of them are then assigned). */
const FIT_ROWS = 4000;

export interface Extraction {
  machine: Machine;
  /** Clusters of the accepted (or best) clustering. */
  k: number;
  /** On the traces it was read from. */
  agreement: Agreement;
  /** k tried and the step agreement each gave, for the report. */
  tried: { k: number; stepAgreement: number }[];
}

/** m distinct indices below n, seeded (all of them, in order, when m = n). */
function sampleIndices(n: number, m: number, seed: number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  if (m >= n) return idx;
  const u = rng(seed + 1);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(u() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, m);
}

/** Read a machine from traces over an alphabet of `symbols` symbols. */
export function extractMachine(tr: Traces, symbols: number, seed = 0, maxStates = 32): Extraction {
  const N = tr.n * tr.T;
  // Fit on a seeded random subset, assign every state. (Not every m-th step: with m dividing the sequence length,
  // that sees only some time steps, and a task whose states follow time's parity, such as bracket depth, loses half.)
  const fitN = Math.min(N, FIT_ROWS);
  const pick = sampleIndices(N, fitN, seed);
  const fitX = new Float64Array(fitN * tr.H);
  pick.forEach((i, r) => fitX.set(tr.hidden.subarray(i * tr.H, (i + 1) * tr.H), r * tr.H));
  let best: Extraction | undefined;
  const tried: { k: number; stepAgreement: number }[] = [];
  for (const k of KS) {
    if (k > maxStates || k > fitN) break;
    // Two restarts per k: k-means can land in a poor optimum on a few tight, very unequal clusters.
    for (const restart of [0, 1]) {
      const { centres } = kmeans(fitX, fitN, tr.H, k, seed * 7919 + k * 31 + restart);
      const cluster = assign(tr.hidden, N, tr.H, centres, k);
      const machine = machineFromClusters(tr, cluster, k, symbols);
      const agr = agreement(machine, tr);
      tried.push({ k, stepAgreement: agr.stepAgreement });
      if (!best || agr.stepAgreement > best.agreement.stepAgreement) best = { machine, k, agreement: agr, tried };
      if (agr.stepAgreement === 1) return { machine, k, agreement: agr, tried };
    }
  }
  if (!best) throw new Error("no hidden states to cluster");
  return best;
}
