// --domain tokens:V,N: sequences of N token ids below V for models whose inputs are ids of run-time length.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readModel } from "../../src/onnx/read.ts";
import { parseDomain, sampleDomain } from "../../src/pipeline/domain.ts";
import { runExplain } from "../../src/pipeline/explain.ts";
import { repoRoot } from "../helpers/corpus.ts";
import { TOL } from "../e2e/helpers.ts";

const model = () => readModel(path.join(repoRoot, "tests/fixtures/seq/gpt_tiny/model.onnx"));

describe("tokens domain", () => {
  it("parses tokens:V,N and refuses bad values with a one-line message", () => {
    assert.deepEqual(parseDomain("tokens:13,6"), { kind: "tokens", vocab: 13, length: 6 });
    assert.throws(() => parseDomain("tokens:0,6"), /V and N must be positive integers/);
    assert.throws(() => parseDomain("tokens:13,2.5"), /V and N must be positive integers/);
  });

  it("samples ids below V with the sequence length N, seeded", () => {
    const m = model();
    const a = sampleDomain(parseDomain("tokens:13,6"), m.graph.inputs, 20, 3);
    const b = sampleDomain(parseDomain("tokens:13,6"), m.graph.inputs, 20, 3);
    assert.deepEqual(a.tensors[0].shape, [20, 6]);
    const ids = Array.from(a.tensors[0].data as ArrayLike<number>);
    assert.ok(ids.every((x) => Number.isInteger(x) && x >= 0 && x < 13));
    assert.ok(new Set(ids).size > 5, "ids vary");
    assert.deepEqual(ids, Array.from(b.tensors[0].data as ArrayLike<number>));
  });

  it("explains a GPT-style model on sampled token sequences, faithful on the held-out ones", async () => {
    const s = await runExplain({ model: model(), domain: "tokens:13,6", samples: 10, source: "gpt_tiny" }, { until: "verify" });
    assert.ok(s.fidelity!.relErr <= TOL, `relErr ${s.fidelity!.relErr}`);
    assert.ok(s.program!.seqAnalysis!.heads.length === 4);
  });
});
