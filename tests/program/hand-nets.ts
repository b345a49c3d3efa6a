// Small Nets built by hand from the Net IR types (seeded weights), for builder, printer and emitter tests
// that should not depend on ONNX reading or lowering.
import type { Layer, Net } from "../../src/net/net.ts";
import { randnArray, rng } from "../helpers/rng.ts";

type R = () => number;

function affine(r: R, id: string, input: string, nIn: number, nOut: number, lead: number[] = []): Layer {
  return {
    kind: "affine", id, inputs: [input], shape: [...lead, nOut], dtype: "float32", origin: [id],
    W: randnArray(r, nOut * nIn, 1 / Math.sqrt(nIn)), b: randnArray(r, nOut, 0.1), inFeatures: nIn, outFeatures: nOut,
  };
}

function act(id: string, input: string, shape: number[], fn: "relu" | "sigmoid" | "tanh" | "leaky_relu" | "gelu" | "clip" = "relu"): Layer {
  const extra = fn === "leaky_relu" ? { alpha: 0.1 } : fn === "clip" ? { min: -0.5, max: 0.5 } : {};
  return { kind: "act", fn, ...extra, id, inputs: [input], shape, dtype: "float32", origin: [id] };
}

/** x[n0] -> relu(affine) ... -> affine -> softmax. */
export function handMLP(seed: number, sizes: number[], fns: ("relu" | "sigmoid" | "tanh" | "leaky_relu" | "gelu" | "clip")[] = [], softmax = true): Net {
  const r = rng(seed);
  const layers: Layer[] = [];
  let prev = "x";
  for (let i = 1; i < sizes.length; i++) {
    layers.push(affine(r, `fc${i}`, prev, sizes[i - 1], sizes[i]));
    prev = `fc${i}`;
    if (i < sizes.length - 1) {
      layers.push(act(`act${i}`, prev, [sizes[i]], fns[i - 1] ?? "relu"));
      prev = `act${i}`;
    }
  }
  if (softmax) {
    layers.push({ kind: "softmax", log: false, axis: 0, id: "sm", inputs: [prev], shape: [sizes[sizes.length - 1]], dtype: "float32", origin: ["sm"] });
    prev = "sm";
  }
  return { inputs: [{ name: "x", dtype: "float32", shape: [sizes[0]], batchDim: "N" }], layers, outputs: [{ name: "probs", from: prev }] };
}

/** image[1,8,8] -> conv3x3(4, pad 1) relu -> maxpool 2 -> conv 3x3 (3, stride 2) -> avgpool -> flatten -> affine 5 -> log_softmax. */
export function handCNN(seed: number): Net {
  const r = rng(seed);
  const conv = (id: string, input: string, cin: number, cout: number, k: number, stride: number, pad: number, shape: number[]): Layer => ({
    kind: "conv", id, inputs: [input], shape, dtype: "float32", origin: [id],
    weight: randnArray(r, cout * cin * k * k, 1 / Math.sqrt(cin * k * k)), bias: randnArray(r, cout, 0.1),
    outChannels: cout, inChannels: cin, kernel: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], dilations: [1, 1], groups: 1,
  });
  const pool = (id: string, input: string, mode: "max" | "avg", shape: number[]): Layer => ({
    kind: "pool", mode, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], countIncludePad: false, ceilMode: false, dilations: [1, 1],
    id, inputs: [input], shape, dtype: "float32", origin: [id],
  });
  const layers: Layer[] = [
    conv("c1", "img", 1, 4, 3, 1, 1, [4, 8, 8]),
    act("r1", "c1", [4, 8, 8]),
    pool("p1", "r1", "max", [4, 4, 4]),
    conv("c2", "p1", 4, 3, 3, 1, 1, [3, 4, 4]),
    pool("p2", "c2", "avg", [3, 2, 2]),
    { kind: "reshape", id: "flat", inputs: ["p2"], shape: [12], dtype: "float32", origin: ["flat"] },
    affine(r, "fc", "flat", 12, 5),
    { kind: "softmax", log: true, axis: 0, id: "lsm", inputs: ["fc"], shape: [5], dtype: "float32", origin: ["lsm"] },
  ];
  return { inputs: [{ name: "img", dtype: "float32", shape: [1, 8, 8], batchDim: "N" }], layers, outputs: [{ name: "logp", from: "lsm" }] };
}

/** Two inputs, a residual add, a concat and two outputs. */
export function handResidual(seed: number): Net {
  const r = rng(seed);
  const layers: Layer[] = [
    affine(r, "fa", "a", 6, 6),
    act("ra", "fa", [6]),
    { kind: "add", id: "res", inputs: ["ra", "a"], shape: [6], dtype: "float32", origin: ["res"] },
    affine(r, "fb", "b", 3, 4),
    act("tb", "fb", [4], "tanh"),
    { kind: "concat", axis: 0, id: "cat", inputs: ["res", "tb"], shape: [10], dtype: "float32", origin: ["cat"] },
    affine(r, "head", "cat", 10, 2),
  ];
  return {
    inputs: [{ name: "a", dtype: "float32", shape: [6], batchDim: "N" }, { name: "b", dtype: "float32", shape: [3], batchDim: "N" }],
    layers,
    outputs: [{ name: "out", from: "head" }, { name: "features", from: "cat" }],
  };
}
