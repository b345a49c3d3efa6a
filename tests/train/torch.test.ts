// Training against PyTorch on committed fixtures (tests/fixtures/train/make.py wrote them with torch 1.13):
// forward output, gradients of <seed, y> w.r.t. the input and every parameter, and 5 Adam steps, in float32.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readModel } from "../../src/onnx/read.ts";
import { normalizePasses } from "../../src/graph/passes/index.ts";
import { runPasses } from "../../src/pipeline/pass.ts";
import { lower } from "../../src/net/lower.ts";
import { Adam } from "../../src/train/adam.ts";
import { backward } from "../../src/train/backward.ts";
import { forward } from "../../src/train/forward.ts";
import { trainNet } from "../../src/train/trainnet.ts";
import { inputGradient } from "../../src/train/input-grad.ts";
import type { FArr } from "../../src/train/types.ts";

interface Fixture {
  x: number[]; xShape: number[]; seed: number[]; y: number[]; dx: number[];
  params: { name: string; shape: number[]; grad: number[] }[];
  adam?: { lr: number; steps: number; target: number[]; params: number[][] };
}

const dir = new URL("../fixtures/train/", import.meta.url).pathname;
const load = (name: string) => ({
  net: lower(runPasses(readModel(`${dir}${name}/model.onnx`), normalizePasses).out).net,
  fx: JSON.parse(readFileSync(`${dir}${name}/grads.json`, "utf8")) as Fixture,
});

function close(a: ArrayLike<number>, b: readonly number[], what: string, tol = 1e-4): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-3 + Math.abs(b[i])));
  assert.ok(worst <= tol, `${what}: worst relative difference ${worst.toExponential(2)} > ${tol}`);
}

for (const name of ["acts", "cnn", "join"]) {
  test(`forward and gradients match PyTorch: ${name}`, () => {
    const { net, fx } = load(name);
    const t = trainNet(net, "float32");
    const n = fx.xShape[0];
    const cache = forward(t, { x: Float32Array.from(fx.x) }, n);
    const out = net.outputs[0].from;
    close(cache.values.get(out)!, fx.y, "y");
    const g = backward(t, cache, new Map([[out, Float32Array.from(fx.seed) as FArr]]));
    close(g.inputs.get("x")!, fx.dx, "dx");
    // Parameters in module order: weight then bias of each trainable layer, in the Net's order.
    const ids = [...t.params.keys()];
    assert.equal(fx.params.length, 2 * ids.length, "two parameters (weight, bias) per trainable layer");
    ids.forEach((id, k) => {
      close(g.params.get(id)!.w, fx.params[2 * k].grad, `${id} weight grad (${fx.params[2 * k].name})`);
      close(g.params.get(id)!.b, fx.params[2 * k + 1].grad, `${id} bias grad (${fx.params[2 * k + 1].name})`);
    });
    // The public input-gradient API gives the same dx.
    const ig = inputGradient(net, { x: { dtype: "float32", shape: fx.xShape, data: Float32Array.from(fx.x) } }, { layer: "y", seed: Float32Array.from(fx.seed) });
    close(ig.grads.x.data as Float32Array, fx.dx, "inputGradient dx");
  });
}

test("5 Adam steps on an MSE match torch.optim.Adam", () => {
  const { net, fx } = load("acts");
  const a = fx.adam!;
  const t = trainNet(net, "float32");
  const opt = new Adam(t, { lr: a.lr });
  const n = fx.xShape[0], out = net.outputs[0].from;
  for (let s = 0; s < a.steps; s++) {
    const cache = forward(t, { x: Float32Array.from(fx.x) }, n);
    const y = cache.values.get(out)!;
    const dy = new Float32Array(y.length);
    for (let i = 0; i < y.length; i++) dy[i] = (2 * (y[i] - a.target[i])) / y.length;
    opt.update(backward(t, cache, new Map([[out, dy as FArr]]), { inputs: false }).params);
  }
  [...t.params.values()].forEach((p, k) => {
    close(p.w, a.params[2 * k], `layer ${k} weight after Adam`, 1e-3);
    close(p.b, a.params[2 * k + 1], `layer ${k} bias after Adam`, 1e-3);
  });
});

test("inputGradient of a conv channel: the objective is the channel's mean, its gradient matches finite differences", () => {
  const { net, fx } = load("cnn");
  const x = Float32Array.from(fx.x.slice(0, 2 * 2 * 16 * 16));
  const shape = [2, 2, 16, 16];
  const r = inputGradient(net, { x: { dtype: "float32", shape, data: x } }, { layer: "c2", unit: 3 });
  assert.deepEqual(r.valueShape, [6, 4, 4]);
  let mean = 0;
  for (let i = 0; i < 16; i++) mean += r.value[3 * 16 + i] / 16;
  assert.ok(Math.abs(mean - r.objective[0]) < 1e-5, "objective of row 0 is the channel mean");
  const g = r.grads.x.data as Float32Array;
  for (const i of [0, 37, 300, 511, 600, 1000]) {
    const h = 1e-2, xp = x.slice(), xm = x.slice();
    xp[i] += h;
    xm[i] -= h;
    const f = (v: Float32Array) => inputGradient(net, { x: { dtype: "float32", shape, data: v } }, { layer: "c2", unit: 3 }).objective;
    const fp = f(xp), fm = f(xm);
    const row = i < 512 ? 0 : 1;
    const d = (fp[row] - fm[row]) / (2 * h);
    assert.ok(Math.abs(d - g[i]) < 2e-3 + 1e-2 * Math.abs(d), `d/dx[${i}]: ${g[i]} vs ${d}`);
  }
});
