// dense-to-conv and carve-conv on convs that are convs only up to small weights everywhere (the zoo's near-zero
// weights and weight noise, or what merging split copies leaves): a row's window is read from the weights that hold
// its energy, not from every weight over a fixed threshold, so each row is still placed at its kernel's window; the
// whole fit is accepted up to `maxResidual` (the carve pass's budgeted mode), else the layer stays dense with why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { energyFloor, fitConv } from "../../src/recover/dense-to-conv.ts";
import { carveConvs } from "../../src/recover/carve-conv.ts";
import { runNet } from "../../src/net/run.ts";
import { f32 } from "../../src/graph/tensor.ts";
import type { Layer, Net } from "../../src/net/net.ts";
import { randn, rng } from "../../src/util/rng.ts";
import { denseConv, type ConvSpec } from "./conv-nets.ts";

/** Kernels with every entry of size 0.5..1 (either sign), so every row keeps most of its energy in its window. */
function firmKernel(n: number, u: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => (u() < 0.5 ? -1 : 1) * (0.5 + 0.5 * u()));
}

/** Every zero weight of each row set to +-eps x the row's largest |w| (eps over dense-to-conv's 1e-3 support
 *  threshold), then Gaussian noise of `noise` x the mean |weight| on every weight and bias. */
function smudge(W: Float32Array, b: Float32Array, nOut: number, eps: number, noise: number, u: () => number): { W: Float32Array; b: Float32Array } {
  const nIn = W.length / nOut;
  const out = Float32Array.from(W);
  let sum = 0, n = 0;
  for (const v of W) if (v !== 0) { sum += Math.abs(v); n++; }
  const sigma = noise * (sum / n);
  for (let r = 0; r < nOut; r++) {
    let m = 0;
    for (let i = 0; i < nIn; i++) m = Math.max(m, Math.abs(W[r * nIn + i]));
    for (let i = 0; i < nIn; i++) {
      const k = r * nIn + i;
      if (W[k] === 0) out[k] = eps * m * (u() < 0.5 ? -1 : 1);
      out[k] += sigma * randn(u);
    }
  }
  return { W: out, b: b.map((v) => v + sigma * randn(u)) };
}

const SPECS: ConvSpec[] = [
  { c: 1, h: 8, w: 8, oc: 2, kh: 3, kw: 3, stride: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] },
  { c: 2, h: 7, w: 9, oc: 3, kh: 3, kw: 3, stride: [2, 1], pads: [1, 1, 1, 1], dil: [1, 1] },
  { c: 1, h: 9, w: 9, oc: 2, kh: 3, kw: 3, stride: [1, 1], pads: [0, 0, 0, 0], dil: [2, 2] },
];

test("fitConv places every row of a conv whose zero weights became small ones (over the support threshold), rows permuted and rescaled", () => {
  for (const [k, sp] of SPECS.entries()) {
    const u = rng(70 + k);
    const d = denseConv(sp, 500 + k, { permute: true, rescale: true, kernel: firmKernel(sp.oc * sp.c * sp.kh * sp.kw, u) });
    const s = smudge(d.W, d.b, d.nOut, 1.2e-3, 1e-4, u);
    const what = JSON.stringify(sp);
    const r = fitConv(s.W, s.b, d.nOut, { c: sp.c, h: sp.h, w: sp.w }, { maxResidual: 1e-2 });
    assert.ok(r.ok, `${what}: ${!r.ok && r.reason}`);
    assert.equal(r.fit.explained, d.nOut, what);
    assert.deepEqual([r.fit.kernel, r.fit.strides, r.fit.dilations, r.fit.pads.slice(0, 2)], [[sp.kh, sp.kw], sp.stride, sp.dil, sp.pads.slice(0, 2)], what);
    const plane = d.outH * d.outW;
    d.perm.forEach((q, row) => assert.equal(r.fit.place[row] % plane, q % plane, `${what}: row ${row} position`));
    // The residual is the small weights: over the default acceptance (1e-3 relative), which says so.
    assert.ok(r.fit.residual.rel > 1e-3 && r.fit.residual.rel < 1e-2, `${what}: residual ${r.fit.residual.rel}`);
    assert.equal(fitConv(s.W, s.b, d.nOut, { c: sp.c, h: sp.h, w: sp.w }).ok, false, what);
  }
});

test("fitConv with a loose acceptance still keeps dense layers that are not convs dense", () => {
  const u = rng(5);
  const W = Float32Array.from({ length: 32 * 64 }, () => randn(u));
  assert.equal(fitConv(W, new Float32Array(32), 32, { c: 1, h: 8, w: 8 }, { maxResidual: 1e-2 }).ok, false);
  // A locally connected layer: 3x3 windows, a different kernel at every position.
  const sp = SPECS[0];
  const rows = Array.from({ length: 16 }, (_, k) => denseConv({ ...sp, oc: 1 }, 300 + k));
  const Wl = new Float32Array(64 * 64);
  for (let row = 0; row < 64; row++) Wl.set(rows[row % 16].W.subarray(row * 64, (row + 1) * 64), row * 64);
  assert.equal(fitConv(Wl, new Float32Array(64), 64, { c: 1, h: 8, w: 8 }, { maxResidual: 1e-2 }).ok, false);
});

/** img 1x8x8 -> flatten -> dense 3x3 conv (2 channels) -> relu -> dense 1x1 conv over the 2x8x8 image (the sum of
 *  the channels with weights 2 and 3), the first smudged as above, the second with weight noise. */
function twoConvNet(seed: number): Net {
  const u = rng(seed);
  const sp = SPECS[0];
  // (Rows permuted, not rescaled: a row scale folded into the head would scale the head's noise with it.)
  const d1 = denseConv(sp, seed, { permute: true, kernel: firmKernel(18, u) });
  const s1 = smudge(d1.W, d1.b, d1.nOut, 1.2e-3, 1e-4, u);
  // The head: output p reads channel c at p with weight k_c / s (the row's scale undone), in the rows' order.
  const k = [2, 3];
  const W2 = new Float32Array(64 * d1.nOut);
  d1.perm.forEach((q, row) => { W2[(q % 64) * d1.nOut + row] = k[Math.floor(q / 64)] / d1.scale[row]; });
  // (Noise alone on the head: a few of its 126 zero weights per row end up over the support threshold.)
  const s2 = smudge(W2, Float32Array.from({ length: 64 }, () => 0.1), 64, 0, 6e-4, u);
  const base = { dtype: "float32" as const };
  const layers: Layer[] = [
    { kind: "reshape", id: "flat", inputs: ["img"], shape: [64], origin: ["flat"], ...base },
    { kind: "affine", id: "fc1", inputs: ["flat"], shape: [d1.nOut], origin: ["fc1"], ...base, W: s1.W, b: s1.b, inFeatures: 64, outFeatures: d1.nOut },
    { kind: "act", fn: "relu", id: "relu1", inputs: ["fc1"], shape: [d1.nOut], origin: ["relu1"], ...base },
    { kind: "affine", id: "fc2", inputs: ["relu1"], shape: [64], origin: ["fc2"], ...base, W: s2.W, b: s2.b, inFeatures: d1.nOut, outFeatures: 64 },
  ];
  return { inputs: [{ name: "img", dtype: "float32", shape: [1, 8, 8], batchDim: "N" }], layers, outputs: [{ name: "y", from: "fc2" }] };
}

function maxDiff(a: Net, b: Net): number {
  const u = rng(9);
  const x = f32([32, 1, 8, 8], Float32Array.from({ length: 32 * 64 }, () => u()));
  const ya = runNet(a, { img: x }).outputs.y.data, yb = runNet(b, { img: x }).outputs.y.data;
  let m = 0;
  for (let i = 0; i < ya.length; i++) m = Math.max(m, Math.abs(Number(ya[i]) - Number(yb[i])));
  return m;
}

test("carveConvs: the second layer of a smudged two-conv net is read as a 1x1 conv over the first one's image when the acceptance allows its residual", () => {
  for (const seed of [1, 2, 3]) {
    const net = twoConvNet(seed);
    // Kept residuals: both layers are convs and the rewrite is exact.
    const kept = carveConvs(net, { keepResidual: true, maxResidual: 1e-2 });
    assert.deepEqual(kept.carved.map((c) => [c.layer, c.kernel.join("x"), c.outChannels, c.explained === c.rows]), [["fc1", "3x3", 2, true], ["fc2", "1x1", 1, true]], `seed ${seed}: ${JSON.stringify(kept.kept)}`);
    assert.ok(maxDiff(net, kept.net) < 1e-4, `seed ${seed}: exact rewrite`);
    // Dropped residuals: conv, relu, 1x1 conv; the outputs move by about the small weights' share.
    const dropped = carveConvs(net, { maxResidual: 1e-2 });
    const convs = dropped.net.layers.filter((l) => l.kind === "conv");
    assert.equal(convs.length, 2);
    const head = convs[1];
    assert.ok(head.kind === "conv" && head.kernel.join("x") === "1x1");
    if (head.kind === "conv") assert.ok(Math.abs(head.weight[1] / head.weight[0] - 1.5) < 0.05 || Math.abs(head.weight[0] / head.weight[1] - 1.5) < 0.05, `channel weights ${Array.from(head.weight)}`);
    // Nothing stays dense (an order layer may give the rows their fitted scales back: one weight per output).
    assert.ok(dropped.net.layers.every((l) => l.kind !== "affine" || (l.id.endsWith(".order") && l.W.filter((v) => v !== 0).length === l.outFeatures)), "nothing stays dense");
    const e = maxDiff(net, dropped.net);
    assert.ok(e > 1e-5 && e < 0.2, `seed ${seed}: change ${e}`);
    // The default acceptance (1e-3 relative): the small weights are over it, and the layers stay dense.
    const strict = carveConvs(net, { keepResidual: true });
    assert.ok(strict.carved.length < 2 && strict.kept.length >= 1, JSON.stringify(strict.kept));
  }
});

test("energyFloor: the weights no larger than it are the smallest ones that fit in the slack (as sorting them says)", () => {
  const u = rng(3);
  for (let t = 0; t < 1500; t++) {
    const n = 1 + Math.floor(u() * 300);
    const W = Float32Array.from({ length: n }, () => (u() < 0.3 ? 0 : randn(u) * 10 ** (-6 * u())));
    if (u() < 0.2) for (let i = 0; i < n; i++) if (u() < 0.1) W[i] = NaN;
    const slack = [1e-4, 1e-2, 0.3][Math.floor(u() * 3)];
    // By sorting: add the smallest squares while the total stays within the slack.
    const sq = Array.from(W).filter((v) => !Number.isNaN(v)).map((v) => v * v).sort((a, c) => a - c);
    const total = sq.reduce((a, c) => a + c, 0);
    let acc = 0, floor = 0;
    for (const v of sq) {
      acc += v;
      if (acc > slack * total) break;
      floor = Math.sqrt(v);
    }
    const left = (f: number) => Array.from(W).filter((v) => v !== 0 && Math.abs(v) <= f).length;
    const got = energyFloor(W, 0, n, slack);
    assert.equal(left(got), left(floor), `n ${n}, slack ${slack}: ${got} vs ${floor}`);
  }
});
