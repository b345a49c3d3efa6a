// explain and verify end to end on every real model of ../shared/corpus/models: the program (pseudonet's
// interpreter), reconstructed.onnx (onnxruntime), program.ts (node) and program.py (python3 + numpy) all match the
// original run by onnxruntime (relErr <= 1e-5; integer outputs exactly). Emitted code of all models runs in one
// node and one python3 process (starting them costs more than the programs).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Tensor } from "../../src/graph/tensor.ts";
import { readModel } from "../../src/onnx/read.ts";
import { sampleDomain } from "../../src/pipeline/domain.ts";
import { unrunnableParts } from "../../src/program/emit-plan.ts";
import { corpusDir, listCorpusModels, loadCase, NO_CORPUS } from "../helpers/corpus.ts";
import { assertEmitted, assertFaithful, assertWithin, explainInto, type EmittedCase } from "./helpers.ts";

/** Models explained on their own test data (test_data_set_0): integer ids, run-time sequence lengths, inputs with no
 *  shared batch axis (the GPT-2s: one sample, analysed and checked on the same data), or one big image. */
const OWN_DATA = new Set([
  "bert_toy_ort", "nnsplit_bilstm_tract", "cntk_lstm_bidirectional", "cntk_rnn_bidirectional_relu",
  "gpt2_megatron_tiny_ort", "gpt2_past_tiny_ort", "tf_bert_qa_tiny_ort", "super_resolution_pytorch",
]);

/** Models whose opaque parts emitted code cannot run yet, and why (empty: every corpus model runs everywhere). */
const EMIT_GAPS: Record<string, string> = {};

/** super_resolution_pytorch is one 224x224 image through 64-channel 3x3 convolutions: the plain-JS program kernels
 *  take seconds per run. Its program interpreter figure is the explain pipeline's own (same single sample). */
const SLOW = new Set(["super_resolution_pytorch"]);

const emitted: EmittedCase[] = [];

describe("explain and verify on every corpus model", { concurrency: 2 }, () => {
  const dirs = listCorpusModels();
  if (!corpusDir() || dirs.length === 0) {
    it("corpus", (t) => t.skip(NO_CORPUS));
    return;
  }
  for (const dir of dirs) {
    const name = path.basename(dir);
    it(name, async (t) => {
      const t0 = performance.now();
      const model = readModel(path.join(dir, "model.onnx"));
      let analysis: { data: Tensor[] } | { domain: string; samples: number };
      let check: Tensor[];
      if (OWN_DATA.has(name)) {
        const c = loadCase(dir);
        check = model.graph.inputs.map((i) => c.inputs[i.name]);
        analysis = { data: check };
      } else {
        analysis = { domain: "normal", samples: 12 };
        check = sampleDomain({ kind: "normal" }, model.graph.inputs, 4, 42).tensors;
      }
      // Checked on fresh samples, so without simplify: with data only (no box), its exact passes claim equality on
      // the analysed rows, not beyond (a unit never active on 12 samples may fire on the 13th).
      const { dir: out, state } = await explainInto(model, { ...analysis, source: name, simplify: false }, name);
      const dtypes = model.graph.outputs.map((o) => o.dtype);
      assertWithin("pipeline (program vs original on held-out data)", state.fidelity!, dtypes);
      const program = state.program!;
      assert.deepEqual(unrunnableParts(program, "ts"), EMIT_GAPS[name] ? [EMIT_GAPS[name]] : [], "program.ts gaps");
      assert.deepEqual(unrunnableParts(program, "py"), EMIT_GAPS[name] ? [EMIT_GAPS[name]] : [], "program.py gaps");
      const r = await assertFaithful(t, out, model, check, [], SLOW.has(name) ? ["reconstructed.onnx"] : ["program.json", "reconstructed.onnx"]);
      if (!EMIT_GAPS[name]) emitted.push({ name, dir: out, model, data: check });
      const opaque = program.functions[0].body.filter((s) => s.kind === "prim" && s.prim.kind === "opaque").length;
      t.diagnostic(`${name}: ${program.functions[0].body.length} statements (${opaque} opaque); ${state.data!.note}; ` +
        `${r.rows.map((x) => `${x.artifact} ${x.status} ${x.fidelity?.relErr.toExponential(1)}`).join(", ")}; ${Math.round(performance.now() - t0)} ms`);
    });
  }
});

describe("emitted code of every corpus model vs onnxruntime", () => {
  it("program.ts, all models in one node process", async (t) => {
    if (!emitted.length) return t.skip(NO_CORPUS);
    await assertEmitted(t, "ts", emitted);
  });
  it("program.py, all models in one python3 process", async (t) => {
    if (!emitted.length) return t.skip(NO_CORPUS);
    await assertEmitted(t, "py", emitted);
  });
});
