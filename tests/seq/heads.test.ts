// The head analysis: pattern types on a model whose heads were set by hand (tests/fixtures/seq/known_heads: head 0
// looks at the previous token, head 1 at the first), circuits as exact low-rank factors, direct effects on a pre-LN
// model, and repeated blocks printed as a loop.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readModel } from "../../src/onnx/read.ts";
import { runExplain } from "../../src/pipeline/explain.ts";
import { printProgram } from "../../src/program/printer.ts";
import { factored, mat, mul } from "../../src/seq/analysis/circuits.ts";
import { loadCase, repoRoot } from "../helpers/corpus.ts";
import { rng } from "../helpers/rng.ts";

const DIR = path.join(repoRoot, "tests/fixtures/seq");

async function explainUntil(name: string, until: string) {
  const model = readModel(path.join(DIR, name, "model.onnx"));
  const c = loadCase(path.join(DIR, name));
  return runExplain({ model, data: model.graph.inputs.map((i) => c.inputs[i.name]), source: name }, { until });
}

describe("head analysis", () => {
  it("classifies hand-set heads: previous-token and first-token", async () => {
    const s = await explainUntil("known_heads", "heads");
    const heads = s.program!.seqAnalysis!.heads;
    assert.deepEqual(heads.map((h) => h.kind), ["previous-token", "first-token"]);
    assert.ok(heads[0].previous > 0.8 && heads[1].first > 0.95, JSON.stringify(heads.map((h) => [h.previous, h.first])));
    // The head size is 8 but head 1's query is one constant direction: its QK circuit has rank 1.
    assert.equal(heads[1].qk!.rank, 1);
  });

  it("factored circuits multiply back to the product, at its rank", () => {
    const r = rng(7);
    for (const [m, d, n] of [[6, 2, 5], [16, 4, 16], [8, 8, 3]]) {
      const A = mat(m, d, () => r() * 2 - 1), B = mat(d, n, () => r() * 2 - 1);
      const c = factored(A, B);
      assert.equal(c.rank, Math.min(d, m, n));
      const M = mul(A, B);
      const k = c.rank;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += c.A[i * k + t] * c.B[t * n + j];
        assert.ok(Math.abs(s - M.d[i * n + j]) < 1e-3 * (1 + Math.abs(M.d[i * n + j])), `${m}x${d}x${n} [${i},${j}] ${s} vs ${M.d[i * n + j]}`);
      }
      assert.ok(c.singular.every((x, i) => i === 0 || x <= c.singular[i - 1] + 1e-9));
    }
  });

  it("direct effects on a pre-LN model; two blocks printed as a loop over one block function", async () => {
    const s = await explainUntil("gpt_tiny", "heads");
    const a = s.program!.seqAnalysis!;
    assert.equal(a.heads.length, 4);
    assert.ok(a.heads.every((h) => h.directLogit !== undefined && Number.isFinite(h.directLogit) && h.qk && h.ov), JSON.stringify(a.notes));
    assert.equal(a.mlps.length, 2);
    const txt = printProgram(s.program!);
    assert.match(txt, /for b in 0\.\.1: h = block\(h, b\)/);
    assert.match(txt, /def block\(h: tensor\[\?,8\], b: int\):/);
    assert.match(txt, /layer_norm\(h, blocks\.\{b\}\.ln_1\.weight, blocks\.\{b\}\.ln_1\.bias/);
    assert.match(txt, /# b=0: head 0: .* \| b=1: head 0: /);
  });
});
