// An edge detector on an 8x8 image in [0, 1]: |sobel_x * img| + |sobel_y * img| at every pixel
// (3x3 kernels, stride 1, zero padding 1). Compiled as a Conv with 4 channels (+-sobel_x, +-sobel_y),
// ReLU, then a 1x1 Conv summing them; the conv2dense obfuscation writes both as dense layers.
import type { CaseDef, ConvTruth } from "../case.ts";
import { box } from "../case.ts";
import type { ConvLayer, ZooNet } from "../net.ts";
import { single, st } from "../refprog.ts";

const H = 8;
const SX = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
const SY = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
const KERNEL = [...SX, ...SX.map((v) => -v), ...SY, ...SY.map((v) => -v)];

/** The conv the dense form hides: 4 channels of 3x3 over [1, 8, 8], stride 1, pad 1. */
export const EDGE_CONV: ConvTruth = { inShape: [1, H, H], kernelShape: [4, 1, 3, 3], kernel: KERNEL, stride: 1, pad: 1, branch: 0, layer: 0 };

function build(): ZooNet {
  const c1: ConvLayer = {
    kind: "conv", inShape: [1, H, H], outChannels: 4, kernel: [3, 3], stride: 1, pad: 1,
    weight: Float64Array.from(KERNEL), bias: new Float64Array(4), relu: true, modules: ["main", "main", "main", "main"],
  };
  const c2: ConvLayer = {
    kind: "conv", inShape: [4, H, H], outChannels: 1, kernel: [1, 1], stride: 1, pad: 0,
    weight: Float64Array.from([1, 1, 1, 1]), bias: new Float64Array(1), relu: false, modules: ["out"],
  };
  return { inputShape: [1, H, H], branches: [{ name: "", layers: [c1, c2] }] };
}

/** Sobel response at (r, c) with zero padding. */
function sobel(img: readonly number[], k: number[], r: number, c: number): number {
  let s = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const y = r - 1 + i;
      const x = c - 1 + j;
      if (y >= 0 && y < H && x >= 0 && x < H) s += k[i * 3 + j] * img[y * H + x];
    }
  }
  return s;
}

export const edgeCase: CaseDef = {
  name: "edge",
  title: "y = |sobel_x * img| + |sobel_y * img| on an 8x8 image in [0, 1] (3x3, stride 1, pad 1)",
  inputShape: [1, H, H],
  outputSize: H * H,
  domain: box(H * H, 0, 1),
  output: "real",
  build,
  reference: (img) => {
    const y: number[] = [];
    for (let r = 0; r < H; r++) for (let c = 0; c < H; c++) y.push(Math.abs(sobel(img, SX, r, c)) + Math.abs(sobel(img, SY, r, c)));
    return y;
  },
  program: () =>
    single(
      "edge",
      [{ name: "img", n: H * H }],
      [
        st("g", { kind: "conv", inShape: [1, H, H], kernelShape: [2, 1, 3, 3], kernel: [...SX, ...SY], bias: [0, 0], stride: 1, pad: 1 }, "img"),
        st("a", { kind: "act", fn: "abs" }, "g"),
        st("y", { kind: "conv", inShape: [2, H, H], kernelShape: [1, 2, 1, 1], kernel: [1, 1], bias: [0], stride: 1, pad: 0 }, "a"),
      ],
      ["y"],
    ),
  primitives: ["conv", "act:abs"],
  conv: EDGE_CONV,
};
