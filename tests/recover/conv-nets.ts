// Convolutions written out as dense (Toeplitz) layers, for the dense-to-conv tests: any stride, padding,
// dilation and channel count, rows permuted and rescaled on request.
import { randn, rng } from "../../src/util/rng.ts";
import type { Layer, Net } from "../../src/net/net.ts";

export interface ConvSpec {
  c: number; h: number; w: number;
  oc: number; kh: number; kw: number;
  stride: [number, number];
  /** top, left, bottom, right */
  pads: [number, number, number, number];
  dil: [number, number];
}

export interface DenseConv {
  W: Float32Array;
  b: Float32Array;
  nOut: number;
  kernel: Float32Array;
  bias: Float32Array;
  outH: number;
  outW: number;
  /** perm[row] = conv output index; scale[row] = the row's factor. */
  perm: number[];
  scale: number[];
}

/** Output size of one axis (ONNX). */
export function outSize(n: number, k: number, s: number, p0: number, p1: number, d: number): number {
  return Math.floor((n + p0 + p1 - ((k - 1) * d + 1)) / s) + 1;
}

/** The dense matrix of a conv (rows in conv output order, then permuted / rescaled as asked). */
export function denseConv(sp: ConvSpec, seed: number, opts: { permute?: boolean; rescale?: boolean; kernel?: Float32Array; bias?: Float32Array } = {}): DenseConv {
  const u = rng(seed);
  const kernel = opts.kernel ?? Float32Array.from({ length: sp.oc * sp.c * sp.kh * sp.kw }, () => randn(u));
  const bias = opts.bias ?? Float32Array.from({ length: sp.oc }, () => 0.1 * randn(u));
  const outH = outSize(sp.h, sp.kh, sp.stride[0], sp.pads[0], sp.pads[2], sp.dil[0]);
  const outW = outSize(sp.w, sp.kw, sp.stride[1], sp.pads[1], sp.pads[3], sp.dil[1]);
  const nOut = sp.oc * outH * outW, nIn = sp.c * sp.h * sp.w;
  const perm = Array.from({ length: nOut }, (_, i) => i);
  if (opts.permute) for (let i = nOut - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const scale = perm.map(() => (opts.rescale ? Math.exp((u() * 2 - 1) * Math.log(4)) : 1));
  const W = new Float32Array(nOut * nIn), b = new Float32Array(nOut);
  perm.forEach((q, row) => {
    const o = Math.floor(q / (outH * outW)), r = Math.floor(q / outW) % outH, c = q % outW;
    b[row] = scale[row] * bias[o];
    for (let ch = 0; ch < sp.c; ch++) for (let i = 0; i < sp.kh; i++) for (let j = 0; j < sp.kw; j++) {
      const y = r * sp.stride[0] - sp.pads[0] + i * sp.dil[0], x = c * sp.stride[1] - sp.pads[1] + j * sp.dil[1];
      if (y < 0 || y >= sp.h || x < 0 || x >= sp.w) continue;
      W[row * nIn + (ch * sp.h + y) * sp.w + x] = scale[row] * kernel[((o * sp.c + ch) * sp.kh + i) * sp.kw + j];
    }
  });
  return { W, b, nOut, kernel, bias, outH, outW, perm, scale };
}

export interface DenseConvNetOptions {
  permute?: boolean;
  rescale?: boolean;
  kernel?: Float32Array;
  bias?: Float32Array;
  /** Gaussian noise of this level x the mean |non-zero weight| on every weight and bias of the dense conv (the zoo's noise). */
  noise?: number;
  /** Rows repeated as positive multiples of themselves (the zoo's split copies), before the noise. */
  copies?: number;
}

/** image -> flatten -> dense(conv) -> relu -> dense head of 5 outputs, as a Net. */
export function denseConvNet(sp: ConvSpec, seed: number, opts: DenseConvNetOptions = {}): Net {
  const d = denseConv(sp, seed, opts);
  const u = rng(seed + 1);
  const nIn = sp.c * sp.h * sp.w;
  let W = d.W, b = d.b, nOut = d.nOut;
  if (opts.copies) {
    // A split unit: relu(c z) = c relu(z), the head's column divided among the copies.
    const rows = Array.from({ length: opts.copies }, () => Math.floor(u() * d.nOut));
    W = new Float32Array((nOut + rows.length) * nIn);
    W.set(d.W);
    b = new Float32Array(nOut + rows.length);
    b.set(d.b);
    rows.forEach((r, k) => {
      const c = 0.5 + u();
      for (let i = 0; i < nIn; i++) W[(nOut + k) * nIn + i] = c * d.W[r * nIn + i];
      b[nOut + k] = c * d.b[r];
    });
    nOut += rows.length;
  }
  if (opts.noise) {
    let sum = 0, n = 0;
    for (const v of W) if (v !== 0) { sum += Math.abs(v); n++; }
    const sigma = opts.noise * (sum / n);
    W = W.map((v) => v + sigma * randn(u));
    b = b.map((v) => v + sigma * randn(u));
  }
  const base = { dtype: "float32" as const };
  const layers: Layer[] = [
    { kind: "reshape", id: "flat", inputs: ["img"], shape: [nIn], origin: ["flat"], ...base },
    { kind: "affine", id: "fc1", inputs: ["flat"], shape: [nOut], origin: ["fc1"], ...base, W, b, inFeatures: nIn, outFeatures: nOut },
    { kind: "act", fn: "relu", id: "relu1", inputs: ["fc1"], shape: [nOut], origin: ["relu1"], ...base },
    { kind: "affine", id: "fc2", inputs: ["relu1"], shape: [5], origin: ["fc2"], ...base, W: Float32Array.from({ length: 5 * nOut }, () => randn(u)), b: new Float32Array(5), inFeatures: nOut, outFeatures: 5 },
  ];
  return { inputs: [{ name: "img", dtype: "float32", shape: [sp.c, sp.h, sp.w], batchDim: "N" }], layers, outputs: [{ name: "y", from: "fc2" }] };
}

/** A seeded random CNN (2x8x8 input, convs of 3 and 4 channels) lowered as it is and with its convs written as
 *  dense layers (the zoo's conv2dense for trained nets), and how many convs it had. */
export async function cnnAsDense(seed = 4): Promise<{ convs: Net["layers"]; dense: Net; written: number }> {
  const { randomCNN } = await import("../helpers/nets.ts");
  const { rng: hrng } = await import("../helpers/rng.ts");
  const { convsAsDense } = await import("../../zoo/trained-dense.ts");
  const { normalizePasses } = await import("../../src/graph/passes/index.ts");
  const { runPasses } = await import("../../src/pipeline/pass.ts");
  const { lower } = await import("../../src/net/lower.ts");
  const model = randomCNN(hrng(seed), { input: [2, 8, 8], channels: [3, 4], classes: 5 } as never);
  const convs = lower(runPasses(model, normalizePasses).out).net.layers.filter((l) => l.kind === "conv");
  const d = convsAsDense(model);
  return { convs, dense: lower(runPasses(d.model, normalizePasses).out).net, written: d.convs };
}
