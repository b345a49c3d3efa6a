// conv-abs.ts's helpers for other readers of a conv's relu: convolutions (the pair test on reader kernels), a
// linear re-ordering layer carve leaves between the flatten and the dense readers (fused away first), and unit
// provenance of new channels.
import type { AffineLayer, ConvLayer, Layer, Net } from "../net/net.ts";
import type { ConvAbsReport } from "./conv-abs.ts";

type Conv = ConvLayer & Layer;
type Affine = AffineLayer & Layer;

/** The relu is read by convolutions: channel pairs whose reader kernels agree (w_i s_i = w_j s_j for every reader
 *  filter and tap) become abs channels; the readers read [abs channels, relu channels] side by side. */
export function rewriteConvReaders(net: Net, c: Conv, relu: Layer, rds: Conv[], s: number[], rows: Float64Array[], pairs: [number, number][], tol: number): { net: Net; report: Omit<ConvAbsReport, "change"> } | undefined {
  const F = c.outChannels;
  const paired = new Set(pairs.flat());
  const unpaired = [...Array(F).keys()].filter((i) => !paired.has(i));
  const P = pairs.length, U = unpaired.length, k = c.weight.length / F;
  const newReaders = new Map<string, Layer>();
  for (const r of rds) {
    const taps = r.kernel.reduce((a, b) => a * b, 1);
    const at = (o: number, i: number, t: number) => r.weight[(o * F + i) * taps + t];
    let m = 0;
    for (const v of r.weight) m = Math.max(m, Math.abs(v));
    const W = new Float32Array(r.outChannels * (P + U) * taps);
    for (let o = 0; o < r.outChannels; o++) {
      for (let q = 0; q < P; q++) {
        const [i, j] = pairs[q];
        for (let t = 0; t < taps; t++) {
          const wi = at(o, i, t) * s[i], wj = at(o, j, t) * s[j];
          if (Math.abs(wi - wj) > tol * Math.max(Math.abs(wi), Math.abs(wj)) && Math.max(Math.abs(wi), Math.abs(wj)) > 1e-2 * m) return undefined;
          W[(o * (P + U) + q) * taps + t] = (wi + wj) / 2;
        }
      }
      unpaired.forEach((i, q) => { for (let t = 0; t < taps; t++) W[(o * (P + U) + P + q) * taps + t] = at(o, i, t); });
    }
    newReaders.set(r.id, { ...r, weight: W, inChannels: P + U });
  }
  const wA = new Float32Array(P * k), bA = new Float32Array(P);
  pairs.forEach(([i, j], q) => {
    for (let t = 0; t < k; t++) wA[q * k + t] = (rows[i][t] - rows[j][t]) / 2;
    bA[q] = (rows[i][k] - rows[j][k]) / 2;
  });
  const hw = c.shape.slice(1);
  const id = (x: string) => `${c.id}_${x}`;
  const convA: Layer = { ...c, id: id("abs"), weight: wA, bias: bA, outChannels: P, shape: [P, ...hw], unitOrigin: pairs.map(([i, j]) => [...unitsOf(c, i), ...unitsOf(c, j)]) };
  const actA: Layer = { kind: "act", fn: "abs", id: id("abs_act"), inputs: [convA.id], shape: [P, ...hw], dtype: c.dtype, origin: relu.origin };
  const path: Layer[] = [convA, actA];
  let value = actA.id;
  if (U) {
    const wU = new Float32Array(U * k), bU = new Float32Array(U);
    unpaired.forEach((i, q) => { wU.set(c.weight.subarray(i * k, (i + 1) * k), q * k); bU[q] = c.bias[i]; });
    const convU: Layer = { ...c, id: id("relu"), weight: wU, bias: bU, outChannels: U, shape: [U, ...hw], unitOrigin: unpaired.map((i) => unitsOf(c, i)) };
    const actU: Layer = { kind: "act", fn: "relu", id: id("relu_act"), inputs: [convU.id], shape: [U, ...hw], dtype: c.dtype, origin: relu.origin };
    const cat: Layer = { kind: "concat", axis: 0, id: id("cat"), inputs: [actA.id, actU.id], shape: [P + U, ...hw], dtype: c.dtype, origin: relu.origin };
    path.push(convU, actU, cat);
    value = cat.id;
  }
  const layers: Layer[] = [];
  for (const l of net.layers) {
    if (l.id === c.id) { layers.push(...path); continue; }
    if (l.id === relu.id) continue;
    const r = newReaders.get(l.id);
    layers.push(r ? { ...r, inputs: [value] } : l);
  }
  return { net: { ...net, layers }, report: { conv: c.id, pairs, unpaired, folded: 0 } };
}

/** relu -> flatten -> L (affine, no activation) -> concat -> affines: L fused into the affines' columns, so they
 *  read the flatten directly (W' = W_L-part @ L.W, b' = b + W_L-part @ L.b; exact up to rounding). Else the Net. */
export function fuseOrder(net: Net, reluId: string): Net {
  const by = (id: string) => net.layers.filter((x) => x.inputs.includes(id));
  const flat = by(reluId);
  if (flat.length !== 1 || flat[0].kind !== "reshape") return net;
  const L = by(flat[0].id);
  if (L.length !== 1 || L[0].kind !== "affine" || by(L[0].id).length !== 1 || net.outputs.some((o) => o.from === L[0].id)) return net;
  const lin = L[0] as Affine;
  const cat = by(lin.id)[0];
  if (cat.kind !== "concat" || cat.axis !== 0 || cat.inputs.filter((i) => i === lin.id).length !== 1 || cat.inputs.includes(flat[0].id)) return net;
  const rds = by(cat.id);
  if (!rds.length || rds.some((r) => r.kind !== "affine")) return net;
  const widthOf = (x: string) => (net.layers.find((l) => l.id === x)?.shape ?? net.inputs.find((i) => i.name === x)!.shape)[0];
  let off = 0;
  for (const i of cat.inputs) { if (i === lin.id) break; off += widthOf(i); }
  const nF = lin.inFeatures, nL = lin.outFeatures;
  const total = cat.shape[0] - nL + nF;
  const newCat: Layer = { ...cat, inputs: cat.inputs.map((i) => (i === lin.id ? flat[0].id : i)), shape: [total] };
  const newRds = new Map<string, Layer>();
  for (const r of rds as Affine[]) {
    const W = new Float32Array(r.outFeatures * total), b = Float32Array.from(r.b);
    for (let o = 0; o < r.outFeatures; o++) {
      const src = o * r.inFeatures, dst = o * total;
      for (let t = 0; t < off; t++) W[dst + t] = r.W[src + t];
      for (let q = 0; q < nL; q++) {
        const w = r.W[src + off + q];
        if (w === 0) continue;
        for (let t = 0; t < nF; t++) W[dst + off + t] += w * lin.W[q * nF + t];
        b[o] += w * lin.b[q];
      }
      for (let t = off + nL; t < r.inFeatures; t++) W[dst + t - nL + nF] = r.W[src + t];
    }
    newRds.set(r.id, { ...r, W, b, inFeatures: total });
  }
  return { ...net, layers: net.layers.flatMap((l) => (l.id === lin.id ? [] : l.id === cat.id ? [newCat] : [newRds.get(l.id) ?? l])) };
}

/** The lowered Net's units a conv channel stands for. */
export function unitsOf(c: Conv, i: number): string[] {
  return c.unitOrigin?.[i] ?? [`${c.id}:${i}`];
}

