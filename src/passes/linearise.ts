// Units whose contribution to the next layer is linear leave the hidden layer: their part of the next layer's
// pre-activation becomes a skip connection from the hidden layer's input.
//   W [relu(A_S x + a_S); z_T] + c,  z_T = A_T x + a_T  ->  W_S relu(A_S x + a_S) + (W_T A_T) x + (W_T a_T + c)
// The next layer then reads a concat of what is left of the hidden layer and the hidden layer's input, and the
// fuse-affine pass can carry the skip further. Shared by always-on (a ReLU that is the identity on the domain)
// and linear-pairs (relu(z) - relu(-z) = z).
import type { Layer, Net } from "../net/net.ts";
import { editNet, originOf } from "./net-edit.ts";
import { addPart, inheritOrigin, partsOf, readParts, writeParts, type AffineOf } from "./parts-affine.ts";
import { incoming, rowLength, type UnitSite } from "./sites.ts";

/** Can units of this site be linearised: an affine vector layer whose readers are affine, directly or in a concat. */
export function linearisable(site: UnitSite): boolean {
  return site.pre.kind === "affine" && site.outs.every((o) => o.next.kind === "affine" && o.path.every((p) => p.kind === "concat"));
}

/** The Net where units `drop` of the site are gone and each unit in `linear` is added, as its linear
 *  pre-activation, to every reader's next layer with the given effective column (per reader: one entry per output
 *  of that next layer). `partners` names a dropped unit whose work a linear unit also does (the other half of a pair). */
export function lineariseUnits(net: Net, site: UnitSite, linear: ReadonlyMap<number, readonly Float64Array[]>, drop: ReadonlySet<number>, partners?: ReadonlyMap<number, number>): Net {
  const pre = site.pre as AffineOf;
  const kept = Array.from({ length: site.units }, (_, u) => u).filter((u) => !drop.has(u));
  const n = rowLength(pre);
  const inParts = partsOf(net, pre.inputs[0], pre.id);
  const rewritten = site.outs.map((o, oi) => {
    const next = o.next as AffineOf;
    const pa = readParts(net, next);
    const out = pa.out;
    // The hidden layer's block: only the kept units' columns remain.
    const k = pa.parts.findIndex((p) => p.id === site.act.id);
    if (k < 0) throw new Error(`linearise: ${next.id} does not read ${site.act.id}`);
    const part = pa.parts[k];
    if (kept.length) {
      const W = new Float64Array(out * kept.length);
      for (let r = 0; r < out; r++) kept.forEach((u, j) => (W[r * kept.length + j] = part.W[r * part.size + u]));
      pa.parts[k] = { id: part.id, size: kept.length, W };
    } else pa.parts.splice(k, 1);
    // The linear units' contribution, over the hidden layer's input (split into its parts).
    const S = new Float64Array(out * n);
    // The next layer's units now compute what the linear units (and their dropped partners) did.
    const origin = originOf(pre);
    for (const [u, cols] of linear) inheritOrigin(pa, cols[oi], [[...origin[u], ...(partners?.has(u) ? origin[partners.get(u)!] : [])]]);
    for (const [u, cols] of linear) {
      const e = cols[oi];
      const row = incoming(pre, u);
      for (let r = 0; r < out; r++) {
        if (e[r] === 0) continue;
        for (let c = 0; c < n; c++) S[r * n + c] += e[r] * row[c];
        pa.b[r] += e[r] * row[n];
      }
    }
    let col = 0;
    for (const p of inParts) {
      const W = new Float64Array(out * p.size);
      for (let r = 0; r < out; r++) for (let c = 0; c < p.size; c++) W[r * p.size + c] = S[r * n + col + c];
      addPart(pa, p.id, p.size, W);
      col += p.size;
    }
    return { id: next.id, pa };
  });
  let cur = net;
  if (kept.length) {
    const origin = originOf(pre);
    const unitOrigin = kept.map((u) => origin[u]);
    const W = new Float32Array(kept.length * n);
    kept.forEach((u, j) => W.set(pre.W.subarray(u * n, (u + 1) * n), j * n));
    const replace = new Map<string, Layer>([
      [pre.id, { ...pre, W, b: Float32Array.from(kept, (u) => pre.b[u]), outFeatures: kept.length, shape: [kept.length], unitOrigin }],
      [site.act.id, { ...site.act, shape: [kept.length], unitOrigin }],
    ]);
    cur = editNet(net, replace);
  }
  for (const { id, pa } of rewritten) cur = writeParts(cur, cur.layers.find((l) => l.id === id) as AffineOf, pa);
  return cur;
}
