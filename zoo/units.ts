// Unit surgery: a hidden layer seen as a list of units, each with its incoming weights (row or
// kernel, and bias) and its outgoing weights (its slots in the next layer). Every obfuscation
// that permutes, rescales, splits or adds units edits this list and rebuilds the two layers.
import { unitCount, unitWidth, type Branch, type ZLayer } from "./net.ts";

/** Module label of units that are never active on the domain. */
export const DEAD = "dead";

/** One hidden unit: incoming weights and bias, outgoing slot weights, module label. */
export interface Unit {
  w: Float64Array;
  b: number;
  out: Float64Array;
  module: string;
}

/** Flat indices, in the next layer's weight array, of the slots that unit `u` of `nUnits` feeds. */
function slotIndices(next: ZLayer, u: number, nUnits: number, width: number): number[] {
  const idx: number[] = [];
  if (next.kind === "dense") {
    const nIn = nUnits * width;
    for (let o = 0; o < next.nOut; o++) for (let p = 0; p < width; p++) idx.push(o * nIn + u * width + p);
  } else {
    const kk = next.kernel[0] * next.kernel[1];
    for (let o = 0; o < next.outChannels; o++) for (let k = 0; k < kk; k++) idx.push((o * nUnits + u) * kk + k);
  }
  return idx;
}

/** Length of a unit's incoming weight vector. */
function rowLen(l: ZLayer): number {
  return l.kind === "dense" ? l.nIn : l.inShape[0] * l.kernel[0] * l.kernel[1];
}

/** The units of hidden layer k of a branch (k must not be the last layer). */
export function getUnits(br: Branch, k: number): Unit[] {
  const l = br.layers[k];
  const next = br.layers[k + 1];
  if (!next) throw new Error(`getUnits: layer ${k} of branch ${br.name} is the output layer`);
  const n = unitCount(l);
  const width = unitWidth(l);
  const rl = rowLen(l);
  const weights = l.kind === "dense" ? l.W : l.weight;
  const bias = l.kind === "dense" ? l.b : l.bias;
  const nw = next.kind === "dense" ? next.W : next.weight;
  const units: Unit[] = [];
  for (let u = 0; u < n; u++) {
    const out = Float64Array.from(slotIndices(next, u, n, width), (i) => nw[i]);
    units.push({ w: weights.slice(u * rl, (u + 1) * rl), b: bias[u], out, module: l.modules[u] });
  }
  return units;
}

/** Replace hidden layer k and the input side of layer k+1 with the given units, in order. */
export function setUnits(br: Branch, k: number, units: Unit[]): void {
  const l = br.layers[k];
  const next = br.layers[k + 1];
  const n = units.length;
  const width = unitWidth(l);
  const rl = rowLen(l);
  const weights = new Float64Array(n * rl);
  const bias = new Float64Array(n);
  units.forEach((u, i) => {
    weights.set(u.w, i * rl);
    bias[i] = u.b;
  });
  const modules = units.map((u) => u.module);
  const nl: ZLayer =
    l.kind === "dense" ? { ...l, nOut: n, W: weights, b: bias, modules } : { ...l, outChannels: n, weight: weights, bias, modules };
  let nn: ZLayer;
  if (next.kind === "dense") {
    nn = { ...next, nIn: n * width, W: new Float64Array(next.nOut * n * width) };
  } else {
    nn = { ...next, inShape: [n, next.inShape[1], next.inShape[2]], weight: new Float64Array(next.outChannels * n * next.kernel[0] * next.kernel[1]) };
  }
  const nw = nn.kind === "dense" ? nn.W : nn.weight;
  units.forEach((u, i) => slotIndices(nn, i, n, width).forEach((idx, j) => (nw[idx] = u.out[j])));
  br.layers[k] = nl;
  br.layers[k + 1] = nn;
}

/** Indices of the hidden layers of a branch (all but the last), where unit obfuscations apply. */
export function hiddenLayers(br: Branch): number[] {
  return br.layers.slice(0, -1).map((_, k) => k);
}

/** The most common module label among a branch's hidden units. */
export function mainLabel(br: Branch): string {
  const count = new Map<string, number>();
  for (const l of br.layers.slice(0, -1)) for (const m of l.modules) if (m !== DEAD) count.set(m, (count.get(m) ?? 0) + 1);
  let best = "main";
  let n = -1;
  for (const [m, c] of count) if (c > n) [best, n] = [m, c];
  return best;
}

