// verifyDir: every artifact checked against onnxruntime; a changed or missing artifact is reported, not hidden;
// bad input (other model, wrong data) is a clear error.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sampleDomain } from "../../src/pipeline/domain.ts";
import { verifyDir } from "../../src/verify/verify.ts";
import { UserError } from "../../src/errors.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { randomMLP } from "../helpers/nets.ts";
import { rng } from "../helpers/rng.ts";
import { explainInto } from "../e2e/helpers.ts";

const model = randomMLP(rng(11), [5, 7, 3], { softmax: "log_softmax" });
const data = sampleDomain({ kind: "box", lo: -1, hi: 1 }, model.graph.inputs, 8, 5).tensors;

describe("verifyDir", { concurrency: 1 }, () => {
  it("reports a perturbed program.json and a missing program.py without hiding the others", async () => {
    const { dir } = await explainInto(model, { domain: "normal", samples: 40 }, "verify");
    const pj = path.join(dir, "program.json");
    const j = JSON.parse(readFileSync(pj, "utf8"));
    const b = Buffer.from(j.weights.b1.data, "base64");
    b.writeFloatLE(b.readFloatLE(0) + 1e-3, 0);
    j.weights.b1.data = b.toString("base64");
    writeFileSync(pj, JSON.stringify(j));
    rmSync(path.join(dir, "program.py"));
    const r = await verifyDir(dir, model, data, { tolerance: 1e-5, artifacts: ["program.json", "reconstructed.onnx", "program.py"] });
    const byName = Object.fromEntries(r.rows.map((x) => [x.artifact, x]));
    assert.equal(byName["program.json"].status, "exceeded");
    assert.ok(byName["program.json"].fidelity!.maxAbsErr > 1e-5);
    assert.equal(byName["reconstructed.onnx"].status, "ok");
    assert.equal(byName["program.py"].status, "failed");
    assert.match(byName["program.py"].note!, /program\.py is missing/);
    assert.equal(r.passed, false);
    // With a loose tolerance the perturbed program passes.
    const loose = await verifyDir(dir, model, data, { tolerance: 0.1, artifacts: ["program.json"] });
    assert.equal(loose.passed, true);
    // --min-agreement: scores off by more than the tolerance still pass when every decision agrees, and only then.
    const top1 = byName["program.json"].fidelity!.top1Agreement;
    assert.ok(top1 !== undefined, "log-softmax scores get a top-1 agreement");
    const agreeing = await verifyDir(dir, model, data, { tolerance: 1e-5, minAgreement: top1, artifacts: ["program.json"] });
    assert.equal(agreeing.passed, true);
    assert.equal(agreeing.minAgreement, top1);
    if (top1 < 1) assert.equal((await verifyDir(dir, model, data, { tolerance: 1e-5, minAgreement: 1, artifacts: ["program.json"] })).passed, false);
  });

  it("rejects data of the wrong shape and a model the folder was not explained from", async () => {
    const { dir } = await explainInto(model, { domain: "normal", samples: 20 }, "verify2");
    await assert.rejects(verifyDir(dir, model, [f32([2, 4], new Float32Array(8))]), (e: unknown) => e instanceof UserError && /data for input 'input' has shape \[2, 4\], expected \[batch, 5\]/.test(e.message));
    const other = randomMLP(rng(12), [5, 7, 3]);
    other.graph.outputs[0].name = "scores";
    other.graph.nodes[other.graph.nodes.length - 1].outputs[0] = "scores";
    await assert.rejects(verifyDir(dir, other, data), /outputs \(output\) are not the model's \(scores\): was .* explained from this model\?/);
  });
});
