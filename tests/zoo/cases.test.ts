// Every compiled zoo case, fully obfuscated and not at all, computes its reference program on its domain:
// checked with onnxruntime, with our interpreter, and with the truth program run by the Program interpreter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { f32, type Tensor } from "../../src/graph/tensor.ts";
import { runModel } from "../../src/run/interp.ts";
import { ortRun } from "../../src/run/ort.ts";
import { programFromJson } from "../../src/program/json.ts";
import { runProgram } from "../../src/program/run.ts";
import { lower } from "../../src/net/lower.ts";
import { normalizePasses } from "../../src/graph/passes/index.ts";
import { runPasses } from "../../src/pipeline/pass.ts";
import { CASES } from "../../zoo/cases/index.ts";
import { decisionsAgree, generateCase } from "../../zoo/generate.ts";
import { ORDER } from "../../zoo/obfuscate.ts";
import { runRef } from "../../zoo/refprog.ts";
import { casePoints } from "../../zoo/domain.ts";

const data = (t: Tensor) => t.data as Float32Array;

/** Largest |reference - y| over samples, and the largest |reference| (for relative slack). */
function errVsReference(ref: (x: readonly number[]) => number[], points: number[][], y: Float32Array, n: number): { err: number; scale: number } {
  let err = 0;
  let scale = 1;
  points.forEach((p, i) => ref(p).forEach((v, j) => {
    err = Math.max(err, Math.abs(v - y[i * n + j]));
    scale = Math.max(scale, Math.abs(v));
  }));
  return { err, scale };
}

for (const def of CASES) {
  test(`zoo ${def.name}: reference function, reference program and its Program JSON agree`, () => {
    const points = casePoints(def, { random: 300 });
    const prog = programFromJson(generateCase(def, 1, []).truth.program);
    const [y] = runProgram(prog, [f32([points.length, ...def.inputShape], points.flat())]);
    const { err, scale } = errVsReference(def.reference, points, data(y), def.outputSize);
    assert.ok(err <= 1e-5 * scale, `truth program vs reference: ${err}`);
    for (const p of points.slice(0, 50)) assert.deepEqual(runRef(def.program(), [p]).flat().map((v) => Math.fround(v)), def.reference(p).map((v) => Math.fround(v)));
  });

  for (const obf of [[], [...ORDER]] as const) {
    const label = obf.length ? "all obfuscations" : "no obfuscation";
    test(`zoo ${def.name} (${label}): onnxruntime and our interpreter compute the reference on the domain`, async () => {
      const g = generateCase(def, 7, obf);
      const x = f32([g.points.length, ...def.inputShape], g.points.flat());
      const ort = data((await ortRun(g.model, { x })).y);
      const ours = data(runModel(g.model, { x }).y);
      const { err, scale } = errVsReference(def.reference, g.points, ort, def.outputSize);
      // float32 weights and sums: a little slack beyond what truth.json measured in float64.
      const slack = 2e-5 * scale;
      if (!obf.length) assert.ok(err <= slack, `clean network vs reference: ${err}`);
      assert.ok(err <= g.fidelity.maxAbsErr + slack, `onnxruntime vs reference ${err} exceeds the recorded ${g.fidelity.maxAbsErr}`);
      // Real outputs stay within 5%; 0/1 outputs within a quarter of their decision margin (argmax4's slope is 10).
      assert.ok(g.fidelity.maxAbsErr <= (def.output === "real" ? 0.05 * scale : 0.25), `recorded error ${g.fidelity.maxAbsErr} is not small`);
      let ourErr = 0;
      ort.forEach((v, i) => (ourErr = Math.max(ourErr, Math.abs(v - ours[i]))));
      assert.ok(ourErr <= 1e-5 * scale, `our interpreter vs onnxruntime: ${ourErr}`);
      if (def.output !== "real") {
        g.points.forEach((p, i) => assert.ok(decisionsAgree(def.output, def.reference(p), ort.subarray(i * def.outputSize, (i + 1) * def.outputSize)), `decision differs at ${p}`));
        assert.equal(g.fidelity.agreement, 1);
      }
      if (obf.length && g.truth.dead) assert.ok(g.truth.dead.maxUpperBound < 0);
    });
  }

  test(`zoo ${def.name}: truth.json's module layers name the model's own Net layers, with one label per unit`, () => {
    const g = generateCase(def, 3, [...ORDER]);
    const net = lower(runPasses(g.model, normalizePasses).out).net;
    for (const m of g.truth.modules) {
      for (const id of m.ids) {
        const layer = net.layers.find((l) => l.id === id);
        assert.ok(layer, `no Net layer '${id}'`);
        assert.equal(layer.shape[0], m.labels.length, `layer ${id} has ${layer.shape[0]} units, truth labels ${m.labels.length}`);
      }
    }
  });
}
