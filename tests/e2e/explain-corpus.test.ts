// explain end to end on the real models of ../shared/corpus/models that pseudonet's ops cover: every artifact
// (program, reconstructed.onnx, program.ts, program.py) matches the original run by onnxruntime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Tensor } from "../../src/graph/tensor.ts";
import { readModel } from "../../src/onnx/read.ts";
import { sampleDomain } from "../../src/pipeline/domain.ts";
import { corpusDir, listCorpusModels, loadCase, NO_CORPUS } from "../helpers/corpus.ts";
import { assertFaithful, explainInto, TOL } from "./helpers.ts";

/** Models left out, and why (each is still read and run by the conformance tests). */
const SKIP: Record<string, string> = {
  super_resolution_pytorch: "224x224 images through 64-channel convolutions: minutes in a pure-JS interpreter, too slow for the suite",
  gpt2_past_tiny_ort: "3069 nodes of dynamic-shape plumbing and 13 inputs: too slow for the suite",
  tf_bert_qa_tiny_ort: "3836 nodes: too slow for the suite",
  gpt2_megatron_tiny_ort: "its attention_mask input has a fixed batch of 1 while input_ids has 2 rows: the data has no common batch axis",
};

/** Models whose inputs have run-time dims (sequence lengths) or integer ids: explained on their own test data. */
const OWN_DATA = new Set(["bert_toy_ort", "nnsplit_bilstm_tract", "cntk_lstm_bidirectional", "cntk_rnn_bidirectional_relu"]);

describe("explain on the corpus models", { concurrency: 2 }, () => {
  const dirs = listCorpusModels();
  if (!corpusDir() || dirs.length === 0) {
    it("corpus", (t) => t.skip(NO_CORPUS));
    return;
  }
  for (const dir of dirs) {
    const name = path.basename(dir);
    it(name, async (t) => {
      if (SKIP[name]) return t.skip(SKIP[name]);
      const model = readModel(path.join(dir, "model.onnx"));
      let analysis: { data: Tensor[] } | { domain: string; samples: number };
      let check: Tensor[];
      if (OWN_DATA.has(name)) {
        const c = loadCase(dir);
        const data = model.graph.inputs.map((i) => c.inputs[i.name]);
        analysis = { data };
        check = data;
      } else {
        analysis = { domain: "normal", samples: 24 };
        check = sampleDomain({ kind: "normal" }, model.graph.inputs, 6, 42).tensors;
      }
      const { dir: out, state } = await explainInto(model, { ...analysis, source: name }, name);
      assert.ok(state.fidelity!.relErr <= TOL, `pipeline fidelity ${state.fidelity!.relErr}`);
      const opaque = state.program!.functions[0].body.some((s) => s.kind === "prim" && s.prim.kind === "opaque");
      const r = await assertFaithful(t, out, model, check, opaque ? ["program.ts", "program.py"] : []);
      t.diagnostic(`${name}: ${state.program!.functions[0].body.length} statements${opaque ? " (with opaque parts)" : ""}; ${r.rows.map((x) => `${x.artifact} ${x.status}`).join(", ")}`);
    });
  }
});
