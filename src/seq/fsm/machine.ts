// Running a machine on symbol sequences, and measuring how often it agrees with the network's decisions.
import type { Agreement, Machine, Traces } from "./types.ts";

/** The decisions of a machine on one symbol sequence (-1 where it meets a transition the data never showed). */
export function runMachine(m: Machine, symbols: ArrayLike<number>, from = 0, T = symbols.length): Int32Array {
  const out = new Int32Array(T);
  let s = 0;
  for (let t = 0; t < T; t++) {
    const a = symbols[from + t];
    s = s < 0 || a < 0 ? -1 : m.next[s * m.symbols + a];
    out[t] = s < 0 ? -1 : m.out[s];
  }
  return out;
}

/** Agreement of a machine with the decisions recorded in some traces. */
export function agreement(m: Machine, tr: Pick<Traces, "n" | "T" | "symbols" | "decisions">): Agreement {
  let steps = 0, seqs = 0, total = 0;
  for (let i = 0; i < tr.n; i++) {
    const d = runMachine(m, tr.symbols, i * tr.T, tr.T);
    let all = true;
    for (let t = 0; t < tr.T; t++) {
      const want = tr.decisions[i * tr.T + t];
      if (want === -2) continue; // no decision at this step
      total++;
      if (d[t] === want) steps++;
      else all = false;
    }
    if (all) seqs++;
  }
  return { steps: total, stepAgreement: total ? steps / total : 1, sequences: tr.n, sequenceAgreement: tr.n ? seqs / tr.n : 1 };
}

/** The machine whose states are given clusters of the hidden states (state 0 = initial, cluster c = state c + 1):
 *  each transition and decision is the majority of what the traces show. */
export function machineFromClusters(tr: Traces, cluster: Int32Array, k: number, symbols: number): Machine {
  const states = k + 1;
  const votes = new Map<number, Map<number, number>>();
  const vote = (key: number, v: number) => {
    const m = votes.get(key) ?? new Map<number, number>();
    m.set(v, (m.get(v) ?? 0) + 1);
    votes.set(key, m);
  };
  const outVotes = Array.from({ length: states }, () => new Map<number, number>());
  for (let i = 0; i < tr.n; i++) {
    let prev = 0;
    for (let t = 0; t < tr.T; t++) {
      const j = i * tr.T + t;
      const s = cluster[j] + 1;
      vote(prev * symbols + tr.symbols[j], s);
      if (tr.decisions[j] >= 0) outVotes[s].set(tr.decisions[j], (outVotes[s].get(tr.decisions[j]) ?? 0) + 1);
      prev = s;
    }
  }
  const top = (m: Map<number, number> | undefined) => {
    let best = -1, bn = 0;
    for (const [v, c] of m ?? []) if (c > bn || (c === bn && v < best)) [best, bn] = [v, c];
    return best;
  };
  const next = new Int32Array(states * symbols).fill(-1);
  for (const [key, m] of votes) next[key] = top(m);
  const out = Int32Array.from(outVotes, (m) => top(m));
  return { states, symbols, next, out };
}
