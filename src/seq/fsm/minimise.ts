// Minimising a machine read from data. Moore's partition refinement first (a transition the data never showed
// counts as going to a sink of its own: exact on what was seen); then states that are compatible (same decision,
// and their successors compatible wherever both were seen) are folded together, one pair at a time, as DFA
// learners do. Folding keeps every transition and decision the data showed, so the machine's agreement on the data
// is unchanged. The initial state (which emits nothing) is kept apart; `initMerges` says whether it behaves like
// some other state (then the minimal machine has one state fewer).
import type { Machine } from "./types.ts";

/** Moore refinement: states with the same decision whose successors on every symbol are in the same block merge. */
export function mooreMinimise(m: Machine): { machine: Machine; blockOf: Int32Array } {
  const { states, symbols } = m;
  let block = Int32Array.from(m.out, (o, s) => (s === 0 ? -2 : o)); // the initial state starts in a block of its own
  for (;;) {
    const sig = new Map<string, number>();
    const nb = new Int32Array(states);
    for (let s = 0; s < states; s++) {
      const key = [block[s], ...Array.from({ length: symbols }, (_, a) => (m.next[s * symbols + a] < 0 ? -1 : block[m.next[s * symbols + a]]))].join(",");
      if (!sig.has(key)) sig.set(key, sig.size);
      nb[s] = sig.get(key)!;
    }
    const before = new Set(block).size;
    block = nb;
    if (sig.size === before) break;
  }
  return { machine: quotient(m, block), blockOf: block };
}

/** The machine whose states are the blocks (block of state 0 becomes state 0). */
export function quotient(m: Machine, block: Int32Array): Machine {
  const ids = new Map<number, number>([[block[0], 0]]);
  for (let s = 0; s < m.states; s++) if (!ids.has(block[s])) ids.set(block[s], ids.size);
  const states = ids.size, { symbols } = m;
  const next = new Int32Array(states * symbols).fill(-1);
  const out = new Int32Array(states).fill(-1);
  for (let s = 0; s < m.states; s++) {
    const b = ids.get(block[s])!;
    if (m.out[s] >= 0) out[b] = m.out[s];
    for (let a = 0; a < symbols; a++) {
      const t = m.next[s * symbols + a];
      if (t >= 0) next[b * symbols + a] = ids.get(block[t])!;
    }
  }
  return { states, symbols, next, out };
}

/** Fold states p and q together (and, to stay deterministic, their successors): the union-find parent array, or
 *  undefined when two states with different decisions would meet. State 0 never folds unless allowInit. */
function fold(m: Machine, parent: Int32Array, p: number, q: number, allowInit: boolean): Int32Array | undefined {
  const par = Int32Array.from(parent);
  const find = (x: number): number => (par[x] === x ? x : (par[x] = find(par[x])));
  const { symbols } = m;
  // Decision and successors per root, gathered from every member.
  const members = new Map<number, number[]>();
  for (let s = 0; s < m.states; s++) members.set(find(s), [...(members.get(find(s)) ?? []), s]);
  const rootOut = (r: number) => {
    for (const s of members.get(r) ?? []) if (m.out[s] >= 0) return m.out[s];
    return -1;
  };
  const succ = (r: number, a: number) => {
    for (const s of members.get(r) ?? []) if (m.next[s * symbols + a] >= 0) return find(m.next[s * symbols + a]);
    return -1;
  };
  const work: [number, number][] = [[p, q]];
  while (work.length) {
    const [x, y] = work.pop()!;
    const rx = find(x), ry = find(y);
    if (rx === ry) continue;
    if (!allowInit && (rx === 0 || ry === 0)) return undefined;
    const ox = rootOut(rx), oy = rootOut(ry);
    if (ox >= 0 && oy >= 0 && ox !== oy) return undefined;
    const pairs: [number, number][] = [];
    for (let a = 0; a < symbols; a++) {
      const sx = succ(rx, a), sy = succ(ry, a);
      if (sx >= 0 && sy >= 0) pairs.push([sx, sy]);
    }
    const [keep, gone] = rx < ry ? [rx, ry] : [ry, rx];
    par[gone] = keep;
    members.set(keep, [...members.get(keep)!, ...members.get(gone)!]);
    members.delete(gone);
    work.push(...pairs);
  }
  return par;
}

/** Minimal machine: Moore refinement, then greedy folding of compatible states (the initial state kept apart). */
export function minimise(m0: Machine): { machine: Machine; initMerges: boolean } {
  let m = mooreMinimise(m0).machine;
  let changed = true;
  while (changed) {
    changed = false;
    const ident = Int32Array.from({ length: m.states }, (_, s) => s);
    for (let p = 1; p < m.states && !changed; p++) {
      for (let q = p + 1; q < m.states && !changed; q++) {
        const par = fold(m, ident, p, q, false);
        if (!par) continue;
        const find = (x: number): number => (par[x] === x ? x : find(par[x]));
        m = quotient(m, Int32Array.from({ length: m.states }, (_, s) => find(s)));
        changed = true;
      }
    }
  }
  const ident = Int32Array.from({ length: m.states }, (_, s) => s);
  let initMerges = false;
  for (let q = 1; q < m.states && !initMerges; q++) if (fold(m, ident, 0, q, true)) initMerges = true;
  return { machine: m, initMerges };
}

/** States of the minimal machine counted as a person would: the initial state counts only when it behaves unlike all others. */
export function stateCount(r: { machine: Machine; initMerges: boolean }): number {
  return r.machine.states - (r.initMerges ? 1 : 0);
}
