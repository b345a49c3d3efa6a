// Repeated blocks in program.txt (print-loops.ts): a function with two runs of blocks of different widths (a
// ResNet's stages) prints each run as its own loop over its own block function; the interpreter runs the flat
// body, so the program's outputs are the same whatever the view.
import { test } from "node:test";
import assert from "node:assert/strict";
import { findRepeats } from "../../src/program/print-loops.ts";
import { printProgram } from "../../src/program/printer.ts";
import { runProgram } from "../../src/program/run.ts";
import { f32 } from "../../src/graph/tensor.ts";
import type { PrimStmt, Program, Stmt } from "../../src/program/program.ts";
import { rng } from "../../src/util/rng.ts";

const u = rng(11);
let wk = 0, pk = 0;
const vec = (n: number) => ({ kind: "vec" as const, n });
function affine(out: string, arg: string, nOut: number, nIn: number, relu: boolean): PrimStmt {
  const W = { name: `W${++wk}`, shape: [nOut, nIn], data: Float32Array.from({ length: nOut * nIn }, () => u() - 0.5) };
  const b = { name: `b${wk}`, shape: [nOut], data: Float32Array.from({ length: nOut }, () => u() - 0.5) };
  return { kind: "prim", out: { name: out, type: vec(nOut) }, args: [arg], prim: { kind: "affine", params: relu ? { W, b, act: { fn: "relu" } } : { W, b }, id: `p${++pk}`, slice: { layers: [], weights: [] }, error: 0 } };
}
const add = (out: string, a: string, b: string, n: number): PrimStmt => ({ kind: "prim", out: { name: out, type: vec(n) }, args: [a, b], prim: { kind: "add", params: {}, id: `p${++pk}`, slice: { layers: [], weights: [] }, error: 0 } });

/** h -> [relu(W h + b) -> W' . + b' -> + h] x k, for each (width, k) stage, with a widening affine between stages. */
function stages(spec: [number, number][]): Program {
  const body: Stmt[] = [];
  let cur = "x", n = 4, v = 0;
  for (const [w, k] of spec) {
    if (w !== n) { body.push(affine(`t${++v}`, cur, w, n, false)); cur = `t${v}`; n = w; }
    for (let i = 0; i < k; i++) {
      const a = `h${++v}`, c = `h${++v}`, s = `h${++v}`;
      body.push(affine(a, cur, n, n, true), affine(c, a, n, n, false), add(s, c, cur, n));
      cur = s;
    }
  }
  return {
    name: "stages", entry: "main",
    inputs: [{ name: "x", dtype: "float32", shape: [4], batchDim: "N" }],
    outputs: [{ name: "y", dtype: "float32", shape: [n], batchDim: "N" }],
    functions: [{ name: "main", params: [{ name: "x", type: vec(4) }], body, returns: [cur] }],
  };
}

test("findRepeats: two stages of residual blocks (widths 4 and 6) are two runs, each a loop over its own block", () => {
  const p = stages([[4, 3], [6, 2]]);
  const reps = findRepeats(p.functions[0]);
  assert.deepEqual(reps.map((r) => [r.width, r.count]), [[3, 3], [3, 2]]);
  const txt = printProgram(p);
  assert.match(txt, /for b in 0\.\.2: h = block1\(h, b\)/);
  assert.match(txt, /for b in 0\.\.1: state = block2\(state, b\)/);
  assert.match(txt, /^def block1\(h: vec\[4\], b: int\):/m);
  assert.match(txt, /^def block2\(state: vec\[6\], b: int\):/m);
  // Block b's weights are W1, W3, W5 (two a block): one template, W{2b+1}.
  assert.match(txt, /relu\(W\{2b\+1\} @ h \+ b\{2b\+1\}\)/);
  // The stage's last value feeds what follows the loop (the widening affine reads the first loop's variable), and
  // the function returns the second loop's.
  assert.match(txt, /t\d+ = W\d+ @ h \+ b\d+/);
  assert.match(txt, /^ {4}return state$/m);
});

test("findRepeats: one stage is one loop named block; no repeat, no loop; outputs do not depend on the view", () => {
  const one = stages([[4, 3]]);
  assert.equal(findRepeats(one.functions[0]).length, 1);
  assert.match(printProgram(one), /= block\(/);
  const none = stages([[4, 1], [6, 1]]);
  assert.equal(findRepeats(none.functions[0]).length, 0);
  const x = f32([5, 4], Float32Array.from({ length: 20 }, () => u() * 2 - 1));
  const y = runProgram(stages([[4, 3], [6, 2]]), [x])[0];
  assert.equal(y.shape[1], 6);
});
