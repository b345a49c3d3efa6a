// Small Nets built by hand for the simplify pass tests, the state the passes run on, and the equivalence check
// every exact pass must pass: same outputs (to float rounding) on the data and on dense samples of the box.
import assert from "node:assert/strict";
import { f32, type Tensor } from "../../src/graph/tensor.ts";
import type { ActFn, Layer, Net } from "../../src/net/net.ts";
import { runRows } from "../../src/passes/report.ts";
import { simplifyState } from "../../src/passes/state.ts";
import type { BoxDomain, SimplifyState } from "../../src/passes/simplify.ts";
import { randn, rng } from "../helpers/rng.ts";

/** An affine layer from rows (out x in) and a bias. */
export function dense(id: string, input: string, rows: number[][], b: number[]): Layer {
  return {
    kind: "affine", id, inputs: [input], W: Float32Array.from(rows.flat()), b: Float32Array.from(b),
    inFeatures: rows[0]?.length ?? 0, outFeatures: rows.length, shape: [rows.length], dtype: "float32", origin: [id],
  };
}

/** An activation layer over a vector of n units. */
export function act(id: string, input: string, n: number, fn: ActFn = "relu"): Layer {
  return { kind: "act", fn, id, inputs: [input], shape: [n], dtype: "float32", origin: [id] };
}

/** A Net over one vector input `x` of n features whose output is the last layer. */
export function net(n: number, layers: Layer[]): Net {
  return { inputs: [{ name: "x", dtype: "float32", shape: [n], batchDim: "N" }], layers, outputs: [{ name: "y", from: layers[layers.length - 1].id }] };
}

/** A random ReLU MLP x -> [hidden...] -> out (ids fc1, relu1, fc2, ...), weights normal. */
export function randomNet(seed: number, sizes: number[]): Net {
  const r = rng(seed);
  const layers: Layer[] = [];
  let input = "x";
  for (let k = 1; k < sizes.length; k++) {
    const rows = Array.from({ length: sizes[k] }, () => Array.from({ length: sizes[k - 1] }, () => randn(r)));
    layers.push(dense(`fc${k}`, input, rows, Array.from({ length: sizes[k] }, () => 0.3 * randn(r))));
    input = `fc${k}`;
    if (k < sizes.length - 1) {
      layers.push(act(`relu${k}`, input, sizes[k]));
      input = `relu${k}`;
    }
  }
  return net(sizes[0], layers);
}

/** Uniform rows in the box [lo, hi]^n, as a tensor for input x. */
export function boxRows(seed: number, rows: number, n: number, lo = -1, hi = 1): Record<string, Tensor> {
  const r = rng(seed);
  return { x: f32([rows, n], Array.from({ length: rows * n }, () => lo + (hi - lo) * r())) };
}

/** The box [lo, hi]^n for input x. */
export function box(n: number, lo = -1, hi = 1): BoxDomain {
  return { x: { lo: new Float32Array(n).fill(lo), hi: new Float32Array(n).fill(hi) } };
}

/** A SimplifyState over a Net with data sampled from [lo, hi]^n (and the box, unless data only). */
export function stateFor(nt: Net, opts: { lo?: number; hi?: number; rows?: number; withBox?: boolean; data?: Record<string, Tensor> } = {}): SimplifyState {
  const n = nt.inputs[0].shape[0];
  const lo = opts.lo ?? -1;
  const hi = opts.hi ?? 1;
  const data = opts.data ?? boxRows(7, opts.rows ?? 400, n, lo, hi);
  const rows = data.x.shape[0];
  const cut = Math.floor(rows * 0.8);
  const per = data.x.shape.slice(1).reduce((p, d) => p * d, 1);
  const part = (a: number, b: number) => ({ x: f32([b - a, ...data.x.shape.slice(1)], (data.x.data as Float32Array).slice(a * per, b * per)) });
  return simplifyState(nt, part(0, cut), part(cut, rows), { exact: true, ...(opts.withBox === false ? {} : { box: box(n, lo, hi) }) });
}

/** Largest |a - b| between two Nets' outputs on the same rows. */
export function maxDiff(a: Net, b: Net, rows: Record<string, Tensor>): number {
  const ya = runRows(a, rows);
  const yb = runRows(b, rows);
  let m = 0;
  ya.forEach((t, k) => {
    const p = t.data as Float32Array;
    const q = yb[k].data as Float32Array;
    for (let i = 0; i < p.length; i++) m = Math.max(m, Math.abs(p[i] - q[i]));
  });
  return m;
}

/** The exact-pass contract: outputs equal (to float rounding) on dense fresh samples of the box. */
export function assertSameFunction(a: Net, b: Net, lo = -1, hi = 1, tol = 1e-5): void {
  const n = a.inputs[0].shape[0];
  const d = maxDiff(a, b, boxRows(99, 3000, n, lo, hi));
  assert.ok(d <= tol, `outputs differ by ${d}`);
}
