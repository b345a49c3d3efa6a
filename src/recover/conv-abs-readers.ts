// conv-abs.ts's helpers for other readers of a conv's relu: convolutions (the pair test on reader kernels), a
// linear re-ordering layer carve leaves between the flatten and the dense readers (fused away first), and unit
// provenance of new channels.
import type { AffineLayer, ConvLayer, Layer, Net } from "../net/net.ts";
import type { ConvAbsReport } from "./conv-abs.ts";
import { mixResidual, residualLayers, type ChannelMix, type ConvResidualLayers } from "./conv-abs-residual.ts";

type Conv = ConvLayer & Layer;
type Affine = AffineLayer & Layer;

/** The relu is read by convolutions: channel pairs whose reader kernels agree (w_i s_i = w_j s_j for every reader
 *  filter and tap) become abs channels; the readers read [abs, relu, linear] channels side by side. With
 *  exactPairs, A = row_i and what the name leaves out stays explicit, as for dense readers (conv-abs.ts):
 *    w_i relu(A) + w_j relu(-A) = (w_i + w_j)/2 |A| + (w_i - w_j)/2 A     (A: a linear channel, no activation)
 *    s_j relu(-A + e) = s_j relu(-A) + [relu(z_j) - s_j relu(-A)]          (two relu channels) */
export function rewriteConvReaders(net: Net, c: Conv, relu: Layer, rds: Conv[], s: number[], rows: Float64Array[], pairs: [number, number][], tol: number, exactPairs: boolean,
  dense: { flat: Layer; affines: Affine[] } = { flat: relu, affines: [] }, res?: ConvResidualLayers): { net: Net; report: Omit<ConvAbsReport, "change"> } | undefined {
  // `dense`: affine readers of a flatten of the relu beside the convs (a carved reader's kept fit residual,
  // carve-residual.ts): their columns per (channel, position) are rewritten as a conv reader's taps are; with
  // exactPairs the identity holds for any reader weights (the difference goes to the linear channels).
  const F = c.outChannels;
  const HW = c.shape.slice(1).reduce((a, b) => a * b, 1);
  const paired = new Set(pairs.flat());
  const unpaired = [...Array(F).keys()].filter((i) => !paired.has(i));
  const P = pairs.length, k = c.weight.length / F;
  const { w: wA, b: bA } = pairKernels(rows, pairs, k, exactPairs);
  // Relu channels: unpaired, then (exactPairs) per mismatched pair channel j and -A; reader weight per (o, t).
  type At = (o: number, i: number, t: number) => number;
  // Each new channel as a mix of the old ones: its residual, when the conv carries one (conv-abs-residual.ts).
  const mixA: ChannelMix[] = pairs.map(([i, j]) => (exactPairs ? [{ ch: i, coef: 1 / s[i] }] : [{ ch: i, coef: 0.5 / s[i] }, { ch: j, coef: -0.5 / s[j] }]));
  const reluCh: { w: Float32Array; b: number; col: (at: At, o: number, t: number) => number; origin: string[]; mix: ChannelMix }[] = [];
  for (const i of unpaired) reluCh.push({ w: c.weight.slice(i * k, (i + 1) * k), b: c.bias[i], col: (at, o, t) => at(o, i, t), origin: unitsOf(c, i), mix: [{ ch: i, coef: 1 }] });
  if (exactPairs) {
    pairs.forEach(([i, j], q) => {
      if (!res && rows[i].every((v, t) => Math.abs(v + rows[j][t]) <= 1e-7)) return;
      reluCh.push({ w: c.weight.slice(j * k, (j + 1) * k), b: c.bias[j], col: (at, o, t) => at(o, j, t), origin: unitsOf(c, j), mix: [{ ch: j, coef: 1 }] });
      reluCh.push({ w: wA.slice(q * k, (q + 1) * k).map((v) => -v), b: -bA[q], col: (at, o, t) => -at(o, j, t) * s[j], origin: unitsOf(c, j), mix: mixA[q].map((x) => ({ ch: x.ch, coef: -x.coef })) });
    });
  }
  const U = reluCh.length;
  const L = exactPairs ? P : 0;
  const C = P + U + L;
  const newReaders = new Map<string, Layer>();
  for (const r of rds) {
    const taps = r.kernel.reduce((a, b) => a * b, 1);
    const at: At = (o, i, t) => r.weight[(o * F + i) * taps + t];
    let m = 0;
    for (const v of r.weight) m = Math.max(m, Math.abs(v));
    const W = new Float32Array(r.outChannels * C * taps);
    for (let o = 0; o < r.outChannels; o++) {
      for (let q = 0; q < P; q++) {
        const [i, j] = pairs[q];
        for (let t = 0; t < taps; t++) {
          const wi = at(o, i, t) * s[i], wj = at(o, j, t) * s[j];
          if (Math.abs(wi - wj) > tol * Math.max(Math.abs(wi), Math.abs(wj)) && Math.max(Math.abs(wi), Math.abs(wj)) > 1e-2 * m) return undefined;
          W[(o * C + q) * taps + t] = (wi + wj) / 2;
          if (L) W[(o * C + P + U + q) * taps + t] = (wi - wj) / 2;
        }
      }
      reluCh.forEach((ch, q) => { for (let t = 0; t < taps; t++) W[(o * C + P + q) * taps + t] = ch.col(at, o, t); });
    }
    newReaders.set(r.id, { ...r, weight: W, inChannels: C });
  }
  for (const a of dense.affines) {
    const at: At = (o, i, p) => a.W[o * a.inFeatures + i * HW + p];
    let m = 0;
    for (const v of a.W) m = Math.max(m, Math.abs(v));
    const W = new Float32Array(a.outFeatures * C * HW);
    for (let o = 0; o < a.outFeatures; o++) {
      for (let q = 0; q < P; q++) {
        const [i, j] = pairs[q];
        for (let p = 0; p < HW; p++) {
          const wi = at(o, i, p) * s[i], wj = at(o, j, p) * s[j];
          if (!L && Math.abs(wi - wj) > tol * Math.max(Math.abs(wi), Math.abs(wj)) && Math.max(Math.abs(wi), Math.abs(wj)) > 1e-2 * m) return undefined;
          W[o * C * HW + q * HW + p] = (wi + wj) / 2;
          if (L) W[o * C * HW + (P + U + q) * HW + p] = (wi - wj) / 2;
        }
      }
      reluCh.forEach((ch, q) => { for (let p = 0; p < HW; p++) W[o * C * HW + (P + q) * HW + p] = ch.col(at, o, p); });
    }
    newReaders.set(a.id, { ...a, W, inFeatures: C * HW });
  }
  const hw = c.shape.slice(1);
  const id = (x: string) => `${c.id}_${x}`;
  const convA: Layer = { ...c, id: id("abs"), weight: wA, bias: bA, outChannels: P, shape: [P, ...hw], unitOrigin: pairs.map(([i, j]) => [...unitsOf(c, i), ...unitsOf(c, j)]) };
  const rowsA = res ? mixResidual(res, mixA, HW) : undefined;
  const resA = res && rowsA ? residualLayers(res, convA.id, [P, ...hw], rowsA, "abs") : undefined;
  const actA: Layer = { kind: "act", fn: "abs", id: id("abs_act"), inputs: [resA ? resA.out : convA.id], shape: [P, ...hw], dtype: c.dtype, origin: relu.origin };
  const path: Layer[] = [convA, ...(resA?.layers ?? []), actA];
  const parts = [actA.id];
  if (U) {
    const wU = new Float32Array(U * k), bU = new Float32Array(U);
    reluCh.forEach((ch, q) => { wU.set(ch.w, q * k); bU[q] = ch.b; });
    const convU: Layer = { ...c, id: id("relu"), weight: wU, bias: bU, outChannels: U, shape: [U, ...hw], unitOrigin: reluCh.map((ch) => ch.origin) };
    const resU = res ? residualLayers(res, convU.id, [U, ...hw], mixResidual(res, reluCh.map((ch) => ch.mix), HW), "relu") : undefined;
    const actU: Layer = { kind: "act", fn: "relu", id: id("relu_act"), inputs: [resU ? resU.out : convU.id], shape: [U, ...hw], dtype: c.dtype, origin: relu.origin };
    path.push(convU, ...(resU?.layers ?? []), actU);
    parts.push(actU.id);
  }
  if (L) {
    const convL: Layer = { ...c, id: id("lin"), weight: wA, bias: bA, outChannels: P, shape: [P, ...hw], unitOrigin: pairs.map(([i, j]) => [...unitsOf(c, i), ...unitsOf(c, j)]) };
    const resL = res && rowsA ? residualLayers(res, convL.id, [P, ...hw], rowsA, "lin") : undefined;
    path.push(convL, ...(resL?.layers ?? []));
    parts.push(resL ? resL.out : convL.id);
  }
  let value = actA.id;
  if (parts.length > 1) {
    const cat: Layer = { kind: "concat", axis: 0, id: id("cat"), inputs: parts, shape: [C, ...hw], dtype: c.dtype, origin: relu.origin };
    path.push(cat);
    value = cat.id;
  }
  const flatNew: Layer | undefined = dense.affines.length ? { ...dense.flat, id: id("flat"), inputs: [value], shape: [C * HW] } : undefined;
  if (flatNew) path.push(flatNew);
  const layers: Layer[] = [];
  for (const l of net.layers) {
    if (l.id === c.id) { layers.push(...path); continue; }
    if (l.id === relu.id || (flatNew && l.id === dense.flat.id) || (res && [res.add.id, res.img.id, res.aff.id].includes(l.id))) continue;
    const r = newReaders.get(l.id);
    layers.push(r ? { ...r, inputs: [r.kind === "affine" ? flatNew!.id : value] } : l);
  }
  return { net: { ...net, layers }, report: { conv: c.id, pairs, unpaired, folded: 0 } };
}

/** The abs channels' kernels and biases: per pair (i, j), A = (row_i - row_j) / 2, or row_i when exactPairs. */
export function pairKernels(rows: Float64Array[], pairs: [number, number][], k: number, exactPairs: boolean): { w: Float32Array; b: Float32Array } {
  const w = new Float32Array(pairs.length * k), b = new Float32Array(pairs.length);
  pairs.forEach(([i, j], q) => {
    for (let t = 0; t <= k; t++) {
      const v = exactPairs ? rows[i][t] : (rows[i][t] - rows[j][t]) / 2;
      if (t < k) w[q * k + t] = v;
      else b[q] = v;
    }
  });
  return { w, b };
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

