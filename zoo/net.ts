// The zoo's own small network form: branches of dense or conv layers, each optionally followed
// by ReLU. Cases are built in it, obfuscations rewrite it, and export.ts lays it out as ONNX.
// Weights are float64 here; the ONNX file stores them as float32.

/** y = W x + b over a flat vector; W is nOut x nIn, row-major. */
export interface DenseLayer {
  kind: "dense";
  nIn: number;
  nOut: number;
  W: Float64Array;
  b: Float64Array;
  relu: boolean;
  /** Module label of each output unit (meaningful on hidden layers). */
  modules: string[];
}

/** A 2-D convolution over a [c, h, w] input, square stride and symmetric zero padding. */
export interface ConvLayer {
  kind: "conv";
  inShape: [number, number, number];
  outChannels: number;
  kernel: [number, number];
  stride: number;
  pad: number;
  /** [outChannels, inChannels, kh, kw] row-major. */
  weight: Float64Array;
  bias: Float64Array;
  relu: boolean;
  /** Module label of each output channel. */
  modules: string[];
}

export type ZLayer = DenseLayer | ConvLayer;

/** A chain of layers reading a contiguous slice of the (flattened) input. */
export interface Branch {
  /** The PyTorch-style submodule name used for node and initializer names. */
  name: string;
  /** Input range [start, end) of the flattened input; the whole input when absent. */
  slice?: [number, number];
  layers: ZLayer[];
  /** Branches with the same key share their initializers (one module applied several times). */
  shareKey?: string;
}

/** A whole case network: its output is the concatenation of its branches' outputs. */
export interface ZooNet {
  /** Per-sample input shape, e.g. [3] or [1, 8, 8]. */
  inputShape: number[];
  branches: Branch[];
}

/** Output height and width of a conv layer. */
export function convOutHW(l: ConvLayer): [number, number] {
  const [, h, w] = l.inShape;
  return [Math.floor((h + 2 * l.pad - l.kernel[0]) / l.stride) + 1, Math.floor((w + 2 * l.pad - l.kernel[1]) / l.stride) + 1];
}

/** Number of values a layer outputs (flattened). */
export function outSize(l: ZLayer): number {
  if (l.kind === "dense") return l.nOut;
  const [oh, ow] = convOutHW(l);
  return l.outChannels * oh * ow;
}

/** Number of units of a layer: rows of a dense layer, channels of a conv. */
export function unitCount(l: ZLayer): number {
  return l.kind === "dense" ? l.nOut : l.outChannels;
}

/** Values each unit contributes to the next layer: 1 for a dense unit, h*w for a conv channel. */
export function unitWidth(l: ZLayer): number {
  if (l.kind === "dense") return 1;
  const [oh, ow] = convOutHW(l);
  return oh * ow;
}

/** Pre-activation of a layer on a flat input; with absW, |weights| and no bias (interval radii). */
function affine(l: ZLayer, x: Float64Array, absW: boolean, withBias: boolean): Float64Array {
  if (l.kind === "dense") {
    const y = new Float64Array(l.nOut);
    const { W, nIn } = l;
    for (let o = 0; o < l.nOut; o++) {
      let s = withBias ? l.b[o] : 0;
      const off = o * nIn;
      if (absW) for (let i = 0; i < nIn; i++) s += Math.abs(W[off + i]) * x[i];
      else for (let i = 0; i < nIn; i++) s += W[off + i] * x[i];
      y[o] = s;
    }
    return y;
  }
  const [ic, h, w] = l.inShape;
  const [kh, kw] = l.kernel;
  const [oh, ow] = convOutHW(l);
  const y = new Float64Array(l.outChannels * oh * ow);
  for (let o = 0; o < l.outChannels; o++) {
    for (let r = 0; r < oh; r++) {
      for (let c = 0; c < ow; c++) {
        let s = withBias ? l.bias[o] : 0;
        for (let ch = 0; ch < ic; ch++) {
          for (let i = 0; i < kh; i++) {
            const yy = r * l.stride - l.pad + i;
            if (yy < 0 || yy >= h) continue;
            for (let j = 0; j < kw; j++) {
              const xx = c * l.stride - l.pad + j;
              if (xx < 0 || xx >= w) continue;
              const k = l.weight[((o * ic + ch) * kh + i) * kw + j];
              s += (absW ? Math.abs(k) : k) * x[(ch * h + yy) * w + xx];
            }
          }
        }
        y[(o * oh + r) * ow + c] = s;
      }
    }
  }
  return y;
}

/** Run one layer (with its ReLU) on a flat input. */
export function forwardLayer(l: ZLayer, x: Float64Array): Float64Array {
  const y = affine(l, x, false, true);
  if (l.relu) for (let i = 0; i < y.length; i++) y[i] = Math.max(0, y[i]);
  return y;
}

/** Run a net on one flat input sample (float64). */
export function forwardNet(net: ZooNet, x: ArrayLike<number>): Float64Array {
  const parts: Float64Array[] = [];
  for (const br of net.branches) {
    let h: Float64Array = Float64Array.from(br.slice ? Array.prototype.slice.call(x, br.slice[0], br.slice[1]) : Array.from(x));
    for (const l of br.layers) h = forwardLayer(l, h);
    parts.push(h);
  }
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

/** Interval bounds of one layer: pre-activation bounds and post-ReLU bounds from input bounds. */
export function intervalLayer(l: ZLayer, lo: Float64Array, hi: Float64Array): { preLo: Float64Array; preHi: Float64Array; lo: Float64Array; hi: Float64Array } {
  const mid = lo.map((v, i) => (v + hi[i]) / 2);
  const rad = lo.map((v, i) => (hi[i] - v) / 2);
  const m = affine(l, mid, false, true);
  const r = affine(l, rad, true, false);
  const preLo = m.map((v, i) => v - r[i]);
  const preHi = m.map((v, i) => v + r[i]);
  const relu = (a: Float64Array) => (l.relu ? a.map((v) => Math.max(0, v)) : a.slice());
  return { preLo, preHi, lo: relu(preLo), hi: relu(preHi) };
}

/** Interval bounds of the input of layer k of a branch (k = 0: the domain box itself). */
export function boundsBefore(br: Branch, k: number, lo: Float64Array, hi: Float64Array): { lo: Float64Array; hi: Float64Array } {
  let l: Float64Array = br.slice ? lo.slice(br.slice[0], br.slice[1]) : lo.slice();
  let h: Float64Array = br.slice ? hi.slice(br.slice[0], br.slice[1]) : hi.slice();
  for (let i = 0; i < k; i++) {
    const b = intervalLayer(br.layers[i], l, h);
    l = b.lo;
    h = b.hi;
  }
  return { lo: l, hi: h };
}

/** A dense layer from rows (out x in), biases, ReLU flag and module labels. */
export function dense(rows: number[][], b: number[], relu: boolean, modules?: string[]): DenseLayer {
  const nOut = rows.length;
  const nIn = nOut ? rows[0].length : 0;
  const W = new Float64Array(nOut * nIn);
  rows.forEach((r, o) => {
    if (r.length !== nIn) throw new Error(`dense: row ${o} has ${r.length} weights, expected ${nIn}`);
    W.set(r, o * nIn);
  });
  return { kind: "dense", nIn, nOut, W, b: Float64Array.from(b), relu, modules: modules ?? new Array(nOut).fill("main") };
}

/** A deep copy of a net, so obfuscations never alias the original's arrays. */
export function cloneNet(net: ZooNet): ZooNet {
  return {
    inputShape: [...net.inputShape],
    branches: net.branches.map((br) => ({
      ...br,
      slice: br.slice ? [br.slice[0], br.slice[1]] : undefined,
      layers: br.layers.map((l) =>
        l.kind === "dense"
          ? { ...l, W: l.W.slice(), b: l.b.slice(), modules: [...l.modules] }
          : { ...l, inShape: [...l.inShape] as [number, number, number], kernel: [...l.kernel] as [number, number], weight: l.weight.slice(), bias: l.bias.slice(), modules: [...l.modules] },
      ),
    })),
  };
}
