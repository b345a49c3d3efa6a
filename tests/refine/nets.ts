// Small random teachers and data for refine's tests: a ReLU MLP of the given sizes (seeded), and gaussian rows.
import { f32 } from "../../src/graph/tensor.ts";
import type { Layer, Net } from "../../src/net/net.ts";
import { randn, rng } from "../../src/util/rng.ts";

/** A ReLU MLP with the given layer sizes (input first), weights ~ 1.5 N(0, 1/fan-in), biases ~ 0.1 N(0, 1). */
export function mlp(seed: number, sizes: number[]): Net {
  const u = rng(seed);
  const layers: Layer[] = [];
  let prev = "x";
  sizes.slice(1).forEach((out, k) => {
    const inF = sizes[k];
    const W = Float32Array.from({ length: out * inF }, () => randn(u) / Math.sqrt(inF) * 1.5);
    const b = Float32Array.from({ length: out }, () => 0.1 * randn(u));
    layers.push({ id: `fc${k}`, kind: "affine", inputs: [prev], shape: [out], dtype: "float32", origin: [], W, b, inFeatures: inF, outFeatures: out });
    prev = `fc${k}`;
    if (k < sizes.length - 2) {
      layers.push({ id: `relu${k}`, kind: "act", fn: "relu", inputs: [prev], shape: [out], dtype: "float32", origin: [] });
      prev = `relu${k}`;
    }
  });
  return { inputs: [{ name: "x", dtype: "float32", shape: [sizes[0]], batchDim: "batch" }], layers, outputs: [{ name: "y", from: prev }] };
}

/** n rows of k standard-normal features. */
export const rows = (seed: number, n: number, k: number) => {
  const u = rng(seed);
  return f32([n, k], Float32Array.from({ length: n * k }, () => randn(u)));
};
