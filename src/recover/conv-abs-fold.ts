// Dense units beside a conv that are copies of one of its units. When carve turns a dense layer into a conv, units
// it could not place (a unit split into copies: the conv holds one, the rest stay dense) sit beside it in a concat.
// A copy computes a positive multiple of a conv unit's pre-activation, so it folds into that unit's reader weights:
//
//   w_r * relu(l * z_ip) + w_ip * relu(z_ip) = (w_ip + l * w_r) * relu(z_ip)     (l > 0)
//
// Used by conv-abs.ts before it pairs channels (a split copy would otherwise break the equal-weights test). A copy
// that differs from the conv unit beyond rounding (carve fits one kernel for all positions) stays, beside a unit
// that takes back what was folded, so the Net is unchanged:
//   w_r relu(R x) = w_r l relu(T x) + [w_r relu(R x) - w_r relu(l T x)]       (the bracket: two dense units)
import type { AffineLayer, ConvLayer, Layer, Net } from "../net/net.ts";

type Conv = ConvLayer & Layer;
type Affine = AffineLayer & Layer;

/** Most conv units x rest inputs compared (the search is brute force over the conv's positions). */
const WORK_LIMIT = 5e6;

/** The conv unit (channel i, position p) rows over the flattened conv input: sparse (index, weight) lists. */
export function unitRow(c: Conv, inShape: number[], i: number, p: number): { idx: number[]; w: number[] } {
  const [C, H, W] = inShape, [, Ho, Wo] = c.shape;
  const [kh, kw] = c.kernel, [sy, sx] = c.strides, [dy, dx] = c.dilations, [pt, pl] = c.pads;
  const py = Math.floor(p / Wo), px = p % Wo;
  void Ho;
  const idx: number[] = [], w: number[] = [];
  for (let ci = 0; ci < C; ci++) {
    for (let ky = 0; ky < kh; ky++) {
      const y = py * sy - pt + ky * dy;
      if (y < 0 || y >= H) continue;
      for (let kx = 0; kx < kw; kx++) {
        const xx = px * sx - pl + kx * dx;
        if (xx < 0 || xx >= W) continue;
        const v = c.weight[((i * C + ci) * kh + ky) * kw + kx];
        if (v !== 0) { idx.push((ci * H + y) * W + xx); w.push(v); }
      }
    }
  }
  return { idx, w };
}

/** Per rest unit folded: the conv unit (i*HW + p) and l (rest pre-activation = l * conv pre-activation). */
export interface Folded {
  restLayer: string;
  unit: number;
  convUnit: number;
  l: number;
  /** max |rest row - l * conv row| over the rest row's largest weight (bias included). */
  mismatch: number;
}

/** Rest units (relu of an affine over the flattened conv input, read through the same concat) that copy a conv
 *  unit within tol, relative to their largest weight. */
export function parallelRest(net: Net, c: Conv, concatInputs: readonly string[], tol: number): Folded[] {
  if (c.shape.length !== 3 || c.kernel.length !== 2) return [];
  const src = c.inputs[0];
  const inShape = net.layers.find((l) => l.id === src)?.shape ?? net.inputs.find((i) => i.name === src)?.shape;
  if (!inShape || inShape.length !== 3) return [];
  const nIn = inShape[0] * inShape[1] * inShape[2];
  const flatOfSrc = (id: string) => {
    const l = net.layers.find((x) => x.id === id);
    return id === src || (l?.kind === "reshape" && l.inputs[0] === src);
  };
  const F = c.outChannels, HW = c.shape[1] * c.shape[2];
  const out: Folded[] = [];
  for (const id of concatInputs) {
    const act = net.layers.find((x) => x.id === id);
    if (act?.kind !== "act" || act.fn !== "relu") continue;
    const aff = net.layers.find((x) => x.id === act.inputs[0]) as Affine | undefined;
    if (aff?.kind !== "affine" || aff.inFeatures !== nIn || !flatOfSrc(aff.inputs[0])) continue;
    if (F * HW * nIn * aff.outFeatures > WORK_LIMIT) continue;
    for (let r = 0; r < aff.outFeatures; r++) {
      const row = aff.W.subarray(r * nIn, (r + 1) * nIn);
      let m = 0, at = 0;
      for (let q = 0; q < nIn; q++) if (Math.abs(row[q]) > m) { m = Math.abs(row[q]); at = q; }
      if (m === 0) continue;
      for (let u = 0; u < F * HW && !out.some((f) => f.restLayer === act.id && f.unit === r); u++) {
        const t = unitRow(c, inShape, Math.floor(u / HW), u % HW);
        const k = t.idx.indexOf(at);
        if (k < 0 || Math.sign(t.w[k]) !== Math.sign(row[at])) continue;
        const l = row[at] / t.w[k];
        // row = l * (conv row), bias included, within tol of the row's largest weight.
        const expect = new Map(t.idx.map((q, j) => [q, l * t.w[j]]));
        let d = Math.abs(aff.b[r] - l * c.bias[Math.floor(u / HW)]);
        for (let q = 0; q < nIn && d <= tol * m; q++) d = Math.max(d, Math.abs(row[q] - (expect.get(q) ?? 0)));
        if (d <= tol * m) out.push({ restLayer: act.id, unit: r, convUnit: u, l, mismatch: d / m });
      }
    }
  }
  return out;
}
