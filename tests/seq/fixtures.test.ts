// The seq-blocks pass on small PyTorch exports (tests/fixtures/seq, make_seq_fixtures.py): each model's blocks are
// found, and the explanation (program interpreter, reconstructed.onnx, program.ts, program.py) matches onnxruntime
// on data of a sequence length the export did not trace.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readModel } from "../../src/onnx/read.ts";
import { normalize } from "../../src/graph/passes/index.ts";
import { recoverBlocks } from "../../src/seq/pass.ts";
import { allPrimStmts } from "../../src/program/program.ts";
import { loadCase, repoRoot } from "../helpers/corpus.ts";
import { assertFaithful, explainInto } from "../e2e/helpers.ts";

const DIR = path.join(repoRoot, "tests/fixtures/seq");

/** Per model: the blocks the pass must find (at least these counts), and the ops opaque parts may still hold
 *  (none: these models explain with no opaque part). */
const CASES: Record<string, { blocks: Record<string, number>; opaqueOps: string[] }> = {
  // the position ids (Range over the sequence length) and the causal mask (slices of the tril buffer) stay plumbing
  gpt_tiny: { blocks: { embed: 2, layer_norm: 5, gelu: 2, linear: 9, slice: 6, split_heads: 6, attend: 2, mask_window: 2, merge_heads: 2 }, opaqueOps: [] },
  known_heads: { blocks: { embed: 2, layer_norm: 2, gelu: 1, attend: 1, mask_window: 1 }, opaqueOps: [] },
  bert_tiny: { blocks: { embed: 2, layer_norm: 5, gelu: 2, linear: 13, split_heads: 6, attend: 2, merge_heads: 2, pointwise: 1 }, opaqueOps: [] },
  lstm_tagger: { blocks: { embed: 1, recurrent: 2, linear: 1, plumbing: 5 }, opaqueOps: [] },
  gru_rnn: { blocks: { recurrent: 2, plumbing: 5 }, opaqueOps: [] },
};

describe("seq blocks on PyTorch exports", { concurrency: 1 }, () => {
  for (const [name, want] of Object.entries(CASES)) {
    it(name, async (t) => {
      const dir = path.join(DIR, name);
      const model = readModel(path.join(dir, "model.onnx"));
      const { counts } = recoverBlocks(normalize(model).model);
      for (const [k, n] of Object.entries(want.blocks)) assert.ok((counts.get(k) ?? 0) >= n, `${name}: ${counts.get(k) ?? 0} ${k} blocks, expected ${n}`);
      const c = loadCase(dir);
      const data = model.graph.inputs.map((i) => c.inputs[i.name]);
      const { dir: out, state } = await explainInto(model, { data, source: name, holdout: 0.5 }, name);
      const opaque = allPrimStmts(state.program!).filter(({ stmt }) => stmt.prim.kind === "opaque");
      for (const { stmt } of opaque) {
        if (stmt.prim.kind !== "opaque") continue;
        const extra = stmt.prim.params.ops.filter((o) => !want.opaqueOps.includes(o));
        assert.deepEqual(extra, [], `${name}: opaque ${stmt.prim.label} holds ${extra.join(", ")}`);
      }
      const r = await assertFaithful(t, out, model, data);
      t.diagnostic(`${name}: ${[...counts].map(([k, n]) => `${n} ${k}`).join(", ")}; ${opaque.length} opaque; ${r.rows.map((x) => `${x.artifact} ${x.status} ${x.fidelity?.relErr.toExponential(1)}`).join(", ")}`);
    });
  }
});
