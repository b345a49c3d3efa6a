// The everyday-PyTorch fixture set (tests/fixtures/torch-everyday, made by tests/fixtures/torch/make_everyday.py:
// activations, norms, pools, convs, RNN/GRU/LSTM, embeddings, attention, transformer layers, residual and concat
// wiring, at opsets 13 and 17) explains, and all four backends are faithful to the original run by onnxruntime:
// the program interpreter, reconstructed.onnx, program.ts and program.py (the emitted code of all fixtures runs
// in one node and one python3 process; explain runs its exact passes only: the budgeted ones trade fidelity on
// purpose, and this test is about the backends). Each model is analysed and checked on its own 16 samples, whose outputs
// torch computed: onnxruntime must reproduce those too.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { readModel } from "../../src/onnx/read.ts";
import { unrunnableParts } from "../../src/program/emit-plan.ts";
import { ortOutputs } from "../../src/verify/reference.ts";
import { assertOutputs } from "../helpers/allclose.ts";
import { loadData, repoRoot } from "../helpers/corpus.ts";
import { assertEmitted, assertFaithful, assertWithin, explainInto, type EmittedCase } from "./helpers.ts";

const ROOT = path.join(repoRoot, "tests", "fixtures", "torch-everyday");
const dirs = existsSync(ROOT) ? readdirSync(ROOT).filter((d) => existsSync(path.join(ROOT, d, "model.onnx"))).sort() : [];

const emitted: EmittedCase[] = [];

describe("everyday PyTorch modules explain with all four backends faithful", { concurrency: 2 }, () => {
  it("the fixture set is there (17 modules x opsets 13 and 17)", () => assert.equal(dirs.length, 34));
  for (const name of dirs) {
    it(name, async (t) => {
      const t0 = performance.now();
      const dir = path.join(ROOT, name);
      const model = readModel(path.join(dir, "model.onnx"));
      const { inputs, outputs } = loadData(model, dir);
      const data = model.graph.inputs.map((i) => inputs[i.name]);
      assertOutputs(Object.fromEntries((await ortOutputs(model, data)).map((y, k) => [model.graph.outputs[k].name, y])), outputs, 1e-3, 1e-5);
      const { dir: out, state } = await explainInto(model, { data, source: name, exact: true }, name);
      const dtypes = model.graph.outputs.map((o) => o.dtype);
      assertWithin("pipeline (program vs original on held-out data)", state.fidelity!, dtypes);
      const program = state.program!;
      assert.deepEqual(unrunnableParts(program, "ts"), [], "program.ts gaps");
      assert.deepEqual(unrunnableParts(program, "py"), [], "program.py gaps");
      await assertFaithful(t, out, model, data, [], ["program.json", "reconstructed.onnx"]);
      emitted.push({ name, dir: out, model, data });
      const body = program.functions[0].body;
      const opaque = body.filter((s) => s.kind === "prim" && s.prim.kind === "opaque").length;
      t.diagnostic(`${name}: ${body.length} statements (${opaque} opaque); ${Math.round(performance.now() - t0)} ms`);
    });
  }
});

describe("emitted code of every everyday-PyTorch fixture vs onnxruntime", () => {
  it("program.ts, all fixtures in one node process", async (t) => {
    assert.equal(emitted.length, dirs.length, "every fixture explained");
    await assertEmitted(t, "ts", emitted);
  });
  it("program.py, all fixtures in one python3 process", async (t) => {
    await assertEmitted(t, "py", emitted);
  });
});
