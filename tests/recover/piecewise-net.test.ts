// Whole one-variable Nets (piecewise-net.ts): a ReLU MLP of one number is a piecewise-linear function, read exactly
// from the weights. When the short reading has arbitrary numbers and needs a residual beyond the budget, the exact
// reading (every breakpoint) replaces name + residual: a random 1-12-12-1 MLP and the TFLM sine MLP come out as one
// `piecewise` statement, exact over the box, with no residual function.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { f32 } from "../../src/graph/tensor.ts";
import { runModel } from "../../src/run/interp.ts";
import { readModel } from "../../src/onnx/read.ts";
import { runExplain } from "../../src/pipeline/explain.ts";
import { allPrimStmts } from "../../src/program/program.ts";
import { runProgram } from "../../src/program/run.ts";
import { rng } from "../../src/util/rng.ts";
import type { Model } from "../../src/graph/graph.ts";
import { randomMLP } from "../helpers/nets.ts";

/** The program and the model on a dense grid of [lo, hi]: max |difference| and the largest |model|. */
function denseCheck(model: Model, program: Parameters<typeof runProgram>[0], lo: number, hi: number): { err: number; scale: number } {
  const n = 4001, xs = f32([n, 1], Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1)));
  const y = Object.values(runModel(model, { [model.graph.inputs[0].name]: xs }))[0].data as Float32Array;
  const p = runProgram(program, [xs])[0].data as Float32Array;
  let err = 0, scale = 0;
  for (let i = 0; i < n; i++) { err = Math.max(err, Math.abs(y[i] - p[i])); scale = Math.max(scale, Math.abs(y[i])); }
  return { err, scale };
}

for (const exact of [false, true]) {
  test(`random 1-12-12-1 ReLU MLPs read as one exact piecewise statement, no residual${exact ? " (--exact)" : ""}`, async () => {
    for (const seed of [1, 2, 3]) {
      const model = randomMLP(rng(seed), [1, 12, 12, 1]);
      const s = await runExplain({ model, name: `pl${seed}`, domain: "box:-2,2", ...(exact ? { exact: true } : {}) }, { until: "verify" });
      const p = s.program!;
      const prims = allPrimStmts(p);
      assert.equal(p.functions.length, 1, `seed ${seed}: a residual function was kept`);
      const pw = prims.filter(({ stmt }) => stmt.prim.kind === "piecewise");
      assert.equal(pw.length, 1, `seed ${seed}`);
      const { err, scale } = denseCheck(model, p, -2, 2);
      assert.ok(err <= 1e-5 * Math.max(1, scale), `seed ${seed}: ${err}`);
    }
  });
}

const sine = join(import.meta.dirname, "..", "..", "..", "shared", "corpus", "models", "sine_mlp_tflm_hello_world", "model.onnx");
test("the TFLM sine MLP (Keras -> tf2onnx: MatMul + Add) on [0, 2pi]: one exact piecewise statement", { skip: existsSync(sine) ? false : `${sine} absent (../shared/corpus)` }, async () => {
  const model = readModel(sine);
  const s = await runExplain({ model, name: "sine", domain: "box:0,6.2832" }, { until: "verify" });
  assert.equal(s.program!.functions.length, 1);
  const pw = allPrimStmts(s.program!).filter(({ stmt }) => stmt.prim.kind === "piecewise");
  assert.equal(pw.length, 1);
  const { err, scale } = denseCheck(model, s.program!, 0, 6.2832);
  assert.ok(err <= 1e-5 * Math.max(1, scale), `${err}`);
});
