// explain end to end on random seeded networks: program (interpreter), reconstructed.onnx (onnxruntime),
// program.ts (node) and program.py (python3 + numpy) all match the original model run by onnxruntime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Model } from "../../src/graph/graph.ts";
import { sampleDomain } from "../../src/pipeline/domain.ts";
import { OUTPUT_FILES } from "../../src/pipeline/output-dir.ts";
import { parseProgram } from "../../src/program/json.ts";
import { GraphBuilder, addDense, attr, randomCNN, randomMLP, randomResidual } from "../helpers/nets.ts";
import { rng } from "../helpers/rng.ts";
import { assertFaithful, explainInto } from "./helpers.ts";

/** An MLP whose hidden activation (Erf by default) has no neuron-level meaning yet, so it stays an opaque part,
 *  and whose output is an ArgMax. */
function erfArgmaxMLP(seed: number, act = "Erf"): Model {
  const r = rng(seed);
  const b = new GraphBuilder("erf_argmax");
  let x = b.input("input", ["batch", 6]);
  x = b.node("/act", act, [addDense(r, b, "/fc1", x, 6, 8, "gemm")]);
  const logits = addDense(r, b, "/fc2", x, 8, 4, "gemm");
  const cls = b.node("", "ArgMax", [logits], { axis: attr.int(1), keepdims: attr.int(0) });
  b.output(logits, "logits", ["batch", 4]);
  b.output(cls, "class", ["batch"], "int64");
  return b.model(13);
}

const cases: { name: string; model: () => Model; skips?: string[] }[] = [
  { name: "MLP (Gemm, BatchNorm, Dropout, softmax)", model: () => randomMLP(rng(1), [12, 16, 10, 5], { batchNorm: true, dropout: true, softmax: "softmax" }) },
  { name: "MLP (MatMul + Add, tanh, log_softmax)", model: () => randomMLP(rng(2), [7, 9, 3], { affine: "matmul", act: "tanh", softmax: "log_softmax" }) },
  { name: "MLP with a fixed batch of 1 (one row at a time)", model: () => randomMLP(rng(3), [5, 6, 2], { batch: 1, act: "sigmoid" }) },
  { name: "CNN (BatchNorm, max pool, x.view flatten, hidden layer)", model: () => randomCNN(rng(4), { input: [2, 8, 8], channels: [4, 6], batchNorm: true, flatten: "dynamic", hidden: [12], classes: 3, softmax: "log_softmax" }) },
  { name: "CNN (average pool, leaky relu, 5x5 valid conv)", model: () => randomCNN(rng(5), { input: [1, 12, 12], channels: [3], kernel: 5, pad: 0, pool: "avg", act: "leaky_relu", classes: 4 }) },
  { name: "residual MLP", model: () => randomResidual(rng(6), { kind: "mlp", width: 8, blocks: 2, input: 5, classes: 3 }) },
  { name: "residual CNN with BatchNorm and global average pool", model: () => randomResidual(rng(7), { kind: "conv", width: 4, blocks: 1, input: [2, 6, 6], classes: 3, batchNorm: true }) },
  { name: "an opaque Erf part and an ArgMax output", model: () => erfArgmaxMLP(8) },
  // Sin has no code in the emitted runtime: program.ts / program.py say so and verify marks them skipped.
  { name: "an opaque part the emitted runtime cannot run (Sin)", model: () => erfArgmaxMLP(9, "Sin"), skips: ["program.ts", "program.py"] },
];

describe("explain end to end on random networks", { concurrency: 2 }, () => {
  for (const c of cases) {
    it(c.name, async (t) => {
      const model = c.model();
      const { dir, state } = await explainInto(model, { domain: "normal", samples: 60, seed: 1 });
      assert.deepEqual(readdirSync(dir).sort(), [...OUTPUT_FILES].sort());
      // Fidelity measured by the pipeline itself, on its held-out rows.
      assert.ok(state.fidelity!.relErr <= 1e-5, `pipeline fidelity ${state.fidelity!.relErr}`);
      assert.equal(state.fidelity!.samples, 12);
      const txt = readFileSync(path.join(dir, "program.txt"), "utf8");
      assert.match(txt, /^# fidelity vs original \(held-out, 12 samples\): maxAbsErr \S+, relErr \S+/m);
      assert.match(txt, /^def main\(x: /m);
      // program.json parses back to the same program.
      const p = parseProgram(readFileSync(path.join(dir, "program.json"), "utf8"));
      assert.equal(p.functions[0].body.length, state.program!.functions[0].body.length);
      // Fresh data (other seed) for the artifacts.
      const data = sampleDomain({ kind: "normal" }, model.graph.inputs, 9, 99).tensors;
      const r = await assertFaithful(t, dir, model, data, c.skips);
      for (const row of r.rows.filter((x) => x.status === "skipped" && c.skips?.includes(x.artifact))) {
        assert.match(row.note!, new RegExp(`^${row.artifact.replace(".", "\\.")} cannot run opaque_1 \\(no Sin\\)`));
        assert.match(readFileSync(path.join(dir, row.artifact), "utf8"), /NOT RUNNABLE here: opaque_1 \(no Sin\)\. Use reconstructed\.onnx for those\./);
      }
    });
  }
});

describe("explain reads the structure", () => {
  it("names the ArgMax output and Erf as an elementwise function", async () => {
    const { state } = await explainInto(erfArgmaxMLP(8), { domain: "box:-1,1", samples: 20 });
    const txt = state.files!.get("program.txt") as string;
    assert.match(txt, /= erf\(h1\)/);
    assert.match(txt, /class_ = argmax\(logits\)\s+# predicted class/);
    assert.match(txt, /-> \(vec\[4\], int\):/);
    const report = state.files!.get("report.md") as string;
    assert.match(report, /## Opaque parts\n\nNone: every layer became a readable statement\./);
  });

  it("writes a report with fidelity, every pass, and the statements; pass times go to timings.json", async () => {
    const { state } = await explainInto(randomMLP(rng(1), [4, 5, 2]), { domain: "normal", samples: 30 });
    const report = state.files!.get("report.md") as string;
    for (const pass of ["read", "normalize", "lower", "probe", "build", "verify", "emit"]) assert.match(report, new RegExp(`^\\| ${pass} \\| .+ \\|$`, "m"));
    const timings = JSON.parse(state.files!.get("timings.json") as string) as { passes: { pass: string; ms: number; cpuMs: number }[]; totalCpuMs: number; loadAverage: number[] };
    // Top-level passes in order; simplify's sub-passes follow it as simplify/<pass>.
    assert.deepEqual(timings.passes.map((p) => p.pass).filter((p) => !p.includes("/")), state.reports.map((r) => r.pass).filter((p) => p !== "emit"));
    assert.ok(timings.passes.some((p) => p.pass.startsWith("simplify/")));
    assert.ok(timings.passes.every((p) => p.ms >= 0 && p.cpuMs >= 0), "wall and CPU time per pass");
    assert.ok(timings.totalCpuMs > 0 && timings.loadAverage.length === 3);
    assert.match(report, /\| output \| [\d.e-]+ \| [\d.e-]+ \| [\d.e-]+ \| 100% \|/);
    assert.match(report, /\| `h1 = relu\(W1 @ x \+ b1\)` \| fc1, act1 \| affine \| 0 \|/);
  });
});
