// An affine layer seen as a map over several vector values: y = sum_k W_k x_k + b, where the x_k are the parts
// of the concat it reads (or its one input). Fusing affine maps and turning linear units into skip connections
// both rewrite this form and write it back as one affine layer over one concat.
import type { Layer, Net } from "../net/net.ts";
import { consumersOf, editNet, freshId, originOf, outputIds } from "./net-edit.ts";

export interface Part {
  /** Layer id or Net input name of a vector value. */
  id: string;
  size: number;
  /** out x size, row-major. */
  W: Float64Array;
}

export interface PartsAffine {
  out: number;
  parts: Part[];
  b: Float64Array;
  /** Per output unit, the lowered Net's unit ids it stands for: its own, plus units folded into it (a fused
   *  linear layer's, a linearised unit's), so provenance survives the rewrite. */
  origin: Set<string>[];
}

export type AffineOf = Layer & { kind: "affine" };

/** Size of a vector value (a 1-D layer or Net input); undefined for anything else. */
export function vectorSize(net: Net, id: string): number | undefined {
  const l = net.layers.find((x) => x.id === id);
  const shape = l ? l.shape : net.inputs.find((i) => i.name === id)?.shape;
  return shape && shape.length === 1 && shape[0] >= 0 ? shape[0] : undefined;
}

/** The concat layer (axis 0, over vectors) that only `reader` reads, if `id` is one. */
export function privateConcat(net: Net, id: string, reader: string, cons = consumersOf(net), outs = outputIds(net)): (Layer & { kind: "concat" }) | undefined {
  const l = net.layers.find((x) => x.id === id);
  if (!l || l.kind !== "concat" || l.axis !== 0 || outs.has(id)) return undefined;
  const c = cons.get(id) ?? [];
  if (c.length !== 1 || c[0] !== reader) return undefined;
  if (l.inputs.some((i) => vectorSize(net, i) === undefined)) return undefined;
  return l;
}

/** The parts of the value `id` as `reader` sees it: a private concat opened up, else the value itself. */
export function partsOf(net: Net, id: string, reader: string): { id: string; size: number }[] {
  const c = privateConcat(net, id, reader);
  if (c) return c.inputs.map((i) => ({ id: i, size: vectorSize(net, i)! }));
  return [{ id, size: vectorSize(net, id) ?? -1 }];
}

/** Read an affine layer over vectors as a PartsAffine (float64 copies). */
export function readParts(net: Net, l: AffineOf): PartsAffine {
  const parts: Part[] = [];
  let col = 0;
  for (const p of partsOf(net, l.inputs[0], l.id)) {
    const W = new Float64Array(l.outFeatures * p.size);
    for (let r = 0; r < l.outFeatures; r++) for (let c = 0; c < p.size; c++) W[r * p.size + c] = l.W[r * l.inFeatures + col + c];
    parts.push({ id: p.id, size: p.size, W });
    col += p.size;
  }
  return { out: l.outFeatures, parts, b: Float64Array.from(l.b), origin: originOf(l).map((o) => new Set(o)) };
}

/** Record that output unit r of `pa` now also stands for the units `from[j]` wherever W (out x from.length) is non-zero. */
export function inheritOrigin(pa: PartsAffine, W: Float64Array, from: readonly string[][]): void {
  const n = from.length;
  for (let r = 0; r < pa.out; r++) for (let j = 0; j < n; j++) if (W[r * n + j] !== 0) for (const id of from[j]) pa.origin[r].add(id);
}

/** Add W (out x size) on part `id`, summing with what is there. */
export function addPart(pa: PartsAffine, id: string, size: number, W: Float64Array): void {
  const have = pa.parts.find((p) => p.id === id);
  if (!have) {
    pa.parts.push({ id, size, W: Float64Array.from(W) });
    return;
  }
  for (let i = 0; i < W.length; i++) have.W[i] += W[i];
}

/** A (out x k) times B (k x m), row-major, float64. */
export function matmul(A: Float64Array, B: ArrayLike<number>, out: number, k: number, m: number): Float64Array {
  const C = new Float64Array(out * m);
  for (let r = 0; r < out; r++) {
    for (let j = 0; j < k; j++) {
      const a = A[r * k + j];
      if (a === 0) continue;
      for (let c = 0; c < m; c++) C[r * m + c] += a * B[j * m + c];
    }
  }
  return C;
}

/** Write a PartsAffine back as layer `l` (same id and units), reading its one part or a concat of its parts.
 *  The concat takes the place of the one `l` read before (or is inserted right before `l`). */
export function writeParts(net: Net, l: AffineOf, pa: PartsAffine): Net {
  const parts = pa.parts.filter((p) => p.size > 0);
  const inF = parts.reduce((a, p) => a + p.size, 0);
  const W = new Float32Array(pa.out * inF);
  let col = 0;
  for (const p of parts) {
    for (let r = 0; r < pa.out; r++) for (let c = 0; c < p.size; c++) W[r * inF + col + c] = p.W[r * p.size + c];
    col += p.size;
  }
  const old = privateConcat(net, l.inputs[0], l.id);
  const replace = new Map<string, Layer>();
  const before = new Map<string, Layer[]>();
  let input: string;
  if (parts.length === 1) input = parts[0].id;
  else {
    const cat: Layer = {
      kind: "concat", axis: 0, id: old?.id ?? freshId(net, `${l.id}.in`), inputs: parts.map((p) => p.id), shape: [inF],
      dtype: l.dtype, origin: old?.origin ?? l.origin,
    };
    if (old) replace.set(old.id, cat);
    else before.set(l.id, [cat]);
    input = cat.id;
  }
  const own = originOf(l);
  const grew = pa.origin.some((o, r) => o.size !== own[r].length);
  replace.set(l.id, { ...l, W, b: Float32Array.from(pa.b), inFeatures: inF, inputs: [input], ...(grew ? { unitOrigin: pa.origin.map((o) => [...o]) } : {}) });
  return editNet(net, replace, before);
}
