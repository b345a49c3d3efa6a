// Property: backward's gradients (w.r.t. parameters and the input) equal central finite differences of the
// forward pass, in float64, for every layer kind over random shapes and geometries.
import test from "node:test";
import assert from "node:assert/strict";
import type { Net } from "../../src/net/net.ts";
import { backward } from "../../src/train/backward.ts";
import { forward } from "../../src/train/forward.ts";
import { trainNet } from "../../src/train/trainnet.ts";
import type { FArr, TrainNet } from "../../src/train/types.ts";
import { randn, rng } from "../../src/util/rng.ts";
import { actNet, affine2dNet, convNet, joinNet, poolNet, randomRows } from "./nets.ts";

const N = 3; // batch rows

/** <seed, output> for the TrainNet on x. */
function objective(t: TrainNet, x: Float64Array, seed: Float64Array, out: string): number {
  const y = forward(t, { x }, N).values.get(out)!;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += seed[i] * y[i];
  return s;
}

/** Central difference of the objective in one entry of an array the objective reads. */
function fd(arr: FArr, i: number, f: () => number, h = 1e-6): number {
  const v = arr[i];
  arr[i] = v + h;
  const a = f();
  arr[i] = v - h;
  const b = f();
  arr[i] = v;
  return (a - b) / (2 * h);
}

function check(name: string, net: Net, seed: number): void {
  const t = trainNet(net, "float64");
  const x = randomRows(seed, net, N);
  const out = net.outputs[0].from;
  const cache = forward(t, { x }, N);
  const u = rng(seed + 99);
  const s = Float64Array.from({ length: cache.values.get(out)!.length }, () => randn(u));
  const g = backward(t, cache, new Map([[out, s]]));
  const f = () => objective(t, x, s, out);
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-6 + 1e-5 * Math.abs(b), `${name} seed ${seed}: ${what}: backward ${a} vs finite difference ${b}`);
  const gx = g.inputs.get("x")!;
  for (let i = 0; i < x.length; i++) close(gx[i], fd(x, i, f), `d/dx[${i}]`);
  for (const [id, p] of t.params) {
    const gp = g.params.get(id)!;
    // Every bias entry, and up to 40 weight entries spread over the array.
    for (let i = 0; i < p.b.length; i++) close(gp.b[i], fd(p.b, i, f), `d/d${id}.b[${i}]`);
    const step = Math.max(1, Math.floor(p.w.length / 40));
    for (let i = 0; i < p.w.length; i += step) close(gp.w[i], fd(p.w, i, f), `d/d${id}.w[${i}]`);
  }
}

const SEEDS = [1, 2, 3, 4, 5, 6];
for (const fn of ["relu", "leaky_relu", "sigmoid", "tanh", "gelu", "gelu_tanh", "exp", "abs", "clip", "identity"] as const) {
  test(`gradients match finite differences: act ${fn}`, () => SEEDS.forEach((s) => check(`act ${fn}`, actNet(s, fn), s)));
}
test("gradients match finite differences: affine over the last axis of [p, k]", () => SEEDS.forEach((s) => check("affine2d", affine2dNet(s), s)));
test("gradients match finite differences: conv (random kernel, stride, padding, dilation, groups; 1-D and 2-D)", () => {
  for (let s = 1; s <= 16; s++) check("conv", convNet(s), s);
});
for (const mode of ["max", "avg", "global_max", "global_avg"] as const) {
  test(`gradients match finite differences: pool ${mode}`, () => {
    for (let s = 1; s <= 10; s++) check(`pool ${mode}`, poolNet(s, mode), s);
  });
}
test("gradients match finite differences: add, concat, softmax and log-softmax", () => {
  for (const s of SEEDS) {
    check("join softmax", joinNet(s, false), s);
    check("join log-softmax", joinNet(s, true), s);
  }
});
