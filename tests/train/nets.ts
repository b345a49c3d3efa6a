// Small random Nets, one per layer kind, for the training tests: each reads one input and ends in a value
// every layer kind under test feeds, with random geometry drawn from a seeded generator.
import type { ActFn, Layer, Net } from "../../src/net/net.ts";
import { randn, rng } from "../../src/util/rng.ts";

type U = () => number;
const pick = <T>(u: U, xs: readonly T[]): T => xs[Math.floor(u() * xs.length)];
const int = (u: U, lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1));
const rand = (u: U, n: number, s = 0.5) => Float32Array.from({ length: n }, () => s * randn(u));
const base = (id: string, inputs: string[], shape: number[]) => ({ id, inputs, shape, dtype: "float32" as const, origin: [id] });

export function affine(u: U, id: string, input: string, inF: number, outF: number, lead: number[] = []): Layer {
  return { ...base(id, [input], [...lead, outF]), kind: "affine", W: rand(u, inF * outF, 1 / Math.sqrt(inF)), b: rand(u, outF, 0.3), inFeatures: inF, outFeatures: outF };
}
const act = (id: string, input: string, shape: number[], fn: ActFn, extra: object = {}): Layer => ({ ...base(id, [input], shape), kind: "act", fn, ...extra });
const reshape = (id: string, input: string, shape: number[]): Layer => ({ ...base(id, [input], shape), kind: "reshape" });
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
function net(inShape: number[], layers: Layer[]): Net {
  return { inputs: [{ name: "x", dtype: "float32", shape: inShape, batchDim: "batch" }], layers, outputs: [{ name: "y", from: layers[layers.length - 1].id }] };
}
const outDim = (i: number, k: number, s: number, p0: number, p1: number, d: number, ceil = false) =>
  (ceil ? Math.ceil : Math.floor)((i + p0 + p1 - d * (k - 1) - 1) / s) + 1;

/** An MLP with one activation function: x[k] -> affine -> act -> affine. */
export function actNet(seed: number, fn: ActFn): Net {
  const u = rng(seed);
  const k = int(u, 2, 6), h = int(u, 2, 7), o = int(u, 1, 4);
  const extra = fn === "leaky_relu" ? { alpha: 0.1 } : fn === "clip" ? { min: -0.4, max: 0.5 } : {};
  return net([k], [affine(u, "fc1", "x", k, h), act("a", "fc1", [h], fn, extra), affine(u, "fc2", "a", h, o)]);
}

/** Affine over the last axis of a [p, k] input (MatMul-style), then flattened. */
export function affine2dNet(seed: number): Net {
  const u = rng(seed);
  const p = int(u, 1, 3), k = int(u, 2, 5), h = int(u, 2, 5);
  return net([p, k], [affine(u, "fc1", "x", k, h, [p]), act("a", "fc1", [p, h], "tanh"), reshape("r", "a", [p * h]), affine(u, "fc2", "r", p * h, 2)]);
}

/** A random convolution (kernel, stride, padding, dilation, groups), 1-D or 2-D, then tanh and a dense read-out. */
export function convNet(seed: number): Net {
  const u = rng(seed);
  const dims = pick(u, [1, 2, 2]);
  const groups = pick(u, [1, 1, 2]);
  const c = groups * int(u, 1, 2), m = groups * int(u, 1, 3);
  const spatial = Array.from({ length: dims }, () => int(u, 4, 7));
  const kernel = spatial.map(() => int(u, 1, 3)), strides = spatial.map(() => int(u, 1, 2)), dil = spatial.map(() => int(u, 1, 2));
  const pads = [...spatial.map(() => int(u, 0, 1)), ...spatial.map(() => int(u, 0, 1))];
  const out = spatial.map((s, a) => outDim(s, kernel[a], strides[a], pads[a], pads[a + dims], dil[a]));
  const cs = [m, ...out];
  const conv: Layer = {
    ...base("conv", ["x"], cs), kind: "conv", weight: rand(u, m * (c / groups) * size(kernel), 0.5), bias: rand(u, m, 0.3),
    outChannels: m, inChannels: c, kernel, strides, pads, dilations: dil, groups,
  };
  return net([c, ...spatial], [conv, act("a", "conv", cs, "tanh"), reshape("r", "a", [size(cs)]), affine(u, "fc", "r", size(cs), 3)]);
}

/** A random pooling layer (max, avg with or without padding in the divisor, global), after a tanh to keep values distinct. */
export function poolNet(seed: number, mode: "max" | "avg" | "global_max" | "global_avg"): Net {
  const u = rng(seed);
  const c = int(u, 1, 3);
  const spatial = [int(u, 4, 7), int(u, 4, 7)];
  const global = mode.startsWith("global");
  const kernel = global ? [] : spatial.map(() => int(u, 2, 3)), strides = global ? [] : spatial.map(() => int(u, 1, 2));
  const pads = global ? [] : [int(u, 0, 1), int(u, 0, 1), int(u, 0, 1), int(u, 0, 1)];
  const ceilMode = !global && u() < 0.3;
  const out = global ? [1, 1] : spatial.map((s, a) => outDim(s, kernel[a], strides[a], pads[a], pads[a + 2], 1, ceilMode));
  const ps = [c, ...out];
  const pool: Layer = {
    ...base("pool", ["a"], ps), kind: "pool", mode, kernel, strides, pads, countIncludePad: mode === "avg" && u() < 0.5, ceilMode,
    dilations: global ? [] : [1, 1],
  };
  return net([c, ...spatial], [act("a", "x", [c, ...spatial], "tanh"), pool, reshape("r", "pool", [size(ps)]), affine(u, "fc", "r", size(ps), 2)]);
}

/** Two branches joined by an add (a residual) and a concat along a random axis, then softmax or log-softmax. */
export function joinNet(seed: number, log: boolean): Net {
  const u = rng(seed);
  const p = int(u, 1, 3), k = int(u, 2, 5), h = int(u, 2, 4);
  const axis = pick(u, [0, 1]);
  const catShape = axis === 0 ? [2 * p, h] : [p, 2 * h];
  return net([p, k], [
    affine(u, "a1", "x", k, h, [p]), act("r1", "a1", [p, h], "relu"),
    affine(u, "a2", "x", k, h, [p]),
    { ...base("sum", ["r1", "a2"], [p, h]), kind: "add" },
    { ...base("cat", ["sum", "a1"], catShape), kind: "concat", axis },
    { ...base("sm", ["cat"], catShape), kind: "softmax", log, axis: pick(u, [0, 1]) },
  ]);
}

/** A dense input of n rows for a Net (standard normal). */
export function randomRows(seed: number, net: Net, n: number): Float64Array {
  const u = rng(seed);
  return Float64Array.from({ length: n * size(net.inputs[0].shape) }, () => randn(u));
}
