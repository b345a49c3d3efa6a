// carve-conv: a Net -> Net rewrite that puts convolutions back where dense layers hide them.
//
//   relu(W x + b), W = rows s_u * shift(K_o)          ->  flatten(relu(conv(image(x), K) + bias)), the
//   consumer's column u scaled by s_u and moved to the conv output the row stands for
//
// relu(s z) = s relu(z) for s > 0, so each row's scale moves into the next affine layer (any sign when the
// value is used linearly). Rows the conv does not explain stay a dense layer beside it (concatenated after
// the conv's outputs). Where the next layer is not affine (or the value is an output), an `order` layer (a
// 0/1-times-scale matrix) puts the units back in their original order, unless that order is already the conv's.
// Runs to a fixpoint in one sweep: once a layer is a conv, the next dense layer reads an image and may be one.
import type { ActLayer, AffineLayer, ConcatLayer, ConvLayer, Layer, Net, PoolLayer, ReshapeLayer } from "../net/net.ts";
import { fitConv, type ConvFit, type ConvFitOptions, type ImageGrid } from "./dense-to-conv.ts";
import { asAvgPool } from "./conv-pool.ts";
import { convResidual, fittedRows } from "./carve-residual.ts";
import { absorbSkips, type CarvedValues, type SkipAbsorbed } from "./carve-skip.ts";
import { rangesOf, type RangeEvidence, type RangeOf } from "./carve-ranges.ts";

export interface CarveConvOptions {
  /** Relative residual tolerance of the conv fit (dense-to-conv's `tol`). */
  tol?: number;
  /** Largest relative residual of a whole fit accepted (dense-to-conv's `maxResidual`; default `tol`): for callers
   *  that keep the residual as explicit weights or drop it only within a budget. */
  maxResidual?: number;
  /** Largest number of channel x height x width factorisations tried for a vector input with no image shape. */
  maxFactorisations?: number;
  /** Whether the conv alone (its fit's residual dropped) may replace a layer: given the Net before and after, and
   *  what was carved. When it says no (or when absent and `keepResidual` is set), the residual is kept as explicit
   *  weights beside the conv (carve-residual.ts) and the rewrite is exact. `asDense` is `before` with the layer's
   *  rows replaced by the conv's (the same structure: what bounds on the change should compare). Default: drop. */
  accept?: (before: Net, after: Net, carved: CarvedConv, asDense: Net) => boolean;
  /** Keep every residual (no `accept` asked). */
  keepResidual?: boolean;
  /** Where the Net's values lie (the box, or every row we have): weights on inputs that are 0 there are free in the
   *  fit, and skip connections from a carved layer's input are read back from the conv where it is the identity
   *  (carve-skip.ts). */
  evidence?: RangeEvidence;
}

/** One dense layer turned into a convolution (or an average pool). */
export interface CarvedConv {
  layer: string;
  kind: "conv" | "avgpool";
  grid: ImageGrid;
  /** Where the grid came from: the model's shapes or a factorisation of the width. */
  gridFrom: "shape" | "factorisation";
  outChannels: number;
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
  rows: number;
  explained: number;
  residual: { rel: number; maxAbs: number };
  /** How the units' order and scales were restored: folded into the next layer(s), already in order, or an order layer. */
  order: "folded" | "in order" | "order layer";
  /** The fit's residual kept as explicit weights (the rewrite is then exact): its size. Absent: dropped. */
  residualKept?: { nonzero: number; maxAbs: number; layer: string; /** Largest |R x + r| over a box (set by the carve pass). */ boxBound?: number };
  /** The residual's size in weights whether kept or dropped: non-zero entries of (R, r) and the largest. */
  residualSize: { nonzero: number; maxAbs: number };
  /** Weights on inputs that are 0 over the evidence, left to the fit (the conv's value taken there). */
  freeWeights?: number;
  /** Readers whose skip connection from the layer's input now reads the conv (carve-skip.ts). */
  skips?: SkipAbsorbed[];
  /** Where "always 0" and "the identity" were established, for free weights and skips: "over the box" (proven) or
   *  "on every row of the data" (observed). */
  evidence?: string;
}

export interface CarveConvResult {
  net: Net;
  carved: CarvedConv[];
  /** Dense layers looked at and left dense, with why. */
  kept: { layer: string; reason: string }[];
}

const HOMOGENEOUS = new Set(["relu", "leaky_relu", "identity"]);

/** Per-sample shapes of every layer and input, by id. */
function shapes(net: Net): Map<string, number[]> {
  return new Map<string, number[]>([...net.inputs.map((i) => [i.name, i.shape] as [string, number[]]), ...net.layers.map((l) => [l.id, l.shape] as [string, number[]])]);
}

/** Grids to try for the input of a dense layer: from a reshape of an image, else factorisations c x s x s. */
function gridsFor(net: Net, l: AffineLayer & Layer, maxF: number): { grid: ImageGrid; from: "shape" | "factorisation"; image?: string }[] {
  const src = net.layers.find((x) => x.id === l.inputs[0]);
  if (src?.kind === "reshape") {
    const s = shapes(net).get(src.inputs[0]);
    if (s && s.length === 3) return [{ grid: { c: s[0], h: s[1], w: s[2] }, from: "shape", image: src.inputs[0] }];
    if (s && s.length === 2) return [];
  }
  // Only a Net input (or a flatten of one) can be an image without saying so: a hidden vector's units are in
  // no spatial order (unless a carved conv made it, and then its shape says so).
  const direct = net.inputs.some((i) => i.name === l.inputs[0]) || (src?.kind === "reshape" && net.inputs.some((i) => i.name === src.inputs[0]));
  if (!direct) return [];
  const n = l.inFeatures;
  const out: { grid: ImageGrid; from: "factorisation" }[] = [];
  for (let c = 1; c <= 64 && out.length < maxF; c++) {
    if (n % c) continue;
    const side = Math.round(Math.sqrt(n / c));
    if (side >= 3 && side * side * c === n) out.push({ grid: { c, h: side, w: side }, from: "factorisation" });
  }
  return out;
}

/** Carve convolutions out of every dense layer of a Net that is one. */
export function carveConvs(net0: Net, opts: CarveConvOptions = {}): CarveConvResult {
  let net = net0;
  const carved: CarvedConv[] = [];
  const kept: { layer: string; reason: string }[] = [];
  // Layers this pass made (rows left dense, order matrices) are not looked at again.
  const made = new Set<string>();
  for (let k = 0; k < net.layers.length; k++) {
    const l = net.layers[k];
    if (l.kind !== "affine" || l.shape.length !== 1 || l.inputs.length !== 1 || made.has(l.id)) continue;
    const before = new Set(net.layers.map((x) => x.id));
    // Ranges, computed only for a layer that reads an image (the fit's free weights).
    const r = carveOne(net, l, opts, opts.evidence && rangesOf(net, opts.evidence));
    if ("reason" in r) kept.push({ layer: l.id, reason: r.reason });
    else {
      net = r.net;
      // A skip connection from the layer's input that the conv computes (an always-on unit made linear) is read
      // back from the conv, so its readers may read the image alone.
      if (opts.evidence && r.values) {
        const range = rangesOf(net, opts.evidence);
        const a = absorbSkips(net, r.values, () => range(l.id)?.lo);
        if (a?.absorbed.length) {
          net = a.net;
          r.carved.skips = a.absorbed;
        }
      }
      if (opts.evidence && (r.carved.freeWeights || r.carved.skips)) r.carved.evidence = opts.evidence.kind === "box" ? "over the box" : "on every row of the data";
      carved.push(r.carved);
      for (const x of net.layers) if (!before.has(x.id)) made.add(x.id);
    }
  }
  return { net, carved, kept };
}

/** A fit this close (relative residual) is exact at float rounding: nothing for free weights to improve. */
const EXACT_FIT = 1e-6;

/** A copy of W with NaN where the input is 0 over the evidence (free for the fit); undefined when none is. */
function freeWeights(l: AffineLayer & Layer, range: RangeOf | undefined, image: string | undefined): { W: Float32Array; n: number } | undefined {
  const iv = image && range ? range(image) : undefined;
  if (!iv || iv.lo.length !== l.inFeatures) return undefined;
  const zero: number[] = [];
  for (let i = 0; i < l.inFeatures; i++) if (iv.lo[i] === 0 && iv.hi[i] === 0) zero.push(i);
  if (!zero.length) return undefined;
  const W = Float32Array.from(l.W);
  for (let u = 0; u < l.outFeatures; u++) for (const i of zero) W[u * l.inFeatures + i] = NaN;
  return { W, n: zero.length * l.outFeatures };
}

function carveOne(net: Net, l: AffineLayer & Layer, opts: CarveConvOptions, range?: RangeOf): { net: Net; carved: CarvedConv; values?: CarvedValues } | { reason: string } {
  const consumers = (id: string) => net.layers.filter((x) => x.inputs.includes(id));
  const cs = consumers(l.id);
  const act = cs.length === 1 && cs[0].kind === "act" && !net.outputs.some((o) => o.from === l.id) ? (cs[0] as ActLayer & Layer) : undefined;
  if (act && !HOMOGENEOUS.has(act.fn)) return { reason: `followed by ${act.fn}, which row scales cannot pass through` };
  const fitOpts: ConvFitOptions = { tol: opts.tol ?? 1e-3, signFree: !act || act.fn === "identity", ...(opts.maxResidual !== undefined ? { maxResidual: opts.maxResidual } : {}) };
  const grids = gridsFor(net, l, opts.maxFactorisations ?? 6);
  if (!grids.length) return { reason: "its input is not an image (no image shape, and no channels x side x side factorisation of its width)" };
  let reason = "";
  for (const g of grids) {
    // The weights as they are first; weights on inputs that are always 0 left free only when that fit is not exact
    // (a row with most of its window free can be placed at more than one window, so freedom is a fallback).
    const plain = fitConv(l.W, l.b, l.outFeatures, g.grid, fitOpts);
    const exact = plain.ok && plain.fit.explained === l.outFeatures && plain.fit.residual.rel <= EXACT_FIT;
    const free0 = exact ? undefined : freeWeights(l, range, g.image ?? l.inputs[0]);
    const freed = free0 && fitConv(free0.W, l.b, l.outFeatures, g.grid, fitOpts);
    const better = freed?.ok && (!plain.ok || freed.fit.explained > plain.fit.explained || (freed.fit.explained === plain.fit.explained && freed.fit.residual.rel < plain.fit.residual.rel));
    const free = better ? free0 : undefined;
    const r = better ? freed! : plain;
    if (!r.ok) {
      reason = reason || (g.from === "shape" ? r.reason : `no factorisation of ${l.inFeatures} fits (${r.reason})`);
      continue;
    }
    const tol = opts.tol ?? 1e-3;
    const Wf = free?.W ?? l.W;
    const withFree = <T extends { carved: CarvedConv }>(x: T): T => (free ? { ...x, carved: { ...x.carved, freeWeights: free.n } } : x);
    if (opts.keepResidual && !opts.accept) return withFree(rewrite(net, l, act, r.fit, g, tol, true, Wf));
    const dropped = withFree(rewrite(net, l, act, r.fit, g, tol, false, Wf));
    if (!opts.accept) return dropped;
    const rows = fittedRows(l.W, l.b, asAvgPool(r.fit) ?? r.fit);
    const asDense: Net = { ...net, layers: net.layers.map((x) => (x.id === l.id ? { ...l, W: rows.W, b: rows.b } : x)) };
    if (opts.accept(net, dropped.net, dropped.carved, asDense)) return dropped;
    return withFree(rewrite(net, l, act, r.fit, g, tol, true, Wf));
  }
  return { reason };
}

/** The rewritten Net: conv (or pool) [+ act] + flatten [+ the rows left dense], consumers re-indexed. With
 *  `keep`: conv (or pool) + flatten + the residual map (an affine layer from the layer's input) [+ act], exact. */
function rewrite(net: Net, l: AffineLayer & Layer, act: (ActLayer & Layer) | undefined, convFit: ConvFit, g: { grid: ImageGrid; from: "shape" | "factorisation"; image?: string }, tol: number, keep: boolean,
  Wfit: Float32Array = l.W): { net: Net; carved: CarvedConv; values?: CarvedValues } {
  const pool = asAvgPool(convFit);
  const fit0 = pool ?? convFit;
  const nConv = fit0.outChannels * fit0.outH * fit0.outW;
  // Kept residuals absorb any row scale exactly: rows already in conv order with scales near 1 take scale 1.
  const unit = keep && fit0.place.length === nConv && fit0.place.every((p, u) => p === u) && fit0.scale.every((s) => Math.abs(s - 1) <= tol);
  const fit = unit ? { ...fit0, scale: new Float64Array(fit0.scale.length).fill(1) } : fit0;
  const size = convResidual(Wfit, l.b, fit);
  const residual = keep ? size : undefined;
  const { grid } = fit;
  const shape = [fit.outChannels, fit.outH, fit.outW];
  const total = fit.outChannels * fit.outH * fit.outW;
  const base = { dtype: l.dtype, origin: l.origin };
  const originOf = (u: number) => l.unitOrigin?.[u] ?? [`${l.id}:${u}`];
  const added: Layer[] = [];
  let image = g.image;
  if (!image) {
    image = `${l.id}.grid`;
    added.push({ kind: "reshape", id: image, inputs: [...l.inputs], shape: [grid.c, grid.h, grid.w], ...base } as ReshapeLayer & Layer);
  }
  const unitOrigin: string[][] = Array.from({ length: fit.outChannels }, () => []);
  fit.place.forEach((p, u) => { if (p >= 0) unitOrigin[Math.floor(p / (fit.outH * fit.outW))].push(...originOf(u)); });
  const conv: Layer = pool
    ? ({ kind: "pool", mode: "avg", kernel: [...fit.kernel], strides: [...fit.strides], pads: [...fit.pads], dilations: [...fit.dilations], countIncludePad: true, ceilMode: false, id: l.id, inputs: [image], shape, ...base, unitOrigin } as PoolLayer & Layer)
    : ({
      kind: "conv", id: l.id, inputs: [image], shape, ...base, unitOrigin, weight: fit.weight, bias: fit.bias, outChannels: fit.outChannels, inChannels: grid.c,
      kernel: [...fit.kernel], strides: [...fit.strides], pads: [...fit.pads], dilations: [...fit.dilations], groups: 1,
    } as ConvLayer & Layer);
  added.push(conv);
  const flat = `${l.id}.flat`;
  if (!residual) {
    let value = conv.id;
    if (act) {
      added.push({ ...act, inputs: [conv.id], shape, unitOrigin } as Layer);
      value = act.id;
    }
    added.push({ kind: "reshape", id: flat, inputs: [value], shape: [total], ...base } as ReshapeLayer & Layer);
  } else {
    // conv(x)[p] + B + R_p x + r_p, then the activation, on the conv's image (so a dense layer after it still
    // reads an image), then flatten.
    const resId = `${l.id}.residual`, imgId = `${l.id}.residual_img`, sumId = `${l.id}.sum`;
    const note = `the fit residual of ${pool ? "pool" : "conv"} ${l.id}: what its shared kernels do not explain (max |w| ${residual.maxAbs.toExponential(1)})`;
    added.push({ kind: "affine", id: resId, inputs: [...l.inputs], shape: [total], ...base, W: residual.W, b: residual.b, inFeatures: l.inFeatures, outFeatures: total, note } as AffineLayer & Layer);
    added.push({ kind: "reshape", id: imgId, inputs: [resId], shape, ...base } as ReshapeLayer & Layer);
    added.push({ kind: "add", id: sumId, inputs: [conv.id, imgId], shape, ...base, unitOrigin } as Layer);
    let value = sumId;
    if (act) {
      added.push({ ...act, inputs: [sumId], shape, unitOrigin } as Layer);
      value = act.id;
    }
    added.push({ kind: "reshape", id: flat, inputs: [value], shape: [total], ...base } as ReshapeLayer & Layer);
  }
  // Where each old unit went in the new value, and its scale: conv outputs first, then the rows left dense.
  const rest = residual ? residual.rest : [...fit.place.keys()].filter((u) => fit.place[u] < 0);
  const index = Int32Array.from(fit.place);
  const scale = Float64Array.from(fit.scale);
  let newValue = flat;
  if (rest.length) {
    rest.forEach((u, k) => { index[u] = total + k; scale[u] = 1; });
    const nIn = l.inFeatures;
    const W = new Float32Array(rest.length * nIn);
    rest.forEach((u, k) => W.set(l.W.subarray(u * nIn, (u + 1) * nIn), k * nIn));
    const restId = `${l.id}.rest`;
    added.push({ kind: "affine", id: restId, inputs: [...l.inputs], shape: [rest.length], ...base, W, b: Float32Array.from(rest, (u) => l.b[u]), inFeatures: nIn, outFeatures: rest.length, unitOrigin: rest.map(originOf) } as AffineLayer & Layer);
    let restValue = restId;
    if (act) {
      added.push({ ...act, id: `${act.id}.rest`, inputs: [restId], shape: [rest.length], unitOrigin: rest.map(originOf) } as Layer);
      restValue = `${act.id}.rest`;
    }
    newValue = `${l.id}.cat`;
    added.push({ kind: "concat", axis: 0, id: newValue, inputs: [flat, restValue], shape: [total + rest.length], ...base } as ConcatLayer & Layer);
  }
  const width = total + rest.length;
  // Units already in conv order with unit scales (within the fit's tolerance, which the residual counts) need nothing.
  const inOrder = index.length === width && index.every((j, u) => j === u) && scale.every((s) => Math.abs(s - 1) <= tol);
  const oldValue = act ? act.id : l.id;
  // Consumers: an affine layer takes the scaled, moved columns; anything else reads the units in their old order.
  let orderLayer: string | undefined;
  const needOrder = () => {
    if (!orderLayer) {
      orderLayer = `${l.id}.order`;
      const W = new Float32Array(index.length * width);
      index.forEach((j, u) => (W[u * width + j] = scale[u]));
      added.push({ kind: "affine", id: orderLayer, inputs: [newValue], shape: [index.length], ...base, W, b: new Float32Array(index.length), inFeatures: width, outFeatures: index.length } as AffineLayer & Layer);
    }
    return orderLayer;
  };
  let folded = false;
  const replaced = new Map<string, Layer>();
  for (const c of net.layers) {
    if (!c.inputs.includes(oldValue)) continue;
    if (c.kind === "affine" && c.inputs.length === 1 && !inOrder) {
      const n = c.outFeatures, W = new Float32Array(n * width);
      for (let o = 0; o < n; o++) for (let u = 0; u < index.length; u++) W[o * width + index[u]] += scale[u] * c.W[o * c.inFeatures + u];
      replaced.set(c.id, { ...c, inputs: [newValue], W, inFeatures: width });
      folded = true;
    } else replaced.set(c.id, { ...c, inputs: c.inputs.map((i) => (i === oldValue ? (inOrder ? newValue : needOrder()) : i)) } as Layer);
  }
  const outputs = net.outputs.map((o) => (o.from === oldValue ? { ...o, from: inOrder ? newValue : needOrder() } : o));
  const drop = new Set([l.id, ...(act ? [act.id] : [])]);
  const layers: Layer[] = [];
  for (const x of net.layers) {
    if (x.id === l.id) layers.push(...added);
    else if (!drop.has(x.id)) layers.push(replaced.get(x.id) ?? x);
  }
  // A flatten only the dense layer read is gone with it.
  const src = net.layers.find((x) => x.id === l.inputs[0]);
  const stillRead = (id: string) => layers.some((x) => x.inputs.includes(id)) || outputs.some((o) => o.from === id);
  const finalLayers = src?.kind === "reshape" && g.image && !stillRead(src.id) ? layers.filter((x) => x.id !== src.id) : layers;
  const values: CarvedValues | undefined = pool || residual ? undefined : {
    fit, src: l.inputs[0], act: act ? (act.fn as CarvedValues["act"]) : "none", flat, value: newValue, ...(orderLayer ? { order: orderLayer } : {}),
  };
  return {
    net: { ...net, layers: finalLayers, outputs },
    ...(values ? { values } : {}),
    carved: {
      layer: l.id, kind: pool ? "avgpool" : "conv", grid, gridFrom: g.from, outChannels: fit.outChannels, kernel: fit.kernel, strides: fit.strides,
      pads: fit.pads, dilations: fit.dilations, rows: l.outFeatures, explained: residual ? l.outFeatures - residual.rest.length : fit.explained, residual: fit.residual,
      order: inOrder ? "in order" : orderLayer ? "order layer" : folded ? "folded" : "in order",
      ...(residual ? { residualKept: { nonzero: residual.nonzero, maxAbs: residual.maxAbs, layer: `${l.id}.residual` } } : {}),
      residualSize: { nonzero: size.nonzero, maxAbs: size.maxAbs },
    },
  };
}
