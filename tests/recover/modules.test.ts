// Modules: the Lanczos solver against Jacobi, spectral clustering on planted clusters, and the module builder on
// a net of side-by-side copies of one small function (units permuted and rescaled): one function, called per copy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { csrMul, jacobiEigen, lanczosTop } from "../../src/recover/eigen.ts";
import { toCsr } from "../../src/recover/module-graph.ts";
import { spectralClusters } from "../../src/recover/spectral.ts";
import { buildModuleProgram } from "../../src/program/build-modules.ts";
import { runProgram } from "../../src/program/run.ts";
import { runNet } from "../../src/net/run.ts";
import { f32 } from "../../src/graph/tensor.ts";
import type { Layer, Net } from "../../src/net/net.ts";
import { randn, rng } from "../../src/util/rng.ts";

test("lanczosTop finds the largest eigenpairs of a sparse symmetric matrix (as Jacobi does)", () => {
  const u = rng(3);
  const n = 40;
  const edges: [number, number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (u() < 0.15) edges.push([i, j, u()]);
  const a = toCsr(n, edges);
  const dense = Array.from({ length: n }, (_, i) => { const e = new Float64Array(n); e[i] = 1; const y = new Float64Array(n); csrMul(a, e, y); return y; });
  const want = jacobiEigen(dense).values.slice(0, 4);
  const got = lanczosTop(n, (x, y) => csrMul(a, x, y), 4).values;
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-8, `${v} vs ${want[i]}`));
});

test("spectralClusters splits planted clusters joined by weak edges, and picks k from the eigengap", () => {
  const u = rng(5);
  const sizes = [10, 12, 9];
  const edges: [number, number, number][] = [];
  let off = 0;
  const label: number[] = [];
  sizes.forEach((s, c) => {
    for (let i = 0; i < s; i++) { label.push(c); for (let j = i + 1; j < s; j++) if (u() < 0.6) edges.push([off + i, off + j, 0.5 + u()]); }
    off += s;
  });
  for (let k = 0; k < 4; k++) edges.push([Math.floor(u() * off), Math.floor(u() * off), 0.05]);
  const r = spectralClusters(toCsr(off, edges));
  assert.equal(r.k, 3);
  const map = new Map<number, number>();
  label.forEach((c, i) => { if (!map.has(c)) map.set(c, r.labels[i]); assert.equal(r.labels[i], map.get(c)); });
});

/** Two copies of f(p) = relu(A p + a) reading x[0..1] and x[2..3], units interleaved and rescaled, then a dense head. */
function twoCopies(): Net {
  const u = rng(8);
  const A = [[1, -1], [-1, 1], [1, 1]], a = [0, 0, -0.5];
  const W1 = new Float32Array(6 * 4), b1 = new Float32Array(6), s: number[] = [];
  for (let k = 0; k < 6; k++) {
    const copy = k % 2, row = Math.floor(k / 2), sc = 0.5 + u() * 2;
    s.push(sc);
    W1[k * 4 + 2 * copy] = sc * A[row][0];
    W1[k * 4 + 2 * copy + 1] = sc * A[row][1];
    b1[k] = sc * a[row];
  }
  const W2 = Float32Array.from({ length: 2 * 6 }, () => randn(u));
  const base = { dtype: "float32" as const };
  const layers: Layer[] = [
    { kind: "affine", id: "fc1", inputs: ["x"], shape: [6], origin: ["fc1"], ...base, W: W1, b: b1, inFeatures: 4, outFeatures: 6 },
    { kind: "act", fn: "relu", id: "relu1", inputs: ["fc1"], shape: [6], origin: ["relu1"], ...base },
    { kind: "affine", id: "fc2", inputs: ["relu1"], shape: [2], origin: ["fc2"], ...base, W: W2, b: new Float32Array(2), inFeatures: 6, outFeatures: 2 },
  ];
  return { inputs: [{ name: "x", dtype: "float32", shape: [4], batchDim: "N" }], layers, outputs: [{ name: "y", from: "fc2" }] };
}

test("buildModuleProgram: side-by-side copies of one function become one function called twice, same outputs", () => {
  const net = twoCopies();
  const u = rng(1);
  const x = f32([32, 4], Float32Array.from({ length: 128 }, () => u() * 2 - 1));
  const r = buildModuleProgram(net);
  assert.ok("program" in r, "a module program");
  assert.equal(r.report.modules, 2);
  assert.equal(r.report.functions, 1);
  const calls = r.program.functions[0].body.filter((s) => s.kind === "call");
  assert.equal(calls.length, 2);
  assert.ok(calls.every((c) => c.kind === "call" && c.fn === calls[0].fn));
  const want = runNet(net, { x }).outputs.y.data, got = runProgram(r.program, [x])[0].data;
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(Number(want[i]) - Number(got[i])) < 1e-5);
});

test("show opens the hierarchy level by level: a function, a call, and a statement through the call", async () => {
  const { expand } = await import("../../src/program/expand.ts");
  const r = buildModuleProgram(twoCopies());
  assert.ok("program" in r);
  const p = r.program;
  const call = p.functions[0].body.find((s) => s.kind === "call")!;
  assert.equal(call.kind, "call");
  if (call.kind !== "call") return;
  const fname = call.fn, v = call.outs[0].name;
  assert.match(expand(p, "main"), /^def main\(x: vec\[4\]\)/m);
  assert.match(expand(p, fname), new RegExp(`called by: main/`));
  assert.match(expand(p, `main/${v}`), /Net slice: fc1 \(units/);
  const inner = p.functions.find((f) => f.name === fname)!.body[0];
  const innerName = inner.kind === "prim" ? inner.out.name : inner.outs[0].name;
  assert.match(expand(p, `main/${v}/${innerName}`), new RegExp(`^via main/${v} -> ${fname}`));
  assert.match(expand(p, `main.${v}.${innerName}`), /primitive/);
  assert.throws(() => expand(p, `main/${v}/nope`), /no statement 'nope' in function/);
});

test("buildModuleProgram --exact: a weight below 1% joining the modules is not dropped at a cost above rounding level", async () => {
  const { probe } = await import("../../src/passes/probe.ts");
  const net = twoCopies();
  const fc1 = net.layers[0] as Layer & { W: Float32Array };
  fc1.W[0 * 4 + 2] = 0.002 * fc1.W[0]; // unit 0 (copy 0) also reads x[2] (copy 1's input), faintly
  const u = rng(2);
  const x = f32([64, 4], Float32Array.from({ length: 256 }, () => u() * 2 - 1));
  const { stats } = probe({ net, data: { x } });
  const budgeted = buildModuleProgram(net, { stats });
  assert.ok("program" in budgeted, "the default budget (1e-3 of max |y|) pays for dropping it");
  assert.ok(budgeted.report.relErr > 1e-6);
  const exact = buildModuleProgram(net, { stats, exact: true });
  assert.ok(!("program" in exact), "exact: the flat program");
  assert.match(exact.reason, /over the tolerance/);
});

test("dealSlots: m distinct slots, uniform over 0..slots-1 (sparse and dense regimes), seeded", async () => {
  const { dealSlots } = await import("../../src/recover/modules.ts");
  const { rng } = await import("../../src/util/rng.ts");
  for (const [m, slots] of [[3, 10], [9, 10], [10, 10], [0, 5], [500, 600]] as const) {
    const counts = new Float64Array(slots);
    const trials = 4000;
    const u = rng(m * 7 + slots);
    for (let t = 0; t < trials; t++) {
      const d = dealSlots(m, slots, u);
      assert.equal(d.length, m);
      assert.equal(new Set(d).size, m);
      for (const s of d) { assert.ok(s >= 0 && s < slots); counts[s]++; }
    }
    // each slot is taken with probability m / slots: within 5 standard deviations
    const p = m / slots, sd = Math.sqrt(trials * p * (1 - p));
    for (const c of counts) assert.ok(Math.abs(c - trials * p) <= 5 * sd + 1e-9, `m ${m} slots ${slots}: ${[...counts]}`);
  }
  assert.deepEqual(dealSlots(40, 50, rng(3)), dealSlots(40, 50, rng(3)));
  // the order is random too: the first dealt slot of a full deal is not always slot 0
  const firsts = new Set(Array.from({ length: 50 }, (_, i) => dealSlots(10, 10, rng(i + 1))[0]));
  assert.ok(firsts.size > 5);
});
