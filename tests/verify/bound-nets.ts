// Small seeded Nets built directly in the Net IR for the bound tests: every layer kind, small ReLU MLPs and
// CNNs, and helpers to sample a box.
import type { Tensor } from "../../src/graph/tensor.ts";
import type { ActFn, Layer, LayerBody, Net, PoolLayer } from "../../src/net/net.ts";
import type { BoxDomain } from "../../src/passes/simplify.ts";
import { randnArray } from "../helpers/rng.ts";

type Rng = () => number;

/** A layer with the usual fields filled in. */
export function layer(id: string, inputs: string[], shape: number[], body: LayerBody): Layer {
  return { ...body, id, inputs, shape, dtype: "float32", origin: [] };
}

/** A random dense layer (He-scaled) over the last axis. */
export function affine(r: Rng, id: string, input: string, lead: number[], inF: number, out: number): Layer {
  return layer(id, [input], [...lead, out], {
    kind: "affine", W: randnArray(r, out * inF, 1 / Math.sqrt(inF)), b: randnArray(r, out, 0.3), inFeatures: inF, outFeatures: out,
  });
}

/** Every activation, concat, add and softmax over one affine layer. */
export function vectorNet(r: Rng): Net {
  const acts: { fn: ActFn; alpha?: number; min?: number; max?: number }[] = [
    { fn: "relu" }, { fn: "leaky_relu", alpha: 0.2 }, { fn: "sigmoid" }, { fn: "tanh" }, { fn: "gelu" }, { fn: "gelu_tanh" },
    { fn: "exp" }, { fn: "abs" }, { fn: "clip", min: -0.5, max: 0.5 }, { fn: "clip", min: 0 }, { fn: "identity" }, { fn: "leaky_relu", alpha: -0.5 },
  ];
  const layers: Layer[] = [affine(r, "fc", "x", [], 6, 8)];
  acts.forEach((a, i) => layers.push(layer(`a${i}`, ["fc"], [8], { kind: "act", ...a })));
  layers.push(layer("cat", ["a0", "a4", "a8"], [24], { kind: "concat", axis: 0 }));
  layers.push(layer("sum", ["a1", "a2", "a3"], [8], { kind: "add" }));
  layers.push(layer("sm", ["a5"], [8], { kind: "softmax", log: false, axis: 0 }));
  layers.push(layer("lsm", ["a9"], [8], { kind: "softmax", log: true, axis: 0 }));
  layers.push(affine(r, "head", "cat", [], 24, 3));
  const outs = ["head", "sum", "sm", "lsm", "a6", "a7", "a10", "a11"];
  return { name: "vec", inputs: [{ name: "x", dtype: "float32", shape: [6], batchDim: "N" }], layers, outputs: outs.map((o) => ({ name: `out_${o}`, from: o })) };
}

function pool(mode: "max" | "avg", kernel: number[], strides: number[], pads: number[], extra: Partial<PoolLayer> = {}): PoolLayer {
  return { kind: "pool", mode, kernel, strides, pads, ceilMode: false, countIncludePad: false, dilations: [1, 1], ...extra };
}

/** Grouped, strided, dilated and padded convolutions, every pool, concat, flatten and a dense head. */
export function imageNet(r: Rng): Net {
  const w = (n: number) => randnArray(r, n, 0.3);
  const layers: Layer[] = [
    layer("conv", ["img"], [4, 4, 4], {
      kind: "conv", weight: w(4 * 1 * 9), bias: w(4), outChannels: 4, inChannels: 2, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], groups: 2,
    }),
    layer("dil", ["img"], [3, 3, 3], {
      kind: "conv", weight: w(3 * 2 * 4), bias: w(3), outChannels: 3, inChannels: 2, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1], dilations: [2, 2], groups: 1,
    }),
    layer("relu", ["conv"], [4, 4, 4], { kind: "act", fn: "relu" }),
    layer("mp", ["relu"], [4, 2, 2], pool("max", [2, 2], [2, 2], [0, 0, 0, 0], { ceilMode: true, dilations: [2, 2] })),
    layer("ap", ["conv"], [4, 2, 2], pool("avg", [3, 3], [2, 2], [1, 1, 1, 1], { countIncludePad: true })),
    layer("ap2", ["dil"], [3, 2, 2], pool("avg", [2, 2], [1, 1], [0, 0, 0, 0])),
    layer("gap", ["mp"], [4, 1, 1], { ...pool("avg", [2, 2], [1, 1], [0, 0, 0, 0]), mode: "global_avg" }),
    layer("gmp", ["ap"], [4, 1, 1], { ...pool("max", [2, 2], [1, 1], [0, 0, 0, 0]), mode: "global_max" }),
    layer("cat", ["gap", "gmp"], [8, 1, 1], { kind: "concat", axis: 0 }),
    layer("flat", ["cat"], [8], { kind: "reshape" }),
    affine(r, "head", "flat", [], 8, 3),
    layer("flat2", ["ap2"], [12], { kind: "reshape" }),
  ];
  return { name: "img", inputs: [{ name: "img", dtype: "float32", shape: [2, 7, 7], batchDim: "N" }], layers, outputs: [{ name: "y", from: "head" }, { name: "z", from: "flat2" }] };
}

/** A ReLU MLP with the given widths (input first), linear output layer. */
export function reluMLP(r: Rng, sizes: number[]): Net {
  const layers: Layer[] = [];
  let x = "x";
  for (let k = 1; k < sizes.length; k++) {
    layers.push(affine(r, `fc${k}`, x, [], sizes[k - 1], sizes[k]));
    x = `fc${k}`;
    if (k < sizes.length - 1) {
      layers.push(layer(`relu${k}`, [x], [sizes[k]], { kind: "act", fn: "relu" }));
      x = `relu${k}`;
    }
  }
  return { name: "mlp", inputs: [{ name: "x", dtype: "float32", shape: [sizes[0]], batchDim: "N" }], layers, outputs: [{ name: "y", from: x }] };
}

/** A small ReLU CNN: conv, relu, pool (max or avg), a residual add, flatten, dense head. */
export function reluCNN(r: Rng, poolMode: "max" | "avg"): Net {
  const w = (n: number) => randnArray(r, n, 0.4);
  const conv = (id: string, input: string, cin: number, cout: number): Layer => layer(id, [input], [cout, 4, 4], {
    kind: "conv", weight: w(cout * cin * 9), bias: w(cout), outChannels: cout, inChannels: cin, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], groups: 1,
  });
  const layers: Layer[] = [
    conv("c1", "img", 1, 2),
    layer("r1", ["c1"], [2, 4, 4], { kind: "act", fn: "relu" }),
    conv("c2", "r1", 2, 2),
    layer("res", ["c2", "c1"], [2, 4, 4], { kind: "add" }),
    layer("r2", ["res"], [2, 4, 4], { kind: "act", fn: "relu" }),
    layer("p", ["r2"], [2, 2, 2], pool(poolMode, [2, 2], [2, 2], [0, 0, 0, 0])),
    layer("flat", ["p"], [8], { kind: "reshape" }),
    affine(r, "head", "flat", [], 8, 2),
  ];
  return { name: "cnn", inputs: [{ name: "img", dtype: "float32", shape: [1, 4, 4], batchDim: "N" }], layers, outputs: [{ name: "y", from: "head" }] };
}

/** The box [lo, hi]^n for every input of a net. */
export function uniformBox(net: Net, lo: number, hi: number): BoxDomain {
  const box: BoxDomain = {};
  for (const i of net.inputs) {
    const n = i.shape.reduce((a, d) => a * d, 1);
    box[i.name] = { lo: new Float32Array(n).fill(lo), hi: new Float32Array(n).fill(hi) };
  }
  return box;
}

/** n points of the box (uniform, plus corners with probability 1/4 per coordinate set), per input. */
export function sampleBox(r: Rng, net: Net, box: BoxDomain, n: number): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const inp of net.inputs) {
    const { lo, hi } = box[inp.name];
    const d = lo.length;
    const data = new Float32Array(n * d);
    for (let s = 0; s < n; s++) {
      const corner = r() < 0.25;
      for (let i = 0; i < d; i++) {
        const u = corner ? (r() < 0.5 ? 0 : 1) : r();
        data[s * d + i] = lo[i] + u * (hi[i] - lo[i]);
      }
    }
    feeds[inp.name] = { dtype: "float32", shape: [n, ...inp.shape], data };
  }
  return feeds;
}

/** A copy of a ReLU MLP (from reluMLP) with each hidden layer's units permuted and positively rescaled, and
 *  optionally its first hidden unit split into two copies: the same function, written differently. */
export function disguisedCopy(r: Rng, net: Net, split = false): Net {
  const layers = net.layers.map((l) => ({ ...l })) as Layer[];
  const affines = layers.filter((l) => l.kind === "affine") as (Layer & { kind: "affine" })[];
  for (let k = 0; k + 1 < affines.length; k++) {
    const A = affines[k], B = affines[k + 1];
    const n = A.outFeatures, perm = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [perm[i], perm[j]] = [perm[j], perm[i]]; }
    const scale = perm.map(() => 0.25 + 3 * r());
    const W = new Float32Array(A.W.length), b = new Float32Array(n), W2 = new Float32Array(B.W.length);
    perm.forEach((src, dst) => {
      for (let i = 0; i < A.inFeatures; i++) W[dst * A.inFeatures + i] = A.W[src * A.inFeatures + i] * scale[dst];
      b[dst] = A.b[src] * scale[dst];
      for (let o = 0; o < B.outFeatures; o++) W2[o * n + dst] = B.W[o * n + src] / scale[dst];
    });
    Object.assign(A, { W, b });
    Object.assign(B, { W: W2 });
    if (split) splitFirst(A, B, layers);
  }
  return { ...net, layers };
}

// Unit 0 of A becomes two units (the copy at twice the scale), its outgoing weight shared 1/3 : 2/3 ... written so
// that the sum is unchanged: relu(2z) * w/3 + relu(z) * w/3 = relu(z) * w.
function splitFirst(A: Layer & { kind: "affine" }, B: Layer & { kind: "affine" }, layers: Layer[]): void {
  const n = A.outFeatures, nIn = A.inFeatures;
  const W = new Float32Array((n + 1) * nIn), b = new Float32Array(n + 1);
  W.set(A.W);
  b.set(A.b);
  for (let i = 0; i < nIn; i++) W[n * nIn + i] = 2 * A.W[i];
  b[n] = 2 * A.b[0];
  const W2 = new Float32Array(B.outFeatures * (n + 1));
  for (let o = 0; o < B.outFeatures; o++) {
    for (let i = 0; i < n; i++) W2[o * (n + 1) + i] = B.W[o * n + i];
    W2[o * (n + 1)] = B.W[o * n] / 3;
    W2[o * (n + 1) + n] = B.W[o * n] / 3;
  }
  Object.assign(A, { W, b, outFeatures: n + 1, shape: [n + 1] });
  Object.assign(B, { W: W2, inFeatures: n + 1 });
  for (const l of layers) if (l.kind === "act" && l.inputs[0] === A.id) l.shape = [n + 1];
}

/** A copy of a net with every affine/conv weight and bias moved by seeded noise of relative size `eps`. */
export function perturbed(r: Rng, net: Net, eps: number): Net {
  const noisy = (w: Float32Array) => Float32Array.from(w, (v) => v + eps * (Math.abs(v) + 0.05) * (2 * r() - 1));
  const layers = net.layers.map((l): Layer => {
    if (l.kind === "affine") return { ...l, W: noisy(l.W), b: noisy(l.b) };
    if (l.kind === "conv") return { ...l, weight: noisy(l.weight), bias: noisy(l.bias) };
    return { ...l };
  });
  return { ...net, layers };
}

/** A ReLU MLP (from reluMLP) evaluated in float64 at one point: the exact function the bounds speak of. */
export function evalMLP64(net: Net, x: readonly number[]): number[] {
  let v = [...x];
  for (const l of net.layers) {
    if (l.kind === "affine") {
      const y: number[] = [];
      for (let o = 0; o < l.outFeatures; o++) {
        let s = l.b[o];
        for (let i = 0; i < l.inFeatures; i++) s += l.W[o * l.inFeatures + i] * v[i];
        y.push(s);
      }
      v = y;
    } else if (l.kind === "act" && l.fn === "relu") v = v.map((t) => Math.max(t, 0));
    else throw new Error(`evalMLP64: layer kind ${l.kind}`);
  }
  return v;
}
