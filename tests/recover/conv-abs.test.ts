// abs on conv channel pairs (src/recover/conv-abs.ts): relu(conv(x, K)) and relu(conv(x, -K)) read alike become
// abs(conv(x, K)); hand-made nets with other channel counts, orders, scales and readers (dense after a flatten, or
// a conv), plus a pair read unequally (no rewrite), a split copy beside the conv (folded), and zoo edge.
import { test } from "node:test";
import assert from "node:assert/strict";
import { f32 } from "../../src/graph/tensor.ts";
import type { Layer, Net } from "../../src/net/net.ts";
import { runNet } from "../../src/net/run.ts";
import { probe } from "../../src/passes/probe.ts";
import { convAbsPairs } from "../../src/recover/conv-abs.ts";
import { buildProgram } from "../../src/program/build.ts";
import { allPrimStmts } from "../../src/program/program.ts";
import { runProgram } from "../../src/program/run.ts";
import { randn, rng } from "../../src/util/rng.ts";
import { findCase } from "../../zoo/cases/index.ts";
import { explainCase } from "./helpers.ts";

const base = { dtype: "float32" as const };

/** conv (pairs K_q, -K_q at shuffled channels, each scaled, plus `extra` unpaired channels) -> relu -> reader. */
function pairNet(pairs: number, extra: number, seed: number, reader: "dense" | "conv", unequal = false): Net {
  const u = rng(seed);
  const F = 2 * pairs + extra, H = 6, W = 6, k = 9;
  const order = Array.from({ length: F }, (_, i) => i).sort(() => u() - 0.5);
  const w = new Float32Array(F * k), b = new Float32Array(F), scale: number[] = new Array(F);
  for (let q = 0; q < pairs + extra; q++) {
    const K = Array.from({ length: k }, () => randn(u)), bias = 0.1 * randn(u);
    const chans = q < pairs ? [[order[2 * q], 1], [order[2 * q + 1], -1]] : [[order[2 * pairs + q - pairs], 1]];
    for (const [ch, sign] of chans) {
      const s = 0.3 + 3 * u();
      scale[ch] = s;
      for (let t = 0; t < k; t++) w[ch * k + t] = sign * s * K[t];
      b[ch] = sign * s * bias;
    }
  }
  const layers: Layer[] = [
    { kind: "conv", id: "c1", inputs: ["x"], shape: [F, H, W], origin: [], ...base, weight: w, bias: b, outChannels: F, inChannels: 1, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], groups: 1 },
    { kind: "act", fn: "relu", id: "r1", inputs: ["c1"], shape: [F, H, W], origin: [], ...base },
  ];
  // Reader weight of channel ch: c_q / scale[ch] (so both halves of a pair are read alike, up to the scale).
  const coef = Array.from({ length: F }, () => 0.5 + u());
  for (let q = 0; q < pairs; q++) coef[order[2 * q + 1]] = coef[order[2 * q]] * (unequal && q === 0 ? 2 : 1);
  if (reader === "conv") {
    const w2 = new Float32Array(2 * F);
    for (let o = 0; o < 2; o++) for (let ch = 0; ch < F; ch++) w2[o * F + ch] = (o + 1) * coef[ch] / scale[ch];
    layers.push({ kind: "conv", id: "c2", inputs: ["r1"], shape: [2, H, W], origin: [], ...base, weight: w2, bias: new Float32Array(2), outChannels: 2, inChannels: F, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], groups: 1 });
    layers.push({ kind: "reshape", id: "flat", inputs: ["c2"], shape: [2 * H * W], origin: [], ...base });
  } else {
    const n = F * H * W, m = 5;
    const W2 = new Float32Array(m * n);
    for (let o = 0; o < m; o++) for (let ch = 0; ch < F; ch++) for (let p = 0; p < H * W; p++) W2[o * n + ch * H * W + p] = coef[ch] / scale[ch] * ((o * 7 + p) % 5 - 2);
    layers.push({ kind: "reshape", id: "flat", inputs: ["r1"], shape: [n], origin: [], ...base });
    layers.push({ kind: "affine", id: "fc", inputs: ["flat"], shape: [m], origin: [], ...base, W: W2, b: new Float32Array(m), inFeatures: n, outFeatures: m });
  }
  return { inputs: [{ name: "x", dtype: "float32", shape: [1, H, W], batchDim: "N" }], layers, outputs: [{ name: "y", from: layers[layers.length - 1].id }] };
}

function check(net: Net, exact = true) {
  const u = rng(9);
  const x = f32([64, 1, 6, 6], Float32Array.from({ length: 64 * 36 }, () => u()));
  const { stats } = probe({ net, data: { x } });
  const r = buildProgram(net, { stats, ...(exact ? { exact: true } : {}) });
  const want = runNet(net, { x }).outputs.y.data, got = runProgram(r.program, [x])[0].data;
  let err = 0, top = 0;
  for (let i = 0; i < want.length; i++) { err = Math.max(err, Math.abs(Number(want[i]) - Number(got[i]))); top = Math.max(top, Math.abs(Number(want[i]))); }
  const abs = allPrimStmts(r.program).filter(({ stmt }) => stmt.prim.kind === "conv" && stmt.prim.params.act?.fn === "abs");
  return { r, err, top, abs, stats };
}

for (const [pairs, extra, seed, reader] of [[2, 0, 1, "dense"], [3, 1, 2, "dense"], [1, 2, 3, "conv"], [4, 0, 4, "conv"]] as const) {
  test(`${pairs} channel pair(s) + ${extra} unpaired, ${reader} reader (seed ${seed}): abs(conv) with ${pairs} filters, exact`, () => {
    const { r, err, top, abs } = check(pairNet(pairs, extra, seed, reader));
    assert.equal(abs.length, 1, JSON.stringify(r.report.statements));
    const st = abs[0].stmt;
    assert.ok(st.prim.kind === "conv" && st.prim.params.weight.shape[0] === pairs);
    assert.equal(r.report.convAbs?.[0].unpaired.length, extra);
    assert.ok(err <= 2e-6 * (1 + top), `max error ${err}`);
  });
}

for (const reader of ["dense", "conv"] as const) {
  test(`pairs off by weight noise (1e-4), ${reader} reader, --exact: abs named, the mismatch kept as explicit units, exact`, () => {
    const net = pairNet(2, 1, 6, reader);
    const u = rng(11);
    for (const l of net.layers) {
      if (l.kind === "conv") l.weight.forEach((w, i) => (l.weight[i] = w * (1 + 1e-4 * (2 * u() - 1))));
      if (l.kind === "affine") l.W.forEach((w, i) => (l.W[i] = w * (1 + 1e-4 * (2 * u() - 1))));
    }
    const { r, err, top, abs } = check(net);
    assert.equal(abs.length, 1, JSON.stringify(r.report.statements));
    assert.ok(err <= 2e-6 * (1 + top), `max error ${err}`);
  });
}

test("a pair read with different weights is not abs: the Net stays as it is", () => {
  const net = pairNet(2, 0, 5, "dense", true);
  const { stats } = probe({ net, data: { x: f32([16, 1, 6, 6], new Float32Array(16 * 36).fill(0.5)) } });
  assert.equal(convAbsPairs(net, { stats, exact: true }), undefined);
});

test("zoo edge, all obfuscations and conv2dense alone: act:abs found beside the conv, at the program's fidelity", async () => {
  const e = await explainCase(findCase("edge")!, 1, ["conv2dense"]);
  assert.ok(e.sigs.has("act:abs") && e.sigs.has("conv"), e.text);
  // All obfuscations: the weight noise moves the outputs by more than the default tolerance, so carve keeps its
  // fit's residual (abs needs the noise gone); the program is within the budget (the budgeted near-parallel merge of
  // split copies spends some of it, and says what: program.json budget); a tolerance that covers it names abs.
  const all = await explainCase(findCase("edge")!, 1);
  assert.ok(all.sigs.has("conv"), all.text);
  const b = all.program.budget!;
  assert.ok(all.fidelity.maxAbsErr <= b.tolerance, `within the budget: ${all.fidelity.maxAbsErr} vs ${b.tolerance}`);
  assert.ok(b.steps.every((e) => e.total <= b.limit), JSON.stringify(b.steps));
  const loose = await explainCase(findCase("edge")!, 1, undefined, { tolerance: 0.1 });
  assert.ok(loose.sigs.has("act:abs") && loose.sigs.has("conv"), loose.text);
  assert.ok(loose.fidelity.maxAbsErr <= 0.1, `${loose.fidelity.maxAbsErr}`);
});

test("a conv carve left with its fit residual (a noisy dense layer): abs read on conv + residual, exact", async () => {
  const { carveConvs } = await import("../../src/recover/carve-conv.ts");
  const { toeplitzRow } = await import("../../src/recover/carve-residual.ts");
  for (const [pairs, extra, seed] of [[2, 0, 21], [2, 1, 22]] as const) {
    const conv = pairNet(pairs, extra, seed, "dense");
    const c = conv.layers[0], fc = conv.layers[3];
    assert.ok(c.kind === "conv" && fc.kind === "affine");
    if (c.kind !== "conv" || fc.kind !== "affine") return;
    // The conv written as dense rows (conv output order), then noise on every weight, as the zoo's conv2dense + noise.
    const F = c.outChannels, HW = 36, u = rng(seed);
    const fit = { grid: { c: 1, h: 6, w: 6 }, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], outH: 6, outW: 6, weight: c.weight, bias: c.bias } as never;
    const W = new Float32Array(F * HW * 36), b = new Float32Array(F * HW);
    for (let p = 0; p < F * HW; p++) {
      toeplitzRow(fit, p).forEach((v, i) => (W[p * 36 + i] = v + 1e-4 * randn(u)));
      b[p] = c.bias[Math.floor(p / HW)] + 1e-4 * randn(u);
    }
    const layers: Layer[] = [
      { kind: "reshape", id: "flat0", inputs: ["x"], shape: [36], origin: [], ...base },
      { kind: "affine", id: "fc1", inputs: ["flat0"], shape: [F * HW], origin: [], ...base, W, b, inFeatures: 36, outFeatures: F * HW },
      { kind: "act", fn: "relu", id: "r1", inputs: ["fc1"], shape: [F * HW], origin: [], ...base },
      { ...fc, inputs: ["r1"] },
    ];
    const dense: Net = { ...conv, layers, outputs: [{ name: "y", from: "fc" }] };
    const carved = carveConvs(dense, { keepResidual: true });
    assert.ok(carved.carved[0]?.residualKept, JSON.stringify(carved.kept));
    const x = f32([64, 1, 6, 6], Float32Array.from({ length: 64 * 36 }, () => u()));
    const { stats } = probe({ net: carved.net, data: { x } });
    const r = convAbsPairs(carved.net, { stats, exact: true });
    assert.ok(r, "abs read");
    assert.equal(r!.reports[0].pairs.length, pairs);
    assert.ok(r!.net.layers.some((l) => l.kind === "act" && l.fn === "abs"));
    const want = runNet(dense, { x }).outputs.y.data, got = runNet(r!.net, { x }).outputs.y.data;
    let err = 0, top = 0;
    for (let i = 0; i < want.length; i++) { err = Math.max(err, Math.abs(Number(want[i]) - Number(got[i]))); top = Math.max(top, Math.abs(Number(want[i]))); }
    assert.ok(err <= 2e-6 * (1 + top), `max error ${err}`);
  }
});
