// A hidden layer seen as units, the shape every unit pass (dead, constant, merge, rescale, order) rewrites:
//   pre (affine or conv) -> act (elementwise) -> [pools] -> [reshape to a vector] -> [concat, axis 0] -> next (affine or conv)
// Unit i has an incoming row (pre's weights and bias for output i) and an outgoing block (the entries of
// next's weights that read unit i, once per position). A UnitPlan says which units the rewritten layer has:
// each new unit copies one old unit's incoming row times a positive scale, and its outgoing block is a linear
// combination of old units' blocks. Removing, merging, rescaling and permuting units are all plans.
import type { ActLayer, AffineLayer, ConvLayer, Layer, Net } from "../net/net.ts";
import { unitCount } from "../net/net.ts";
import { consumersOf, editNet, originOf, outputIds } from "./net-edit.ts";

export type PreLayer = Layer & (AffineLayer | ConvLayer);
export type NextLayer = Layer & (AffineLayer | ConvLayer);

/** One reader of the hidden layer: the layers between the activation and it, and where the units sit in its input. */
export interface SiteOut {
  /** Layers between act and next, in order (pools, a reshape, a concat). */
  path: Layer[];
  next: NextLayer;
  /** Values per unit as next reads it (positions of an image after the pools; 1 for a vector). */
  positions: number;
  /** Where unit 0's block starts in next's input (the concat offset, in features or channels). */
  offset: number;
}

export interface UnitSite {
  pre: PreLayer;
  act: Layer & ActLayer;
  /** Every reader of act (a skip connection gives a hidden layer several). */
  outs: SiteOut[];
  units: number;
}

/** One unit of the rewritten layer. */
export interface NewUnit {
  /** The old unit whose incoming row (times inScale) this unit computes. */
  src: number;
  /** > 0; the incoming row and bias are multiplied by it. */
  inScale: number;
  /** Outgoing blocks = sum of coef x old unit `from`'s blocks. */
  out: { from: number; coef: number }[];
}

/** Find the unit site whose pre layer is `pre`, if the layers around it have the supported shape. */
export function siteAt(net: Net, pre: Layer, cons = consumersOf(net), outs = outputIds(net)): UnitSite | undefined {
  if (pre.kind !== "affine" && pre.kind !== "conv") return undefined;
  if (pre.kind === "affine" && pre.shape.length !== 1) return undefined;
  if (pre.kind === "conv" && (pre.groups !== 1 || pre.shape.length !== 3)) return undefined;
  const byId = new Map(net.layers.map((l) => [l.id, l]));
  const readers = (id: string): Layer[] => (outs.has(id) ? [] : (cons.get(id) ?? []).map((c) => byId.get(c)!));
  const first = readers(pre.id);
  if (first.length !== 1 || first[0].kind !== "act") return undefined;
  const act = first[0] as Layer & ActLayer;
  const starts = readers(act.id);
  if (!starts.length || new Set(starts.map((l) => l.id)).size !== starts.length) return undefined;
  const siteOuts: SiteOut[] = [];
  for (const start of starts) {
    const o = chain(net, byId, readers, pre, act, start);
    if (!o) return undefined;
    siteOuts.push(o);
  }
  if (new Set(siteOuts.map((o) => o.next.id)).size !== siteOuts.length) return undefined;
  return { pre, act, outs: siteOuts, units: unitCount(pre) };
}

/** Follow one reader of act to the affine or conv layer that consumes the units. */
function chain(net: Net, byId: ReadonlyMap<string, Layer>, readers: (id: string) => Layer[], pre: PreLayer, act: Layer, start: Layer): SiteOut | undefined {
  const path: Layer[] = [];
  let cur: Layer = act;
  let n: Layer | undefined = start as Layer | undefined;
  let positions = 1;
  let offset = 0;
  for (;;) {
    if (!n) return undefined;
    if (n.kind === "pool" && pre.kind === "conv" && !path.some((p) => p.kind !== "pool")) {
      path.push(n);
    } else if (n.kind === "reshape" && pre.kind === "conv" && n.shape.length === 1 && !path.some((p) => p.kind !== "pool")) {
      positions = cur.shape.slice(1).reduce((a, b) => a * b, 1);
      path.push(n);
    } else if (n.kind === "concat" && n.axis === 0 && !path.some((p) => p.kind === "concat") && n.inputs.filter((i) => i === cur.id).length === 1) {
      const k = n.inputs.indexOf(cur.id);
      for (const i of n.inputs.slice(0, k)) offset += firstDim(net, byId, i);
      path.push(n);
    } else if (n.kind === "affine" && n.shape.length === 1 && cur.shape.length === 1) {
      return pre.kind === "affine" || path.some((p) => p.kind === "reshape") ? { path, next: n, positions, offset } : undefined;
    } else if (n.kind === "conv" && n.groups === 1 && pre.kind === "conv" && !path.some((p) => p.kind === "reshape")) {
      return { path, next: n, positions: 1, offset };
    } else return undefined;
    cur = n;
    const r = readers(n.id);
    n = r.length === 1 ? r[0] : undefined;
  }
}

function firstDim(net: Net, byId: ReadonlyMap<string, Layer>, id: string): number {
  const l = byId.get(id);
  if (l) return l.shape[0];
  return net.inputs.find((i) => i.name === id)?.shape[0] ?? 0;
}

/** Every unit site of the Net, in layer order. */
export function unitSites(net: Net): UnitSite[] {
  const cons = consumersOf(net);
  const outs = outputIds(net);
  return net.layers.map((l) => siteAt(net, l, cons, outs)).filter((s): s is UnitSite => s !== undefined);
}

/** Length of one unit's incoming row (without the bias). */
export function rowLength(pre: PreLayer): number {
  return pre.kind === "affine" ? pre.inFeatures : pre.weight.length / pre.outChannels;
}

/** Unit i's incoming row followed by its bias, as float64. */
export function incoming(pre: PreLayer, i: number): Float64Array {
  const n = rowLength(pre);
  const w = pre.kind === "affine" ? pre.W : pre.weight;
  const r = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) r[k] = w[i * n + k];
  r[n] = pre.kind === "affine" ? pre.b[i] : pre.bias[i];
  return r;
}

/** Flat indices into next's weight array of unit u's outgoing block (same order for every unit). */
export function outgoingIndices(o: SiteOut, u: number): number[] {
  const n = o.next;
  const idx: number[] = [];
  if (n.kind === "affine") {
    const base = o.offset + u * o.positions;
    for (let r = 0; r < n.outFeatures; r++) for (let p = 0; p < o.positions; p++) idx.push(r * n.inFeatures + base + p);
  } else {
    const kk = n.kernel.reduce((a, b) => a * b, 1);
    const c = o.offset + u;
    for (let r = 0; r < n.outChannels; r++) for (let k = 0; k < kk; k++) idx.push((r * n.inChannels + c) * kk + k);
  }
  return idx;
}

/** Unit u's outgoing block in one reader, as float64 (rows of next, then positions or kernel taps). */
export function outgoingIn(o: SiteOut, u: number): Float64Array {
  const w = o.next.kind === "affine" ? o.next.W : o.next.weight;
  return Float64Array.from(outgoingIndices(o, u), (i) => w[i]);
}

/** Unit u's outgoing blocks in every reader, concatenated. */
export function outgoing(site: UnitSite, u: number): Float64Array {
  const blocks = site.outs.map((o) => outgoingIn(o, u));
  const all = new Float64Array(blocks.reduce((a, b) => a + b.length, 0));
  let k = 0;
  for (const b of blocks) {
    all.set(b, k);
    k += b.length;
  }
  return all;
}

/** Outputs of a reader's next layer (its rows, or output channels). */
export function nextOutputs(o: SiteOut): number {
  return o.next.kind === "affine" ? o.next.outFeatures : o.next.outChannels;
}

/** The Net with the site's units rewritten by `plan`; `biasShift` (per reader: per output of its next layer) is
 *  added to the readers' biases. */
export function applyPlan(net: Net, site: UnitSite, plan: readonly NewUnit[], biasShift?: readonly Float64Array[]): Net {
  const { pre, act } = site;
  const oldN = site.units;
  const newN = plan.length;
  const rl = rowLength(pre);
  const origin = originOf(pre);
  const unitOrigin = plan.map((u) => [...new Set([u.src, ...u.out.map((o) => o.from)].flatMap((k) => origin[k]))]);
  // The pre layer: rows copied and scaled.
  const w = new Float32Array(newN * rl);
  const b = new Float32Array(newN);
  const ow = pre.kind === "affine" ? pre.W : pre.weight;
  const ob = pre.kind === "affine" ? pre.b : pre.bias;
  plan.forEach((u, k) => {
    for (let j = 0; j < rl; j++) w[k * rl + j] = ow[u.src * rl + j] * u.inScale;
    b[k] = ob[u.src] * u.inScale;
  });
  const newPre: Layer = pre.kind === "affine"
    ? { ...pre, W: w, b, outFeatures: newN, shape: [newN], unitOrigin }
    : { ...pre, weight: w, bias: b, outChannels: newN, shape: [newN, ...pre.shape.slice(1)], unitOrigin };
  const replace = new Map<string, Layer>([[pre.id, newPre], [act.id, { ...act, shape: [newN, ...act.shape.slice(1)], unitOrigin }]]);
  site.outs.forEach((o, oi) => {
    const delta = (newN - oldN) * o.positions;
    for (const p of o.path) {
      if (p.kind === "pool") replace.set(p.id, { ...p, shape: [newN, ...p.shape.slice(1)], unitOrigin });
      else if (p.kind === "reshape") replace.set(p.id, { ...p, shape: [newN * o.positions] });
      else replace.set(p.id, { ...p, shape: [p.shape[0] + delta, ...p.shape.slice(1)] });
    }
    replace.set(o.next.id, rebuildNext(o, oldN, plan, biasShift?.[oi]));
  });
  return editNet(net, replace);
}

/** A reader's next layer with the site's blocks recombined per the plan. */
function rebuildNext(o: SiteOut, oldN: number, plan: readonly NewUnit[], shift: Float64Array | undefined): Layer {
  const next = o.next;
  const newN = plan.length;
  const blocks = Array.from({ length: oldN }, (_, u) => outgoingIn(o, u));
  const blockLen = blocks[0]?.length ?? 0;
  const newBlocks = plan.map((u) => {
    const acc = new Float64Array(blockLen);
    for (const { from, coef } of u.out) for (let i = 0; i < blockLen; i++) acc[i] += coef * blocks[from][i];
    return acc;
  });
  if (next.kind === "affine") {
    const delta = (newN - oldN) * o.positions;
    const inF = next.inFeatures + delta;
    const W = new Float32Array(next.outFeatures * inF);
    const end = o.offset + oldN * o.positions;
    for (let r = 0; r < next.outFeatures; r++) {
      for (let c = 0; c < o.offset; c++) W[r * inF + c] = next.W[r * next.inFeatures + c];
      for (let c = end; c < next.inFeatures; c++) W[r * inF + c + delta] = next.W[r * next.inFeatures + c];
    }
    const nb: SiteOut = { ...o, next: { ...next, inFeatures: inF } };
    newBlocks.forEach((blk, k) => outgoingIndices(nb, k).forEach((idx, i) => (W[idx] = blk[i])));
    return { ...next, W, inFeatures: inF, b: shifted(next.b, shift) };
  }
  const kk = next.kernel.reduce((a, c) => a * c, 1);
  const inC = next.inChannels + (newN - oldN);
  const W = new Float32Array(next.outChannels * inC * kk);
  const end = o.offset + oldN;
  for (let r = 0; r < next.outChannels; r++) {
    for (let c = 0; c < next.inChannels; c++) {
      if (c >= o.offset && c < end) continue;
      const to = c < o.offset ? c : c + (newN - oldN);
      for (let k = 0; k < kk; k++) W[(r * inC + to) * kk + k] = next.weight[(r * next.inChannels + c) * kk + k];
    }
  }
  const nb: SiteOut = { ...o, next: { ...next, inChannels: inC } };
  newBlocks.forEach((blk, k) => outgoingIndices(nb, k).forEach((idx, i) => (W[idx] = blk[i])));
  return { ...next, weight: W, inChannels: inC, bias: shifted(next.bias, shift) };
}

function shifted(b: Float32Array, shift: Float64Array | undefined): Float32Array {
  if (!shift) return b;
  return Float32Array.from(b, (v, i) => v + shift[i]);
}

/** The identity plan: every unit kept as is. */
export function keepAll(n: number): NewUnit[] {
  return Array.from({ length: n }, (_, i) => ({ src: i, inScale: 1, out: [{ from: i, coef: 1 }] }));
}

/** The unit site of the layer with this id in the current Net (passes re-find a site after rewriting others). */
export function siteById(net: Net, preId: string): UnitSite | undefined {
  const l = net.layers.find((x) => x.id === preId);
  return l ? siteAt(net, l) : undefined;
}
