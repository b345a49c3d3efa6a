// dense-to-conv and carve-conv: convolutions written as dense layers (any stride, padding, dilation, channel
// count, rows permuted and rescaled) come back as convs with their kernels; dense layers that are not convs
// (random, or local but unshared) stay dense; the carved Net computes what the dense one did.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fitConv } from "../../src/recover/dense-to-conv.ts";
import { carveConvs } from "../../src/recover/carve-conv.ts";
import { runNet } from "../../src/net/run.ts";
import { f32 } from "../../src/graph/tensor.ts";
import type { Layer, Net } from "../../src/net/net.ts";
import { randn, rng } from "../../src/util/rng.ts";
import { cnnAsDense, denseConv, denseConvNet, type ConvSpec } from "./conv-nets.ts";

/** Specs drawn at random (seeded): channels, sizes, kernel, stride, padding, dilation. */
function randomSpec(u: () => number): ConvSpec {
  const pick = (n: number) => Math.floor(u() * n);
  const kh = 1 + pick(3), kw = 1 + pick(3);
  const dil: [number, number] = [kh > 1 ? 1 + pick(2) : 1, kw > 1 ? 1 + pick(2) : 1];
  const pads: [number, number, number, number] = [pick(kh), pick(kw), pick(kh), pick(kw)];
  return { c: 1 + pick(3), h: 6 + pick(5), w: 6 + pick(5), oc: 1 + pick(4), kh, kw, stride: [1 + pick(2), 1 + pick(2)], pads, dil };
}

/** Each found filter matches a true one up to a positive scale (channels in any order). */
function kernelsMatch(found: Float32Array, truth: Float32Array, oc: number): boolean {
  const per = truth.length / oc;
  const unit = (a: Float32Array, o: number) => {
    const f = Array.from(a.subarray(o * per, (o + 1) * per));
    const n = Math.hypot(...f);
    return f.map((v) => v / n);
  };
  for (let o = 0; o < oc; o++) {
    const f = unit(found, o);
    if (![...Array(oc).keys()].some((q) => unit(truth, q).every((v, i) => Math.abs(v - f[i]) < 1e-4))) return false;
  }
  return true;
}

test("fitConv recovers random convs written as dense, rows permuted and rescaled", () => {
  const u = rng(11);
  for (let k = 0; k < 12; k++) {
    const sp = randomSpec(u);
    const d = denseConv(sp, 100 + k, { permute: true, rescale: true });
    const r = fitConv(d.W, d.b, d.nOut, { c: sp.c, h: sp.h, w: sp.w });
    const what = JSON.stringify(sp);
    if (d.outH * d.outW < 2 || sp.kh * sp.kw === 1 && sp.c === 1) continue; // nothing shared to find
    assert.ok(r.ok, `${what}: ${!r.ok && r.reason}`);
    const f = r.fit;
    assert.equal(f.outChannels, sp.oc, what);
    assert.equal(f.explained, d.nOut, what);
    assert.ok(f.residual.rel < 1e-5, `${what}: residual ${f.residual.rel}`);
    assert.deepEqual([f.outH, f.outW], [d.outH, d.outW], what);
    if (d.outH > 1) assert.equal(f.strides[0], sp.stride[0], what);
    if (d.outW > 1) assert.equal(f.strides[1], sp.stride[1], what);
    // The found kernel may be a trimmed version when the true one has zero border rows; here they are random.
    assert.deepEqual(f.kernel, [sp.kh, sp.kw], what);
    assert.deepEqual(f.dilations, sp.dil, what);
    assert.equal(f.pads[0], sp.pads[0], what);
    assert.equal(f.pads[1], sp.pads[1], what);
    assert.ok(kernelsMatch(f.weight, d.kernel, sp.oc), `${what}: kernels`);
    // Every row maps to the conv output it came from (up to the channel order), with its scale.
    const plane = d.outH * d.outW;
    d.perm.forEach((q, row) => assert.equal(f.place[row] % plane, q % plane, `${what}: row ${row} position`));
  }
});

test("fitConv keeps dense layers dense: random weights, and local windows with unshared kernels", () => {
  const u = rng(5);
  const W = Float32Array.from({ length: 32 * 64 }, () => randn(u));
  const r1 = fitConv(W, new Float32Array(32), 32, { c: 1, h: 8, w: 8 });
  assert.equal(r1.ok, false);
  // Local 3x3 receptive fields (as a locally connected layer has) but a different kernel at every position.
  const sp: ConvSpec = { c: 1, h: 8, w: 8, oc: 1, kh: 3, kw: 3, stride: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] };
  const rows = Array.from({ length: 16 }, (_, k) => denseConv(sp, 300 + k));
  const Wl = new Float32Array(64 * 64);
  for (let row = 0; row < 64; row++) Wl.set(rows[row % 16].W.subarray(row * 64, (row + 1) * 64), row * 64);
  const r2 = fitConv(Wl, new Float32Array(64), 64, { c: 1, h: 8, w: 8 });
  assert.equal(r2.ok, false, "a locally connected layer is not a conv");
});

function maxDiff(a: Net, b: Net, shape: number[], rows = 16): number {
  const u = rng(9);
  const n = shape.reduce((x, y) => x * y, 1);
  const x = f32([rows, ...shape], Float32Array.from({ length: rows * n }, () => u()));
  const ya = runNet(a, { img: x }).outputs.y.data, yb = runNet(b, { img: x }).outputs.y.data;
  let m = 0;
  for (let i = 0; i < ya.length; i++) m = Math.max(m, Math.abs(Number(ya[i]) - Number(yb[i])));
  return m;
}

test("carveConvs rewrites the Net: conv + relu + flatten, the head re-indexed; same outputs", () => {
  const sp: ConvSpec = { c: 2, h: 7, w: 9, oc: 3, kh: 3, kw: 3, stride: [2, 1], pads: [1, 1, 1, 1], dil: [1, 1] };
  const net = denseConvNet(sp, 21, { permute: true, rescale: true });
  const r = carveConvs(net);
  assert.equal(r.carved.length, 1);
  assert.equal(r.carved[0].order, "folded");
  const conv = r.net.layers.find((l) => l.id === "fc1")!;
  assert.equal(conv.kind, "conv");
  assert.deepEqual(conv.shape, [3, 4, 9]);
  assert.ok(!r.net.layers.some((l) => l.id === "flat"), "the flatten only the dense layer read is gone");
  assert.ok(maxDiff(net, r.net, [2, 7, 9]) < 1e-4);
});

test("carveConvs: an average pool written as dense becomes a pool layer", () => {
  const sp: ConvSpec = { c: 3, h: 8, w: 8, oc: 3, kh: 2, kw: 2, stride: [2, 2], pads: [0, 0, 0, 0], dil: [1, 1] };
  const kernel = new Float32Array(3 * 3 * 4);
  for (let o = 0; o < 3; o++) kernel.fill(0.25, (o * 3 + o) * 4, (o * 3 + o + 1) * 4);
  const net = denseConvNet(sp, 31, { permute: true, kernel, bias: new Float32Array(3) });
  const r = carveConvs(net);
  assert.equal(r.carved[0]?.kind, "avgpool");
  const pool = r.net.layers.find((l) => l.id === "fc1")!;
  assert.ok(pool.kind === "pool" && pool.mode === "avg" && pool.kernel.join() === "2,2" && pool.strides.join() === "2,2");
  assert.ok(maxDiff(net, r.net, [3, 8, 8]) < 1e-4);
});

test("carveConvs leaves a dense layer over an image dense when it is not a conv", () => {
  const u = rng(3);
  const net = denseConvNet({ c: 1, h: 8, w: 8, oc: 2, kh: 3, kw: 3, stride: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] }, 41);
  const fc1 = net.layers[1];
  if (fc1.kind === "affine") fc1.W = Float32Array.from(fc1.W, () => randn(u));
  const r = carveConvs(net);
  assert.equal(r.carved.length, 0);
  assert.equal(r.kept[0]?.layer, "fc1");
});

test("no false positive: the zoo's MNIST MLP (trained as dense on images) has no convolution", async () => {
  const { readModel } = await import("../../src/onnx/read.ts");
  const { normalizePasses } = await import("../../src/graph/passes/index.ts");
  const { runPasses } = await import("../../src/pipeline/pass.ts");
  const { lower } = await import("../../src/net/lower.ts");
  const net = lower(runPasses(readModel(new URL("../../zoo/trained/mnist_mlp/model.onnx", import.meta.url).pathname), normalizePasses).out).net;
  const r = carveConvs(net);
  assert.equal(r.carved.length, 0);
  assert.ok(r.kept.length >= 1);
});

test("a CNN with its convs written as dense (the zoo's conv2dense for trained nets) gets its kernels back exactly", async () => {
  const { convs: orig, dense, written } = await cnnAsDense(4);
  assert.equal(written, orig.length);
  const r = carveConvs(dense);
  const found = r.net.layers.filter((l) => l.kind === "conv");
  assert.equal(found.length, orig.length, JSON.stringify(r.kept));
  found.forEach((f, i) => {
    const o = orig[i];
    assert.ok(f.kind === "conv" && o.kind === "conv");
    if (f.kind !== "conv" || o.kind !== "conv") return;
    assert.deepEqual([f.kernel, f.strides, f.pads], [o.kernel, o.strides, o.pads]);
    f.weight.forEach((v, k) => assert.ok(Math.abs(v - o.weight[k]) < 1e-5));
  });
});

test("fitConv with maxResidual at the rows' bound (as carve passes it) accepts noisy convs, kernels within the noise", () => {
  // Weight noise that each row tolerates (within 10 x tol = 1% of its kernel) adds up to the same relative level
  // over the layer. Rows permuted and rescaled, with split copies, and each non-zero weight jittered by a relative
  // eps in [1e-3, 4e-3] (the zero weights stay zero: the windows stay local).
  const u = rng(23);
  let above = 0;
  for (let k = 0; k < 8; k++) {
    const sp: ConvSpec = { c: 1 + Math.floor(u() * 2), h: 8, w: 8, oc: 2 + Math.floor(u() * 3), kh: 3, kw: 3, stride: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] };
    const eps = 1e-3 + 3e-3 * u();
    const net = denseConvNet(sp, 500 + k, { permute: true, rescale: true, copies: 6 });
    const fc1 = net.layers[1];
    assert.ok(fc1.kind === "affine");
    const W = fc1.W.map((v) => (v === 0 ? 0 : v * (1 + eps * randn(u))));
    const r = fitConv(W, fc1.b, fc1.outFeatures, { c: sp.c, h: sp.h, w: sp.w }, { maxResidual: 1e-2 });
    assert.ok(r.ok, `${JSON.stringify(sp)} eps ${eps}: ${!r.ok && r.reason}`);
    assert.equal(r.fit.outChannels, sp.oc);
    assert.equal(r.fit.explained, fc1.outFeatures);
    if (r.fit.residual.rel > 1e-3) above++;
    const clean = denseConv(sp, 500 + k);
    // The kernels found are the true ones to within the noise.
    const per = sp.c * 9;
    for (let o = 0; o < sp.oc; o++) {
      const f = Array.from(r.fit.weight.subarray(o * per, (o + 1) * per)), nf = Math.hypot(...f);
      const best = Math.max(...[...Array(sp.oc).keys()].map((q) => {
        const t = Array.from(clean.kernel.subarray(q * per, (q + 1) * per)), nt = Math.hypot(...t);
        return f.reduce((s, v, i) => s + (v / nf) * (t[i] / nt), 0);
      }));
      assert.ok(best > 1 - 1e-4, `kernel ${o}: cosine ${best} to the closest true kernel`);
    }
  }
  assert.ok(above >= 4, `${above} of 8 layers have a residual over 1e-3 (over the default maxResidual)`);
});

test("fitConv: a border row whose off-window weights widen its box to the kernel's is no extra channel", () => {
  // Sobel x and y, 8x8, pad 1. The left-border row of Sobel x sees only the kernel's right column; weights two
  // columns further (5e-2 of its largest: more energy than a row may leave outside its window) widen its box to
  // 3x3, so it looks like a full row with a kernel of its own. A kernel found at one window only is not shared:
  // the fit has the two true channels (it had a third, which broke the abs pairs of the zoo's edge at 2x the
  // zoo's width), and that row stays dense beside the conv.
  const sp: ConvSpec = { c: 1, h: 8, w: 8, oc: 2, kh: 3, kw: 3, stride: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] };
  const kernel = Float32Array.from([1, 0, -1, 2, 0, -2, 1, 0, -1, 1, 2, 1, 0, 0, 0, -1, -2, -1]);
  const d = denseConv(sp, 61, { kernel });
  const row = 3 * 8 + 0; // channel 0, output (3, 0): window columns -1..1
  for (const y of [2, 3, 4]) d.W[row * 64 + y * 8 + 3] = 5e-2 * (y === 3 ? -1 : 1);
  const r = fitConv(d.W, d.b, d.nOut, { c: 1, h: 8, w: 8 });
  assert.ok(r.ok, !r.ok ? r.reason : "");
  assert.equal(r.fit.outChannels, 2);
  assert.ok(kernelsMatch(r.fit.weight, kernel, 2), `${Array.from(r.fit.weight).map((v) => v.toFixed(3))}`);
  assert.equal(r.fit.place[row], -1, "the odd row stays dense");
  assert.equal(r.fit.explained, d.nOut - 1);
});
