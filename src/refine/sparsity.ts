// Sparsity penalties as proximal steps after each Adam update (so weights reach exactly zero rather than hovering
// near it, as subgradients leave them; Parikh & Boyd, "Proximal Algorithms", 2014):
//   l1: lambda sum |w| (Tibshirani's lasso), soft-thresholding each weight;
//   group-lasso: lambda sum_g sqrt(|g|) ||w_g||_2 over groups (Yuan & Lin 2006; on units, Wen et al.,
//   "Learning Structured Sparsity in Deep Neural Networks", 2016): the incoming weights of each hidden unit
//   (an affine row or a conv filter, with its bias) and each input column of every dense layer, so whole units
//   and whole inputs drop out.
import type { Net } from "../net/net.ts";
import type { FArr, TrainNet } from "../train/types.ts";

/** w <- sign(w) max(0, |w| - tau). */
export function proxL1(t: TrainNet, tau: number): void {
  for (const p of t.params.values()) softThreshold(p.w, tau);
}

function softThreshold(w: FArr, tau: number): void {
  for (let i = 0; i < w.length; i++) {
    const v = w[i];
    w[i] = v > tau ? v - tau : v < -tau ? v + tau : 0;
  }
}

/** Layers whose units are hidden (their value feeds a non-identity activation). */
export function hiddenLayerIds(net: Net): Set<string> {
  const byId = new Map(net.layers.map((l) => [l.id, l]));
  const hidden = new Set<string>();
  for (const l of net.layers) {
    if (l.kind !== "act" || l.fn === "identity") continue;
    const src = byId.get(l.inputs[0]);
    if (src && (src.kind === "affine" || src.kind === "conv")) hidden.add(src.id);
  }
  return hidden;
}

/** Scale a group by max(0, 1 - tau sqrt(size) / ||g||). */
function shrinkGroup(w: FArr, idx: (k: number) => number, size: number, tau: number, extra?: { arr: FArr; at: number }): void {
  let s = extra ? extra.arr[extra.at] ** 2 : 0;
  for (let k = 0; k < size; k++) s += w[idx(k)] ** 2;
  const norm = Math.sqrt(s);
  if (norm === 0) return;
  const f = Math.max(0, 1 - (tau * Math.sqrt(size)) / norm);
  if (f === 1) return;
  for (let k = 0; k < size; k++) w[idx(k)] *= f;
  if (extra) extra.arr[extra.at] *= f;
}

/** One proximal step of the group lasso: hidden units' incoming rows (with bias), then dense layers' input columns
 *  (column norms gathered and applied row by row: the weights are row-major). */
export function proxGroupLasso(t: TrainNet, tau: number, hidden: ReadonlySet<string>): void {
  for (const l of t.net.layers) {
    const p = t.params.get(l.id);
    if (!p) continue;
    const out = l.kind === "affine" ? l.outFeatures : l.kind === "conv" ? l.outChannels : 0;
    const per = p.w.length / out;
    if (hidden.has(l.id)) for (let j = 0; j < out; j++) shrinkGroup(p.w, (k) => j * per + k, per, tau, { arr: p.b, at: j });
    if (l.kind !== "affine") continue;
    const sq = new Float64Array(per);
    for (let j = 0; j < out; j++) for (let i = 0; i < per; i++) sq[i] += p.w[j * per + i] ** 2;
    const f = Float64Array.from(sq, (s) => (s === 0 ? 1 : Math.max(0, 1 - (tau * Math.sqrt(out)) / Math.sqrt(s))));
    for (let j = 0; j < out; j++) for (let i = 0; i < per; i++) p.w[j * per + i] *= f[i];
  }
}
