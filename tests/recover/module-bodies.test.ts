// The slice rules inside module functions (src/recover/module-bodies.ts): copies of one (min, max) function side
// by side, their units interleaved, rescaled and permuted, become one function called per copy whose body is
// `sort(x0, x1)`; output rows that mix copies keep the functions unnamed; small weights across copies stay
// exactly in main (`y_cross`); and zoo repeat4 / twofns name their primitives inside their functions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { f32 } from "../../src/graph/tensor.ts";
import type { Layer, Net } from "../../src/net/net.ts";
import { runNet } from "../../src/net/run.ts";
import { probe } from "../../src/passes/probe.ts";
import { buildProgram } from "../../src/program/build.ts";
import { allPrimStmts, type Program } from "../../src/program/program.ts";
import { runProgram } from "../../src/program/run.ts";
import { absorbOutputRows } from "../../src/recover/module-bodies.ts";
import { dropResidual, residualSites } from "../../src/program/drop-residual.ts";
import { parseProgram, stringifyProgram } from "../../src/program/json.ts";
import { buildModuleProgram } from "../../src/program/build-modules.ts";
import { rng } from "../../src/util/rng.ts";
import { findCase } from "../../zoo/cases/index.ts";
import { explainCase } from "./helpers.ts";

/** k copies of (min, max) of a pair, over x[2i], x[2i+1]: units relu(b-a), relu(a-b), relu(a), relu(-a), each
 *  rescaled, all permuted; outputs [min_0, max_0, min_1, max_1, ...] (or given rows mixing copies).
 *  max(a, b) = relu(a) - relu(-a) + relu(b - a);  min(a, b) = relu(a) - relu(-a) - relu(a - b). */
function pairs(k: number, seed: number, cross = 0): Net {
  const u = rng(seed);
  const n = 2 * k, h = 4 * k;
  const perm = Array.from({ length: h }, (_, i) => i).sort(() => u() - 0.5);
  const W1 = new Float32Array(h * n), b1 = new Float32Array(h), W2 = new Float32Array(n * h);
  const rows = [[-1, 1], [1, -1], [1, 0], [-1, 0]];
  const outs = [[0, -1, 1, -1], [1, 0, 1, -1]]; // min, max over the four units
  for (let c = 0; c < k; c++) {
    for (let r = 0; r < 4; r++) {
      const j = perm[4 * c + r], s = 0.25 + u() * 4;
      W1[j * n + 2 * c] = s * rows[r][0];
      W1[j * n + 2 * c + 1] = s * rows[r][1];
      for (let o = 0; o < 2; o++) W2[(2 * c + o) * h + j] = outs[o][r] / s;
    }
  }
  if (cross) for (let i = 0; i < W2.length; i++) if (W2[i] === 0) W2[i] = cross * (u() - 0.5);
  const base = { dtype: "float32" as const };
  const layers: Layer[] = [
    { kind: "affine", id: "fc1", inputs: ["x"], shape: [h], origin: ["fc1"], ...base, W: W1, b: b1, inFeatures: n, outFeatures: h },
    { kind: "act", fn: "relu", id: "relu1", inputs: ["fc1"], shape: [h], origin: ["relu1"], ...base },
    { kind: "affine", id: "fc2", inputs: ["relu1"], shape: [n], origin: ["fc2"], ...base, W: W2, b: new Float32Array(n), inFeatures: h, outFeatures: n },
  ];
  return { inputs: [{ name: "x", dtype: "float32", shape: [n], batchDim: "N" }], layers, outputs: [{ name: "y", from: "fc2" }] };
}

function build(net: Net, opts: { exact?: boolean; tolerance?: number } = {}) {
  const n = net.inputs[0].shape[0];
  const u = rng(4);
  const x = f32([300, n], Float32Array.from({ length: 300 * n }, () => u() * 2 - 1));
  const { stats } = probe({ net, data: { x } });
  const r = buildProgram(net, { stats, box: { lo: -1, hi: 1 }, modules: true, ...opts });
  const want = runNet(net, { x }).outputs.y.data, got = runProgram(r.program, [x])[0].data;
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(Number(want[i]) - Number(got[i])));
  return { ...r, err };
}

const kinds = (p: Program, fn: string) => allPrimStmts(p).filter((s) => s.fn.name === fn).map((s) => s.stmt.prim.kind);

for (const [k, seed] of [[3, 1], [4, 7], [5, 2]]) {
  test(`${k} copies of (min, max) (seed ${seed}): one function called ${k} times, its body sort(x0, x1), exact`, () => {
    const r = build(pairs(k, seed), { exact: true });
    const main = r.program.functions[0];
    const calls = main.body.filter((s) => s.kind === "call");
    assert.equal(calls.length, k);
    const fn = calls[0].kind === "call" ? calls[0].fn : "";
    assert.ok(calls.every((c) => c.kind === "call" && c.fn === fn));
    assert.ok(kinds(r.program, fn).includes("sort"), kinds(r.program, fn).join(","));
    assert.ok(r.report.bodies?.some((b) => b.fn === fn && b.absorbed));
    assert.ok(r.err < 1e-5, `max error ${r.err}`);
  });
}

test("small weights across copies stay in main exactly (y_cross); the functions are still named", () => {
  const r = build(pairs(3, 5, 2e-4), { tolerance: 1e-2 });
  const main = r.program.functions[0];
  const fn = main.body.find((s) => s.kind === "call");
  assert.ok(fn && fn.kind === "call");
  assert.ok(kinds(r.program, fn.fn).includes("sort"));
  assert.ok(main.body.some((s) => s.kind === "prim" && s.out.name === "y_cross"));
  assert.ok(r.err < 1e-5, `max error ${r.err}`);
});

test("dropping y_cross (a `rest` statement) removes it, the values only it read and the functions' extra outputs; the rest computes y_rows", () => {
  const r = build(pairs(3, 5, 2e-4), { tolerance: 1e-2 });
  const sites = residualSites(r.program).filter((s) => s.residual === "y_cross");
  assert.equal(sites.length, 1);
  const x = f32([50, 6], Float32Array.from({ length: 300 }, (_, i) => Math.sin(i * 1.7)));
  // What the program computes without y_cross: the same program returning y_rows.
  const main = r.program.functions[0];
  const rowsOnly = { ...r.program, functions: [{ ...main, returns: ["y_rows"] }, ...r.program.functions.slice(1)] };
  const want = runProgram(rowsOnly, [x])[0].data;
  const d = dropResidual(r.program, sites[0]);
  assert.deepEqual([...runProgram(d, [x])[0].data], [...want]);
  const dmain = d.functions[0];
  assert.ok(!dmain.body.some((s) => s.kind === "prim" && (s.rest || s.out.name === "y_cross")));
  assert.equal(residualSites(d).filter((s) => s.residual === "y_cross").length, 0);
  // Each call now returns its output rows only: the hidden units the cross weights read are gone from the callee.
  for (const c of dmain.body) if (c.kind === "call" && !/residual/.test(c.fn)) assert.equal(c.outs.length, 1, JSON.stringify(c.outs));
  const callee = d.functions.find((f) => dmain.body.some((c) => c.kind === "call" && c.fn === f.name))!;
  assert.equal(callee.returns.length, 1);
  const read = new Set(callee.body.flatMap((s) => s.args));
  for (const s of callee.body) if (s.kind === "prim") assert.ok(read.has(s.out.name) || callee.returns.includes(s.out.name), `dead ${s.out.name} left in ${callee.name}`);
  // The original program is unchanged; program.json keeps the `rest` mark, so the site survives a round trip.
  assert.ok(main.body.some((s) => s.kind === "prim" && s.out.name === "y_cross"));
  assert.deepEqual(residualSites(parseProgram(stringifyProgram(r.program))), residualSites(r.program));
});

test("absorbOutputRows: rows split by call move into the function; a row reading two calls leaves the program as it is", () => {
  const m = buildModuleProgram(pairs(2, 3));
  assert.ok("program" in m);
  const main = m.program.functions[0];
  assert.ok(absorbOutputRows(m.program), "clean copies: absorbed");
  const y = main.body[main.body.length - 1];
  assert.ok(y.kind === "prim" && y.prim.kind === "affine");
  const W = y.prim.params.W, n = W.shape[1];
  for (let c = 0; c < n; c++) W.data[c] = 0.5; // row 0 reads every unit of both calls
  assert.equal(absorbOutputRows(m.program), undefined);
});

for (const name of ["repeat4", "twofns"]) {
  test(`zoo ${name} (interleave): primitives named inside its repeated function`, async () => {
    const e = await explainCase(findCase(name)!, 1, ["interleave"]);
    const calls = e.program.functions[0].body.filter((s) => s.kind === "call");
    assert.ok(calls.length >= 2, e.text);
    assert.ok(e.sigs.has("sort") || e.sigs.has("min"), e.text);
    if (name === "twofns") assert.ok(e.sigs.has("act:abs"), e.text);
    assert.ok(e.fidelity.maxAbsErr < 1e-5, `${e.fidelity.maxAbsErr}`);
  });
}
