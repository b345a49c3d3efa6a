// Single-node helpers for the elementwise-family tests: run one op with our kernel, run its shape rule,
// or run the same node with onnxruntime, plus seeded random tensors.
import type { Attr } from "../../../src/graph/graph.ts";
import { sizeOf, tensor, type DType, type Tensor } from "../../../src/graph/tensor.ts";
import { run } from "../../helpers/one-node.ts";
import { randn } from "../../helpers/rng.ts";

export { A, both, infer, mkNode, run, vals } from "../../helpers/one-node.ts";

/** A tensor of a dtype from values (shape defaults to 1-D). */
export function T(dtype: DType, values: number[] | string[], shape: number[] = [values.length]): Tensor {
  return tensor(dtype, shape, values);
}

/** A float32 tensor. */
export function F(values: number[], shape: number[] = [values.length]): Tensor {
  return tensor("float32", shape, values);
}

/** Values rounded to a number of decimals (hand-checked float expectations). */
export function approx(t: Tensor, digits = 5): number[] {
  return Array.from(t.data as ArrayLike<number>, (v) => Number(v.toFixed(digits)));
}

/** Run one op with our kernel and return its first output. */
export function run1(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 13): Tensor {
  return run(op, inputs, attrs, opset)[0];
}

/** A seeded random tensor: normal floats (scaled), or integers in [lo, hi] for integer dtypes, 0/1 for bool. */
export function random(r: () => number, dtype: DType, shape: number[], scale = 1, lo = -20, hi = 20): Tensor {
  const n = sizeOf(shape);
  const v = Array.from({ length: n }, () => {
    if (dtype === "bool") return r() < 0.5 ? 1 : 0;
    if (dtype.startsWith("float")) return randn(r) * scale;
    return lo + Math.floor(r() * (hi - lo + 1));
  });
  return tensor(dtype, shape, v);
}

/** A random shape of the given rank with dims in [1, maxDim]. */
export function randomShape(r: () => number, rank: number, maxDim = 4): number[] {
  return Array.from({ length: rank }, () => 1 + Math.floor(r() * maxDim));
}

/** A shape that broadcasts to `shape`: a random suffix, with random dims set to 1. */
export function broadcastableTo(r: () => number, shape: number[]): number[] {
  const keep = Math.floor(r() * (shape.length + 1));
  return shape.slice(shape.length - keep).map((d) => (r() < 0.4 ? 1 : d));
}
