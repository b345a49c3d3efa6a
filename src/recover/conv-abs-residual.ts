// abs on conv channels that carry a kept fit residual (src/recover/carve-residual.ts): carve leaves
//
//   relu(conv(x, K)[i] + E_i x + e_i)         (E: a dense map from the conv's input to its outputs, per channel)
//
// and the channel-pair rewrite (conv-abs.ts) works on the pre-activations A_i = conv_i + E_i x + e_i as on plain
// conv channels: every new channel (an abs pair's A, a relu channel) is a signed, scaled combination of the old
// ones, so its residual is the same combination of theirs, and the linear remainder (w_i - w_j)/2 * A reads the
// residual's columns too. The rewrite stays exact: each new channel computes exactly its combination.
import type { AffineLayer, Layer, Net, ReshapeLayer } from "../net/net.ts";

type Affine = AffineLayer & Layer;

/** The residual a conv carries: conv -> add(conv, reshape(R x + r)) -> the activation. */
export interface ConvResidualLayers {
  add: Layer;
  img: Layer;
  aff: Affine;
}

/** The residual layers after conv `convId`, when the only reader of the conv is such an add. */
export function residualAfter(net: Net, convId: string): ConvResidualLayers | undefined {
  const rd = net.layers.filter((x) => x.inputs.includes(convId));
  if (rd.length !== 1 || rd[0].kind !== "add" || rd[0].inputs.length !== 2 || net.outputs.some((o) => o.from === convId || o.from === rd[0].id)) return undefined;
  const add = rd[0];
  const img = net.layers.find((x) => x.id === add.inputs.find((i) => i !== convId));
  if (img?.kind !== "reshape") return undefined;
  const aff = net.layers.find((x) => x.id === img.inputs[0]);
  if (aff?.kind !== "affine" || net.layers.filter((x) => x.inputs.includes(img.id)).length !== 1) return undefined;
  return { add, img, aff: aff as Affine };
}

/** A channel of the new conv as a combination of old channels: sum of coef * old channel. */
export type ChannelMix = { ch: number; coef: number }[];

/** The residual rows of new channels (each a mix of old ones), per channel and position: [channels * HW, nIn], bias. */
export function mixResidual(r: ConvResidualLayers, mixes: readonly ChannelMix[], HW: number): { W: Float32Array; b: Float32Array } {
  const n = r.aff.inFeatures;
  const W = new Float32Array(mixes.length * HW * n), b = new Float32Array(mixes.length * HW);
  mixes.forEach((mix, q) => {
    for (const { ch, coef } of mix) {
      for (let p = 0; p < HW; p++) {
        const src = (ch * HW + p) * n, dst = (q * HW + p) * n;
        for (let t = 0; t < n; t++) W[dst + t] += coef * r.aff.W[src + t];
        b[q * HW + p] += coef * r.aff.b[ch * HW + p];
      }
    }
  });
  return { W, b };
}

/** conv -> add(conv, reshape(residual)): the layers that put a mixed residual on a new conv's output. */
export function residualLayers(r: ConvResidualLayers, convId: string, shape: number[], rows: { W: Float32Array; b: Float32Array }, tag: string): { layers: Layer[]; out: string } {
  const base = { dtype: r.aff.dtype, origin: r.aff.origin };
  const total = rows.b.length;
  const { unitOrigin: _drop, note: _note, ...rest } = r.aff;
  let m = 0;
  for (const v of rows.W) m = Math.max(m, Math.abs(v));
  for (const v of rows.b) m = Math.max(m, Math.abs(v));
  const note = `the conv's fit residual (${r.aff.id}) combined as the ${tag} channels combine its channels (max |w| ${m.toExponential(1)})`;
  const aff: Layer = { ...rest, id: `${r.aff.id}_${tag}`, W: rows.W, b: rows.b, outFeatures: total, shape: [total], note };
  const img: Layer = { kind: "reshape", id: `${r.img.id}_${tag}`, inputs: [aff.id], shape, ...base } as ReshapeLayer & Layer;
  const add: Layer = { kind: "add", id: `${r.add.id}_${tag}`, inputs: [convId, img.id], shape, ...base } as Layer;
  return { layers: [aff, img, add], out: add.id };
}
