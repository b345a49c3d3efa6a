// The module partition (src/recover/unit-partition.ts, src/pipeline/modules-pass.ts): on compiled zoo cases with
// modules, under each obfuscation alone and all together, at two seeds, the partition reported in the program
// equals the truth's (ARI 1); program.json keeps it; a hand-made net of two streams meeting is cut where they meet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { f32 } from "../../src/graph/tensor.ts";
import { runExplain } from "../../src/pipeline/explain.ts";
import { parseProgram, stringifyProgram } from "../../src/program/json.ts";
import { partitionUnits } from "../../src/recover/unit-partition.ts";
import type { Layer, Net } from "../../src/net/net.ts";
import { domainFlag } from "../../zoo/case.ts";
import { findCase } from "../../zoo/cases/index.ts";
import { generateCase } from "../../zoo/generate.ts";
import { ORDER, type ObfuscationName } from "../../zoo/obfuscate.ts";
import { scoreModules } from "../../zoo/score.ts";

async function ari(name: string, seed: number, obf: readonly ObfuscationName[]) {
  const def = findCase(name)!;
  const g = generateCase(def, seed, obf);
  const flag = domainFlag(def.domain);
  const data = f32([g.points.length, ...def.inputShape], g.points.flat());
  const s = await runExplain({ model: g.model, name, ...(flag ? { domain: flag } : { data: [data], dataLabel: "points" }) }, { until: "modules" });
  return { score: scoreModules(g.truth, s.program!), program: s.program! };
}

for (const name of ["max4", "adder2", "modules2"]) {
  test(`modules: ${name}'s partition is the truth's under each obfuscation and all of them (seeds 1, 2)`, async () => {
    for (const seed of [1, 2]) {
      for (const obf of [[], ...ORDER.map((o) => [o]), [...ORDER]] as ObfuscationName[][]) {
        const { score } = await ari(name, seed, obf);
        assert.equal(score?.ari, 1, `${name} seed ${seed} [${obf.join(",") || "none"}]: ARI ${score?.ari}`);
        assert.equal(score?.coverage, 1, `${name} seed ${seed} [${obf.join(",")}]: coverage ${score?.coverage}`);
      }
    }
  });
}

test("modules: program.json keeps the partition, its residual and n-cut", async () => {
  const { program } = await ari("max4", 1, ["noise"]);
  assert.ok(program.modules && program.modules.modules.length === 3);
  const info = program.modules;
  assert.ok(program.modules.residual.weights > 0 && program.modules.residual.relErr < 1e-2, JSON.stringify(program.modules.residual));
  const back = parseProgram(stringifyProgram(program));
  assert.deepEqual(back.modules, program.modules);
  assert.throws(() => parseProgram(stringifyProgram({ ...program, modules: { ...info, residual: {} as never } })), /residual/);
});

test("partitionUnits: two streams and the unit where they meet; a carried value (relu(z) - relu(-z)) joins its stream", () => {
  // h1: u0 = relu(x0 - x1), u1 = relu(x2 + x3), c+ = relu(x0), c- = relu(-x0); h2: v = relu(u0 + u1) (the meeting),
  // w = relu(c+ - c-) read as x0 (a carrier of stream 0's input, so it is stream 0's).
  const W1 = [1, -1, 0, 0, 0, 0, 1, 1, 2, 0, 0, 0, -3, 0, 0, 0];
  const W2 = [1, 1, 0, 0, 0, 0, 0.5, -1 / 3];
  const net: Net = {
    inputs: [{ name: "x", shape: [4], dtype: "float32", batchDim: "N" }],
    outputs: [{ name: "y", from: "f3" }],
    layers: [
      { kind: "affine", id: "f1", inputs: ["x"], shape: [4], dtype: "float32", W: Float32Array.from(W1), b: new Float32Array(4), inFeatures: 4, outFeatures: 4 },
      { kind: "act", fn: "relu", id: "r1", inputs: ["f1"], shape: [4], dtype: "float32" },
      { kind: "affine", id: "f2", inputs: ["r1"], shape: [2], dtype: "float32", W: Float32Array.from(W2), b: new Float32Array(2), inFeatures: 4, outFeatures: 2 },
      { kind: "act", fn: "relu", id: "r2", inputs: ["f2"], shape: [2], dtype: "float32" },
      { kind: "affine", id: "f3", inputs: ["r2"], shape: [1], dtype: "float32", W: Float32Array.from([1, 1]), b: new Float32Array(1), inFeatures: 2, outFeatures: 1 },
    ] as Layer[],
  } as Net;
  const p = partitionUnits(net);
  const l = (u: string) => p.labels.get(u);
  assert.equal(p.count, 3);
  assert.ok(p.carriers.has("f1:2") && p.carriers.has("f1:3"));
  assert.equal(l("f1:2"), l("f1:0"));
  assert.notEqual(l("f1:0"), l("f1:1"));
  assert.notEqual(l("f2:0"), l("f1:0"));
  assert.notEqual(l("f2:0"), l("f1:1"));
});

test("weightGraph: a flattened image input's entries are graph nodes (Filan et al.'s graph has the input layer)", async () => {
  const { weightGraph } = await import("../../src/recover/module-graph.ts");
  const net = {
    inputs: [{ name: "img", shape: [1, 2, 2], dtype: "float32", batchDim: "N" }],
    outputs: [{ name: "y", from: "f2" }],
    layers: [
      { kind: "reshape", id: "flat", inputs: ["img"], shape: [4], dtype: "float32" },
      { kind: "affine", id: "f1", inputs: ["flat"], shape: [2], dtype: "float32", W: Float32Array.from([1, 1, 0, 0, 0, 0, 1, 1]), b: new Float32Array(2), inFeatures: 4, outFeatures: 2 },
      { kind: "act", fn: "relu", id: "r1", inputs: ["f1"], shape: [2], dtype: "float32" },
      { kind: "affine", id: "f2", inputs: ["r1"], shape: [1], dtype: "float32", W: Float32Array.from([1, 1]), b: new Float32Array(1), inFeatures: 2, outFeatures: 1 },
    ] as Layer[],
  } as Net;
  const g = weightGraph(net);
  assert.equal(g.nodes.filter((n) => n.layer === "flat").length, 4);
  assert.equal(g.adj.n, 7);
});
