// Skip connections read back from a carved conv (src/recover/carve-skip.ts) and weights on provably-zero inputs
// left free in the conv fit (dense-to-conv.ts): an edge detector written as dense layers loses its border units
// to always-on (relu(z) = z over the box, made a skip from the image) and dead-units, so the second dense layer
// reads the image as well as the ReLU layer and misses the dead positions' columns. Carve reads the skip from the
// conv's identity positions and fits the 1x1 channel sum with the dead columns free: both layers are convs, and
// the carved Net equals the Net before carve over the box. Other seeds and a permutation of the units too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runExplain } from "../../src/pipeline/explain.ts";
import { domainFlag } from "../../zoo/case.ts";
import { findCase } from "../../zoo/cases/index.ts";
import { generateCase } from "../../zoo/generate.ts";
import type { ObfuscationName } from "../../zoo/obfuscate.ts";
import { fitConv } from "../../src/recover/dense-to-conv.ts";
import { absorbSkips, type CarvedValues } from "../../src/recover/carve-skip.ts";
import type { ActLayer, AffineLayer, ConcatLayer, ConvLayer, Layer, Net, ReshapeLayer } from "../../src/net/net.ts";
import { runNet } from "../../src/net/run.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { rng } from "../../src/util/rng.ts";

async function carveEdge(seed: number, obf: ObfuscationName[]) {
  const def = findCase("edge")!;
  const g = generateCase(def, seed, obf);
  return runExplain({ model: g.model, name: "edge", domain: domainFlag(def.domain)!, exact: true }, { until: "carve" });
}

for (const [seed, obf] of [[1, ["conv2dense"]], [2, ["conv2dense"]], [3, ["conv2dense", "permute", "rescale"]]] as [number, ObfuscationName[]][]) {
  test(`edge as dense layers (seed ${seed}, ${obf.join("+")}): the skip from always-on units is read from the conv, and both layers carve`, async () => {
    const s = await carveEdge(seed, obf);
    const convs = s.net!.layers.filter((l): l is ConvLayer & Layer => l.kind === "conv");
    assert.equal(convs.length, 2, s.net!.layers.map((l) => `${l.id}:${l.kind}`).join(" "));
    assert.deepEqual(convs[1].kernel, [1, 1]);
    // No dense layer is left, and nothing reads the input but the first conv.
    assert.ok(!s.net!.layers.some((l) => l.kind === "affine"), s.net!.layers.map((l) => `${l.id}:${l.kind}`).join(" "));
    const rep = s.reports.find((r) => r.pass === "carve")!;
    assert.ok(rep.details!.some((d) => /skip connection from the layer's input read from the conv in (\d+) of \1 row/.test(d)), rep.details!.join("\n"));
    assert.ok(rep.details!.some((d) => /weight\(s\) on inputs that are 0 over the box left free/.test(d)), rep.details!.join("\n"));
    // Exact: the carve's change is at rounding level, and certified so over the box.
    assert.ok(s.carve!.maxAbsErr <= 1e-5 * 8, `${s.carve!.maxAbsErr}`);
    assert.ok(s.carve!.certifiedMaxErr !== undefined && s.carve!.certifiedMaxErr <= 1e-4, `${s.carve!.certifiedMaxErr}`);
  });
}

test("fitConv: a NaN weight is free (its input is 0): the shared kernel is found and the residual ignores it", () => {
  // A 1x1 conv summing 3 channels of a 3x3 image, with some channel columns of border rows free.
  const g = { c: 3, h: 3, w: 3 }, n = 27;
  const W = new Float32Array(9 * n), b = new Float32Array(9).fill(0.5);
  const k = [1, -2, 0.5];
  for (let p = 0; p < 9; p++) for (let c = 0; c < 3; c++) W[p * n + c * 9 + p] = k[c];
  const free = Float32Array.from(W);
  for (const p of [0, 2, 6]) free[p * n + 1 * 9 + p] = NaN;
  // Zero there instead (what dead-units leaves) is not a conv ...
  const zeroed = Float32Array.from(free, (v) => (Number.isNaN(v) ? 0 : v));
  const bad = fitConv(zeroed, b, 9, g, { tol: 1e-6 });
  assert.ok(!bad.ok || bad.fit.residual.rel > 1e-6 || bad.fit.outChannels > 1, JSON.stringify(bad.ok ? bad.fit.residual : bad));
  // ... free, it is exactly one.
  const r = fitConv(free, b, 9, g, { tol: 1e-6 });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.fit.outChannels, 1);
  assert.deepEqual(r.fit.kernel, [1, 1]);
  assert.ok(r.fit.residual.rel <= 1e-7, JSON.stringify(r.fit.residual));
  const s = r.fit.scale[0];
  assert.deepEqual(Array.from(r.fit.weight, (v) => Math.round((v * s) * 1e6) / 1e6), k);
});

test("absorbSkips: a skip equal to identity positions' rows moves onto the conv's output; one that is not stays", () => {
  // conv 1 -> 1 channel, 3x1 kernel [1, 2, 1] vertically, pad 1, on a 4x4 image in [0, 1]: every position >= 0
  // over the box, so relu is the identity everywhere. The reader reads relu(conv) and a skip from the image.
  const H = 4, n = H * H;
  const fit = { grid: { c: 1, h: H, w: H }, outChannels: 1, kernel: [3, 1] as [number, number], strides: [1, 1] as [number, number], pads: [1, 0, 1, 0] as [number, number, number, number], dilations: [1, 1] as [number, number], outH: H, outW: H, weight: f32([1, 1, 3, 1], [1, 2, 1]).data as Float32Array, bias: new Float32Array([0.25]), place: new Int32Array(0), scale: new Float64Array(0), explained: 0, residual: { rel: 0, maxAbs: 0 }, coverage: 1 };
  const base = { dtype: "float32" as const, origin: [] as string[] };
  const toeplitz = (q: number) => { const r = new Float64Array(n); const y = Math.floor(q / H), x = q % H; for (let i = 0; i < 3; i++) { const yy = y - 1 + i; if (yy >= 0 && yy < H) r[yy * H + x] = [1, 2, 1][i]; } return r; };
  // Reader rows: 0 reads 3 x position 5's row through the skip (in the span of the positions touching it); 1 reads
  // pixels 0 and 1 (a horizontal pair: the vertical kernel rows touching them cannot make it).
  const out = 2;
  const Wimg = new Float32Array(out * n), Wskip = new Float32Array(out * n);
  const t5 = toeplitz(5);
  for (let i = 0; i < n; i++) Wskip[i] = 3 * t5[i];
  Wskip[n + 0] = 1; Wskip[n + 1] = 1;
  Wimg[7] = 1; Wimg[n + 9] = -1;
  const W = new Float32Array(out * 2 * n);
  for (let r = 0; r < out; r++) { W.set(Wimg.subarray(r * n, (r + 1) * n), r * 2 * n); W.set(Wskip.subarray(r * n, (r + 1) * n), r * 2 * n + n); }
  const layers: Layer[] = [
    { kind: "reshape", id: "flat_x", inputs: ["x"], shape: [n], ...base } as ReshapeLayer & Layer,
    { kind: "conv", id: "c", inputs: ["x"], shape: [1, H, H], ...base, weight: fit.weight, bias: fit.bias, outChannels: 1, inChannels: 1, kernel: [3, 1], strides: [1, 1], pads: [1, 0, 1, 0], dilations: [1, 1], groups: 1 } as ConvLayer & Layer,
    { kind: "act", id: "a", fn: "relu", inputs: ["c"], shape: [1, H, H], ...base } as ActLayer & Layer,
    { kind: "reshape", id: "c.flat", inputs: ["a"], shape: [n], ...base } as ReshapeLayer & Layer,
    { kind: "concat", axis: 0, id: "r.in", inputs: ["c.flat", "flat_x"], shape: [2 * n], ...base } as ConcatLayer & Layer,
    { kind: "affine", id: "r", inputs: ["r.in"], shape: [out], ...base, W, b: new Float32Array([0.1, -0.2]), inFeatures: 2 * n, outFeatures: out } as AffineLayer & Layer,
  ];
  const net: Net = { inputs: [{ name: "x", shape: [1, H, H], dtype: "float32" }], layers, outputs: [{ name: "y", from: "r" }] } as unknown as Net;
  const v: CarvedValues = { fit, src: "flat_x", act: "relu", flat: "c.flat", value: "c.flat" };
  const lower = new Float64Array(n).fill(0.25);
  const { net: after, absorbed } = absorbSkips(net, v, () => lower);
  assert.deepEqual(absorbed, [{ reader: "r", rows: 1, of: 2, skipLeft: true }]);
  // Same function on random points of the box.
  const u = rng(5), rows = 64;
  const x = f32([rows, 1, H, H], Array.from({ length: rows * n }, () => u()));
  const y0 = runNet(net, { x }, { keep: [] }).outputs.y.data, y1 = runNet(after, { x }, { keep: [] }).outputs.y.data;
  for (let i = 0; i < y0.length; i++) assert.ok(Math.abs(Number(y0[i]) - Number(y1[i])) <= 1e-5, `${i}: ${y0[i]} vs ${y1[i]}`);
  // Row 0 now reads position 5 of the conv with weight 3 and nothing from the image; its bias pays 3 x 0.25.
  const r = after.layers.find((l) => l.id === "r") as AffineLayer & Layer;
  const w = r.inFeatures;
  assert.ok(Math.abs(r.W[5] - 3) <= 1e-5 && Math.abs(r.b[0] - (0.1 - 0.75)) <= 1e-5, `${r.W[5]} ${r.b[0]}`);
  for (let i = n; i < w; i++) assert.ok(Math.abs(r.W[i]) <= 1e-6, `row 0 skip ${i}: ${r.W[i]}`);
  // Nothing is identity where the lower bound is negative: no position to read, nothing moves.
  assert.deepEqual(absorbSkips(net, v, () => new Float64Array(n).fill(-1)).absorbed, []);
});

test("free weights are a fallback: a layer that is exactly a conv carves the same when some inputs are 0 on every row", async () => {
  const { denseConvNet } = await import("./conv-nets.ts");
  const { carveConvs } = await import("../../src/recover/carve-conv.ts");
  const sp = { c: 1, h: 8, w: 8, oc: 3, kh: 3, kw: 3, stride: [1, 1] as [number, number], pads: [1, 1, 1, 1] as [number, number, number, number], dil: [1, 1] as [number, number] };
  const net = denseConvNet(sp, 3, { permute: true, rescale: true });
  // Rows whose border pixels are always 0 (as MNIST's are): with those weights free, rows near the border could be
  // placed at several windows; the exact fit of the weights as they are is kept.
  const u = rng(2), n = 40;
  const x = f32([n, 1, 8, 8], Array.from({ length: n * 64 }, (_, i) => { const p = i % 64, y = Math.floor(p / 8), c = p % 8; return y === 0 || c === 0 || y === 7 ? 0 : u(); }));
  const plain = carveConvs(net, {});
  const withRows = carveConvs(net, { evidence: { kind: "rows", rows: [{ img: x }] } });
  assert.equal(plain.carved.length, 1);
  assert.equal(withRows.carved[0].freeWeights, undefined);
  assert.deepEqual(withRows.carved[0].kernel, plain.carved[0].kernel);
  assert.equal(withRows.carved[0].explained, plain.carved[0].explained);
  assert.ok(withRows.carved[0].residual.rel <= 1e-6, JSON.stringify(withRows.carved[0].residual));
});

test("edge as dense layers explained from data (no box): the same carve, on every row of the data as the evidence", async () => {
  const def = findCase("edge")!;
  const g = generateCase(def, 1, ["conv2dense"]);
  const data = f32([g.points.length, ...def.inputShape], g.points.flat());
  const s = await runExplain({ model: g.model, name: "edge", data: [data], dataLabel: "points", exact: true }, { until: "carve" });
  assert.equal(s.net!.layers.filter((l) => l.kind === "conv").length, 2);
  const rep = s.reports.find((r) => r.pass === "carve")!;
  assert.ok(rep.details!.some((d) => /identity on every row of the data/.test(d)) && rep.details!.some((d) => /0 on every row of the data left free/.test(d)), rep.details!.join("\n"));
  assert.ok(s.carve!.maxAbsErr <= 1e-5 * 8, `${s.carve!.maxAbsErr}`);
});
