// carve-residual: a dense layer that is a conv only up to small differences (weight noise, split copies) is
// rewritten exactly as conv + an explicit residual map; dropping the residual instead moves the outputs by the
// fit's error. Random convs (channels, kernel sizes, strides, padding, dilation) written as dense, with and
// without noise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { carveConvs } from "../../src/recover/carve-conv.ts";
import { convResidual, fittedRows, toeplitzRow } from "../../src/recover/carve-residual.ts";
import { fitConv } from "../../src/recover/dense-to-conv.ts";
import { runNet } from "../../src/net/run.ts";
import { f32 } from "../../src/graph/tensor.ts";
import type { Net } from "../../src/net/net.ts";
import { rng } from "../../src/util/rng.ts";
import { cnnAsDense, denseConv, denseConvNet, type ConvSpec } from "./conv-nets.ts";

/** Specs drawn at random (seeded), as in dense-to-conv.test.ts, with at least two output positions. */
function randomSpec(u: () => number): ConvSpec {
  const pick = (n: number) => Math.floor(u() * n);
  const kh = 2 + pick(2), kw = 1 + pick(3);
  const dil: [number, number] = [1 + pick(2), kw > 1 ? 1 + pick(2) : 1];
  const pads: [number, number, number, number] = [pick(kh), pick(kw), pick(kh), pick(kw)];
  return { c: 1 + pick(3), h: 7 + pick(4), w: 7 + pick(4), oc: 1 + pick(3), kh, kw, stride: [1 + pick(2), 1 + pick(2)], pads, dil };
}

/** Max |a - b| over the outputs on seeded inputs in [0, 1], and max |a|. */
function diff(a: Net, b: Net, shape: number[], rows = 32): { err: number; top: number } {
  const u = rng(9);
  const n = shape.reduce((x, y) => x * y, 1);
  const x = f32([rows, ...shape], Float32Array.from({ length: rows * n }, () => u()));
  const ya = runNet(a, { img: x }).outputs.y.data, yb = runNet(b, { img: x }).outputs.y.data;
  let err = 0, top = 0;
  for (let i = 0; i < ya.length; i++) {
    err = Math.max(err, Math.abs(Number(ya[i]) - Number(yb[i])));
    top = Math.max(top, Math.abs(Number(ya[i])));
  }
  return { err, top };
}

test("the Toeplitz rows of a fit are the dense rows it came from; no residual without noise", () => {
  const u = rng(2);
  for (let k = 0; k < 6; k++) {
    const sp = randomSpec(u);
    const d = denseConv(sp, 500 + k, { permute: true, rescale: true });
    const r = fitConv(d.W, d.b, d.nOut, { c: sp.c, h: sp.h, w: sp.w });
    assert.ok(r.ok, `${JSON.stringify(sp)}: ${!r.ok && r.reason}`);
    if (!r.ok) continue;
    const nIn = sp.c * sp.h * sp.w;
    const rows = fittedRows(d.W, d.b, r.fit);
    let m = 0, top = 0;
    for (let i = 0; i < d.W.length; i++) {
      m = Math.max(m, Math.abs(rows.W[i] - d.W[i]));
      top = Math.max(top, Math.abs(d.W[i]));
    }
    assert.ok(m <= 1e-5 * top, `${JSON.stringify(sp)}: fitted rows differ by ${m}`);
    const res = convResidual(d.W, d.b, r.fit);
    assert.ok(res.maxAbs <= 1e-5 * top, `residual ${res.maxAbs}`);
    assert.equal(res.rest.length, 0);
    // Row u of the dense layer is s_u times the Toeplitz row of its conv output.
    const u0 = 0, p = r.fit.place[u0], T = toeplitzRow(r.fit, p);
    for (let i = 0; i < nIn; i++) assert.ok(Math.abs(r.fit.scale[u0] * T[i] - d.W[i]) <= 1e-5 * top);
  }
});

test("with weight noise and split copies, keeping the residual carves an exact conv; dropping it costs the fit's error", () => {
  const u = rng(7);
  for (let k = 0; k < 8; k++) {
    const sp = randomSpec(u);
    const what = JSON.stringify(sp);
    const net = denseConvNet(sp, 600 + k, { permute: true, rescale: true, noise: 1e-4, copies: 5 });
    const kept = carveConvs(net, { keepResidual: true });
    assert.equal(kept.carved.length, 1, `${what}: ${JSON.stringify(kept.kept)}`);
    const c = kept.carved[0];
    assert.ok(c.residualKept, what);
    assert.equal(c.outChannels, sp.oc, what);
    assert.deepEqual([c.kernel, c.strides, c.dilations], [[sp.kh, sp.kw], sp.stride, sp.dil], what);
    assert.ok(kept.net.layers.some((l) => l.kind === "conv") && kept.net.layers.some((l) => l.id === "fc1.residual" && l.kind === "affine"), what);
    const e = diff(net, kept.net, [sp.c, sp.h, sp.w]);
    assert.ok(e.err <= 1e-5 * e.top, `${what}: kept residual is exact, got ${e.err} (max |y| ${e.top})`);
    // The copies differ by their own noise: they stay dense rows beside the conv, as they were.
    assert.ok(c.rows - c.explained >= 5, `${what}: ${c.rows - c.explained} rows beside the conv`);
    assert.ok(c.residualKept!.maxAbs < 1e-2 && c.residualKept!.maxAbs > 0, `${what}: residual ${c.residualKept!.maxAbs}`);
    // Dropping it: the conv alone, asked through `accept`, which sees the dense form with the conv's rows.
    let seen = 0;
    const dropped = carveConvs(net, {
      accept: (before, after, _c, asDense) => {
        seen++;
        const a = diff(after, asDense, [sp.c, sp.h, sp.w]);
        assert.ok(a.err <= 1e-5 * a.top, `${what}: the dense form computes what the conv does (${a.err})`);
        assert.equal(before, net);
        return true;
      },
    });
    assert.equal(seen, 1);
    assert.ok(!dropped.carved[0].residualKept);
    const ed = diff(net, dropped.net, [sp.c, sp.h, sp.w]);
    assert.ok(ed.err > e.err, `${what}: the noise is gone from the conv alone (${ed.err} vs ${e.err})`);
    // Refusing the drop is the same as keeping.
    const refused = carveConvs(net, { accept: () => false });
    assert.ok(refused.carved[0].residualKept);
    assert.ok(diff(net, refused.net, [sp.c, sp.h, sp.w]).err <= 1e-5 * e.top);
  }
});

test("a kept residual of an exact conv in order needs no order layer and no scales", () => {
  const sp: ConvSpec = { c: 2, h: 6, w: 6, oc: 2, kh: 3, kw: 3, stride: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] };
  const net = denseConvNet(sp, 77, { noise: 1e-4 });
  const r = carveConvs(net, { keepResidual: true });
  assert.equal(r.carved[0].order, "in order");
  assert.equal(r.carved[0].explained, r.carved[0].rows);
  const e = diff(net, r.net, [2, 6, 6]);
  assert.ok(e.err <= 1e-5 * e.top, `${e.err}`);
});

test("a random CNN with its convs written as dense and weight noise added: both convs carved, residuals kept, exact", async () => {
  const { randn } = await import("../../src/util/rng.ts");
  const { convs, dense } = await cnnAsDense(4);
  const u = rng(12);
  const noisy: Net = { ...dense, layers: dense.layers.map((l) => {
    if (l.kind !== "affine") return l;
    let s = 0, n = 0;
    for (const v of l.W) if (v !== 0) { s += Math.abs(v); n++; }
    return { ...l, W: l.W.map((v) => v + 1e-4 * (s / n) * randn(u)), b: l.b.map((v) => v + 1e-4 * (s / n) * randn(u)) };
  }) };
  const convLayers = convs.length;
  const r = carveConvs(noisy, { keepResidual: true });
  assert.equal(r.net.layers.filter((l) => l.kind === "conv").length, convLayers, JSON.stringify(r.kept));
  assert.ok(r.carved.every((c) => c.residualKept));
  const x = f32([16, 2, 8, 8], Float32Array.from({ length: 16 * 128 }, () => u()));
  const name = noisy.inputs[0].name, out = noisy.outputs[0].name;
  const ya = runNet(noisy, { [name]: x }).outputs[out].data, yb = runNet(r.net, { [name]: x }).outputs[out].data;
  let err = 0, top = 0;
  for (let i = 0; i < ya.length; i++) { err = Math.max(err, Math.abs(Number(ya[i]) - Number(yb[i]))); top = Math.max(top, Math.abs(Number(ya[i]))); }
  assert.ok(err <= 1e-5 * top, `${err} vs max |y| ${top}`);
});
