// Repeated code over different inputs becomes one function called per input (src/program/repeat-calls.ts): the
// folded program computes what the flat one did in the interpreter, onnxruntime (reconstructed.onnx) and program.ts;
// windows whose weights differ are not folded (that is the printer's loop view), nor windows that chain.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { foldRepeatedCalls } from "../../src/program/repeat-calls.ts";
import { runProgram } from "../../src/program/run.ts";
import { emitOnnx } from "../../src/program/emit-onnx.ts";
import { emitTs } from "../../src/program/emit-ts.ts";
import { decodeModel } from "../../src/onnx/read.ts";
import { ortOutputs } from "../../src/verify/reference.ts";
import { runEmittedTs } from "../../src/verify/artifacts.ts";
import { f32 } from "../../src/graph/tensor.ts";
import type { PrimStmt, Program, Stmt } from "../../src/program/program.ts";
import { rng } from "../../src/util/rng.ts";

const vec = (n: number) => ({ kind: "vec" as const, n });
let pk = 0;
const none = { layers: [], weights: [] };
const pick = (out: string, src: string, idx: number[]): PrimStmt => ({ kind: "prim", out: { name: out, type: vec(idx.length) }, args: [src], prim: { kind: "pick", params: { indices: idx }, id: `p${++pk}`, slice: none, error: 0 } });
const W = Float32Array.from([0.5, -1, 2, 0.25, 1, 1]);
function affine(out: string, arg: string, w: Float32Array): PrimStmt {
  return { kind: "prim", out: { name: out, type: vec(3) }, args: [arg], prim: { kind: "affine", params: { W: { name: `W${++pk}`, shape: [3, 2], data: w }, b: { name: `b${pk}`, shape: [3], data: Float32Array.from([0, 0.5, -0.5]) }, act: { fn: "relu" } }, id: `p${++pk}`, slice: { layers: [{ id: `fc${pk}`, units: [0, 1, 2] }], weights: [] }, error: 0 } };
}

/** y = concat over k of relu(W x[2k..2k+1] + b) (same W for every k unless `vary`). */
function program(k: number, vary = false): Program {
  const body: Stmt[] = [];
  const outs: string[] = [];
  for (let i = 0; i < k; i++) {
    body.push(pick(`p${i}`, "x", [2 * i, 2 * i + 1]), affine(`h${i}`, `p${i}`, vary ? W.map((v) => v + i) : W));
    outs.push(`h${i}`);
  }
  body.push({ kind: "prim", out: { name: "y", type: vec(3 * k) }, args: outs, prim: { kind: "concat", params: { axis: 0 }, id: `p${++pk}`, slice: none, error: 0 } });
  return {
    name: "rep", entry: "main",
    inputs: [{ name: "x", dtype: "float32", shape: [2 * k], batchDim: "N" }],
    outputs: [{ name: "y", dtype: "float32", shape: [3 * k], batchDim: "N" }],
    functions: [{ name: "main", params: [{ name: "x", type: vec(2 * k) }], body, returns: ["y"] }],
  };
}

test("foldRepeatedCalls: 3 windows of the same code and weights become f1 called 3 times; every backend agrees", async () => {
  const p = program(3);
  const r = foldRepeatedCalls(p);
  assert.deepEqual(r.report.folded, [{ fn: "f1", calls: 3, width: 2 }]);
  const main = r.program.functions[0];
  const calls = main.body.filter((s) => s.kind === "call");
  assert.equal(calls.length, 3);
  assert.ok(calls.every((c) => c.kind === "call" && c.fn === "f1" && c.slice?.layers.length === 1));
  const u = rng(4);
  const x = f32([7, 6], Float32Array.from({ length: 42 }, () => u() * 4 - 2));
  const want = runProgram(p, [x])[0].data as Float32Array, got = runProgram(r.program, [x])[0].data as Float32Array;
  assert.deepEqual(Array.from(got), Array.from(want));
  const ort = await ortOutputs(decodeModel(emitOnnx(r.program)), [x]);
  ort[0].data.forEach((v, i) => assert.ok(Math.abs(Number(v) - Number(want[i])) <= 1e-5, `onnx ${i}`));
  const dir = mkdtempSync(path.join(tmpdir(), "pseudonet-repeat-"));
  writeFileSync(path.join(dir, "program.ts"), emitTs(r.program));
  assert.deepEqual(Array.from(runEmittedTs(path.join(dir, "program.ts"), [x], ["float32"])[0].data as Float32Array), Array.from(want));
});

test("foldRepeatedCalls: different weights in each window are not one function", () => {
  assert.equal(foldRepeatedCalls(program(3, true)).report.folded.length, 0);
});
