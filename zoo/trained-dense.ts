// The conv2dense obfuscation for trained cases: every Conv of the exported model written as the equivalent dense
// (Toeplitz) layer between two reshapes, exactly as `restructure.ts` does for the compiled cases. The model is
// normalized and lowered to a Net, each conv layer replaced, and the Net lifted back to ONNX.
import type { Model } from "../src/graph/graph.ts";
import { normalizePasses } from "../src/graph/passes/index.ts";
import { runPasses } from "../src/pipeline/pass.ts";
import { lower } from "../src/net/lower.ts";
import { lift } from "../src/net/lift.ts";
import type { ConvLayer, Layer, Net } from "../src/net/net.ts";
import type { ConvTruth } from "./case.ts";

/** The dense matrix of a 2-D conv layer over input [c, h, w]: rows in output order (channel, row, column). */
export function toeplitz(l: ConvLayer, c: number, h: number, w: number, oh: number, ow: number): Float32Array {
  const [kh, kw] = l.kernel;
  const nIn = c * h * w;
  const W = new Float32Array(l.outChannels * oh * ow * nIn);
  for (let o = 0; o < l.outChannels; o++) for (let r = 0; r < oh; r++) for (let q = 0; q < ow; q++) {
    const row = (o * oh + r) * ow + q;
    for (let ch = 0; ch < c; ch++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const y = r * l.strides[0] - l.pads[0] + i * l.dilations[0], x = q * l.strides[1] - l.pads[1] + j * l.dilations[1];
      if (y >= 0 && y < h && x >= 0 && x < w) W[row * nIn + (ch * h + y) * w + x] = l.weight[((o * c + ch) * kh + i) * kw + j];
    }
  }
  return W;
}

/** The model with its 2-D convolutions (groups 1) written as dense layers, and the first conv as truth. */
export function convsAsDense(model: Model): { model: Model; convs: number; first?: ConvTruth } {
  const net = lower(runPasses(model, normalizePasses).out).net;
  const shapeOf = new Map<string, number[]>([...net.inputs.map((i) => [i.name, i.shape] as [string, number[]]), ...net.layers.map((l) => [l.id, l.shape] as [string, number[]])]);
  const layers: Layer[] = [];
  let convs = 0;
  let first: ConvTruth | undefined;
  for (const l of net.layers) {
    const inShape = shapeOf.get(l.inputs[0]);
    if (l.kind !== "conv" || l.groups !== 1 || l.kernel.length !== 2 || !inShape || inShape.length !== 3) {
      layers.push(l);
      continue;
    }
    const [c, h, w] = inShape;
    const [oc, oh, ow] = l.shape;
    const base = { dtype: l.dtype, origin: l.origin };
    layers.push(
      { kind: "reshape", id: `${l.id}.in`, inputs: [l.inputs[0]], shape: [c * h * w], ...base },
      { kind: "affine", id: `${l.id}.dense`, inputs: [`${l.id}.in`], shape: [oc * oh * ow], ...base, W: toeplitz(l, c, h, w, oh, ow), b: Float32Array.from({ length: oc * oh * ow }, (_, i) => l.bias.length ? l.bias[Math.floor(i / (oh * ow))] : 0), inFeatures: c * h * w, outFeatures: oc * oh * ow },
      { kind: "reshape", id: l.id, inputs: [`${l.id}.dense`], shape: [oc, oh, ow], ...base },
    );
    convs++;
    if (!first && l.strides[0] === l.strides[1] && l.pads.every((p) => p === l.pads[0])) {
      first = { inShape: [c, h, w], kernelShape: [oc, c, l.kernel[0], l.kernel[1]], kernel: Array.from(l.weight), stride: l.strides[0], pad: l.pads[0], branch: 0, layer: 0 };
    }
  }
  const dense: Net = { ...net, layers };
  return { model: lift(dense), convs, ...(first ? { first } : {}) };
}
