// An average pool written as a dense layer is a conv whose output channel o reads one input channel with a
// constant kernel and no bias:   conv(x, K) with K[o, c] = v * [c = pi(o)] * ones(kh, kw)   ->
// v * kh * kw * avgpool(x)[pi(o)]   (zero padding counted: ONNX AveragePool with count_include_pad = 1).
// The factor v * kh * kw joins each row's scale (which the next layer absorbs), and channels are put in input order.
import type { ConvFit } from "./dense-to-conv.ts";

/** The fit rewritten as an average pool (channels in input order, kernel 1/(kh kw)), or undefined when it is not one. */
export function asAvgPool(fit: ConvFit, tol = 1e-3): ConvFit | undefined {
  const { c } = fit.grid;
  const [kh, kw] = fit.kernel;
  const area = kh * kw;
  if (fit.outChannels !== c || fit.dilations.some((d) => d !== 1) || area < 2) return undefined;
  const per = c * area;
  const src = new Int32Array(c).fill(-1);
  const v = new Float64Array(c);
  for (let o = 0; o < c; o++) {
    const K = fit.weight.subarray(o * per, (o + 1) * per);
    let ch = -1;
    for (let q = 0; q < c; q++) if (K.subarray(q * area, (q + 1) * area).some((x) => x !== 0)) ch = ch === -1 ? q : -2;
    if (ch < 0) return undefined;
    const vals = K.subarray(ch * area, (ch + 1) * area);
    const mean = vals.reduce((a, x) => a + x, 0) / area;
    if (!(mean > 0) || vals.some((x) => Math.abs(x - mean) > tol * mean) || Math.abs(fit.bias[o]) > tol * mean) return undefined;
    // Entries of other channels must be negligible next to the window's.
    for (let q = 0; q < c; q++) if (q !== ch && K.subarray(q * area, (q + 1) * area).some((x) => Math.abs(x) > tol * mean)) return undefined;
    src[o] = ch;
    v[o] = mean;
  }
  if (new Set(src).size !== c) return undefined;
  const plane = fit.outH * fit.outW;
  const weight = new Float32Array(fit.weight.length);
  for (let q = 0; q < c; q++) weight.fill(1 / area, (q * c + q) * area, (q * c + q + 1) * area);
  const place = fit.place.map((p) => (p < 0 ? p : src[Math.floor(p / plane)] * plane + (p % plane)));
  const scale = fit.scale.map((s, u) => (fit.place[u] < 0 ? s : s * v[Math.floor(fit.place[u] / plane)] * area));
  return { ...fit, weight, bias: new Float32Array(c), place, scale };
}
