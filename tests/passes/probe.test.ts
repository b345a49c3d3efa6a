// probe: per-unit statistics equal a brute-force recount over runNet's activations (streamed in chunks or
// not), designed units are flagged constant / binary / never active, and the activation sample is exact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { f32, sizeOf, type Tensor } from "../../src/graph/tensor.ts";
import type { Layer, Net } from "../../src/net/net.ts";
import { normalize } from "../../src/graph/passes/index.ts";
import { lower } from "../../src/net/lower.ts";
import { runNet } from "../../src/net/run.ts";
import { unitAxes } from "../../src/net/ids.ts";
import { pickRows, probe, probePass } from "../../src/passes/probe.ts";
import { statsFor, unitStats } from "../../src/passes/stats.ts";
import { UserError } from "../../src/errors.ts";
import { rng } from "../helpers/rng.ts";
import { addAct, addDense, attr, GraphBuilder, i64, randomCNN, randomFeeds, randomMLP } from "../helpers/nets.ts";

/** Values of unit u of a layer output [rows, ...shape] along per-sample axis `axis`, by explicit indexing. */
function unitValues(t: Tensor, axis: number, u: number): number[] {
  const shape = t.shape;
  const out: number[] = [];
  const idx = new Array<number>(shape.length).fill(0);
  const data = t.data as ArrayLike<number>;
  for (let i = 0; i < data.length; i++) {
    let rem = i;
    for (let k = shape.length - 1; k >= 0; k--) {
      idx[k] = rem % shape[k];
      rem = Math.floor(rem / shape[k]);
    }
    if (idx[axis + 1] === u) out.push(data[i]);
  }
  return out;
}

function close(a: number, b: number, what: string): void {
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

test("probe statistics equal a brute-force recount, with and without chunking", () => {
  const model = randomCNN(rng(41), { input: [2, 6, 6], channels: [3], hidden: [5], classes: 3, batchNorm: true });
  const { net } = lower(normalize(model).model);
  const data = randomFeeds(rng(42), model, 37);
  const acts = runNet(net, data).activations;
  const axes = unitAxes(net);
  for (const chunk of [37, 8]) {
    const { stats } = probe({ net, data }, { chunk, sampleRows: 10 });
    assert.equal(stats.samples, 37);
    assert.equal(stats.layers.length, net.layers.length);
    for (const s of stats.layers) {
      const t = acts[s.layer];
      assert.equal(s.unitAxis, axes.get(s.layer));
      assert.equal(s.units, t.shape[s.unitAxis + 1]);
      for (let u = 0; u < s.units; u++) {
        const v = unitValues(t, s.unitAxis, u);
        const what = `${s.layer}:${u} (chunk ${chunk})`;
        assert.equal(s.count, v.length, what);
        const mean = v.reduce((a, x) => a + x, 0) / v.length;
        close(s.min[u], Math.min(...v), `${what} min`);
        close(s.max[u], Math.max(...v), `${what} max`);
        close(s.mean[u], mean, `${what} mean`);
        close(s.std[u], Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / v.length), `${what} std`);
        close(s.fracActive[u], v.filter((x) => x > 0).length / v.length, `${what} fracActive`);
        const distinct = new Set(v).size;
        assert.equal(s.constant[u], distinct === 1, `${what} constant`);
        assert.equal(s.binary[u], distinct === 2, `${what} binary`);
        assert.equal(s.neverActive[u], v.every((x) => x <= 0), `${what} neverActive`);
      }
    }
  }
});

test("designed units are flagged: dead, constant, binary", () => {
  // x in {-1, 1}^3; units: relu(-1) dead, relu(2) constant, relu(x0) binary, relu(x0 + x1 + x2) none of these.
  const W = f32([4, 3], [0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1]).data as Float32Array;
  const b = new Float32Array([-1, 2, 0, 0]);
  const base = { dtype: "float32" as const, origin: [] };
  const layers: Layer[] = [
    { ...base, id: "fc", inputs: ["x"], shape: [4], kind: "affine", W, b, inFeatures: 3, outFeatures: 4 },
    { ...base, id: "act", inputs: ["fc"], shape: [4], kind: "act", fn: "relu" },
  ];
  const net: Net = { inputs: [{ name: "x", dtype: "float32", shape: [3], batchDim: "N" }], layers, outputs: [{ name: "y", from: "act" }] };
  const r = rng(43);
  const rows = 64;
  const x = f32([rows, 3], Array.from({ length: rows * 3 }, () => (r() < 0.5 ? -1 : 1)));
  const { out, report } = probePass.run({ net, data: { x } });
  const s = statsFor(out.stats, "act")!;
  assert.deepEqual(s.neverActive, [true, false, false, false]);
  assert.deepEqual(s.constant, [true, true, false, false]);
  assert.deepEqual(s.binary, [false, false, true, false]);
  assert.deepEqual(unitStats(s, 1), { unit: "act:1", min: 2, max: 2, mean: 2, std: 0, fracActive: 1, constant: true, binary: false, neverActive: false });
  assert.match(report.summary, /probed 64 rows over 2 layers \(8 units\): 2 never active, 4 constant, 2 binary/);
});

test("the activation sample holds evenly spaced rows, exactly as runNet computes them", () => {
  const model = randomMLP(rng(44), [4, 6, 3]);
  const { net } = lower(normalize(model).model);
  const data = randomFeeds(rng(45), model, 100);
  const { stats } = probe({ net, data }, { sampleRows: 7, chunk: 30 });
  const rows = stats.sample.rows;
  assert.equal(rows.length, 7);
  assert.ok(rows.every((v, i) => i === 0 || v > rows[i - 1]) && rows[0] === 0 && rows[6] < 100);
  const want = runNet(net, { input: pickRows(data.input, rows) }).activations;
  for (const l of net.layers) assert.deepEqual(stats.sample.activations[l.id].data, want[l.id].data, l.id);
  assert.deepEqual(stats.sample.inputs.input.shape, [7, 4]);
  const small = probe({ net, data: { input: pickRows(data.input, [3, 4]) } }, { sampleRows: 512 });
  assert.deepEqual(small.stats.sample.rows, [0, 1]);
});

test("probe skips layers that are not per-sample and rejects inconsistent data", () => {
  const model = randomMLP(rng(46), [3, 4, 2]);
  const { net } = lower(model);
  // An opaque layer whose output is [3, N]: the batch is not on axis 0.
  const transposed: Layer = {
    kind: "opaque", perSample: false, reason: "test", opset: new Map([["", 13]]), id: "t", inputs: ["input"], shape: [-1], dtype: "float32", origin: [],
    graph: {
      name: "t", inputs: [{ name: "x", dtype: "float32", shape: null }], outputs: [{ name: "y", dtype: "float32", shape: null }],
      nodes: [{ name: "tr", op: "Transpose", domain: "", inputs: ["x"], outputs: ["y"], attrs: {} }], initializers: new Map(), valueInfo: [],
    },
  };
  const withT: Net = { ...net, layers: [...net.layers, transposed], outputs: [...net.outputs, { name: "t", from: "t" }] };
  const data = randomFeeds(rng(47), model, 5);
  const { stats } = probe({ net: withT, data });
  assert.deepEqual(stats.skipped.map((s) => s.layer), ["t"]);
  assert.equal(stats.layers.length, net.layers.length);
  assert.throws(() => probe({ net, data: {} }), UserError);
  assert.throws(() => probe({ net, data: { input: f32([0, 3], []) } }), /no rows/);
  assert.equal(sizeOf(stats.sample.inputs.input.shape), 15);
});

/** A net exported for batch 1 that bakes the 1 into a reshape inside an opaque part (as the quantized MNIST model
 *  does): it cannot run 2 rows at once. */
function batchOneNet(): { net: Net } {
  const r = rng(48);
  const b = new GraphBuilder("batch1");
  const x = b.input("input", [1, 2, 3]);
  const flat = b.node("", "Cos", [b.node("", "Reshape", [b.node("", "Sin", [x]), b.init("shape", i64([2], [1, 6]))])]);
  b.output(addAct(b, "/act", addDense(r, b, "/fc", flat, 6, 4, "gemm"), "relu"), "output", [1, 4]);
  return { net: lower(normalize(b.model(13)).model).net };
}

test("a fixed-batch net is probed that many rows at a time, its activation sample included", () => {
  const { net } = batchOneNet();
  const r = rng(49);
  const data = { input: f32([9, 2, 3], Array.from({ length: 54 }, () => r() * 2 - 1)) };
  assert.throws(() => runNet(net, data), "the net itself refuses 9 rows at once");
  const { stats } = probe({ net, data }, { sampleRows: 5 });
  assert.equal(stats.samples, 9);
  assert.equal(stats.sample.rows.length, 5);
  for (const l of net.layers) {
    const rows = stats.sample.rows.map((row) => runNet(net, { input: pickRows(data.input, [row]) }).activations[l.id]);
    assert.deepEqual([...(stats.sample.activations[l.id].data as Float32Array)], rows.flatMap((t) => [...(t.data as Float32Array)]), l.id);
  }
  // An explicit chunk larger than the fixed batch is the caller's choice, and fails the way the net does.
  assert.throws(() => probe({ net, data }, { chunk: 3 }));
});

test("data whose inputs share no batch axis is probed once, whole, as one sample", () => {
  // x [batch, 3] and a state p [2, batch, 3] (as GPT-2's past): y = relu(W (x + p[0] + p[1]) + b).
  const r = rng(50);
  const b = new GraphBuilder("past");
  const x = b.input("x", ["batch", 3]);
  const p = b.input("p", [2, "batch", 3]);
  const s = b.node("", "Add", [x, b.node("", "ReduceSum", [p], { axes: attr.ints([0]), keepdims: attr.int(0) })]);
  b.output(addAct(b, "/act", addDense(r, b, "/fc", s, 3, 4, "gemm"), "relu"), "y", ["batch", 4]);
  const model = b.model(13);
  const { net } = lower(normalize(model).model);
  const data = { x: f32([1, 3], [0.5, -1, 2]), p: f32([2, 1, 3], [1, 2, 3, -4, 0.5, 1]) };
  assert.throws(() => probe({ net, data }), /has 2 rows, 'x' has 1/);
  const { out, report } = probePass.run({ net, data, oneSample: true });
  assert.equal(out.stats.samples, 1);
  assert.deepEqual(out.stats.sample.rows, [0]);
  const want = runNet(net, data).activations;
  for (const l of out.stats.layers) assert.deepEqual(out.stats.sample.activations[l.layer].data, want[l.layer].data, l.layer);
  assert.match(report.summary, /probed the data as one sample \(its inputs share no batch axis\)/);
});
