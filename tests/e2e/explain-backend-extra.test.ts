// The emitters on onnx's older backend "model" cases (../shared/corpus/onnx-backend-extra: pytorch-converted,
// pytorch-operator, simple): every case the interpreter runs is explained on its own test data; the program must
// match the original (held-out fidelity), and when its explanation has opaque parts (code the emitted runtimes run
// op by op), program.ts and program.py must reproduce onnxruntime on that data (all cases in one node and one
// python3 process). The light_* ImageNet models are too heavy for CI: explain-light.test.ts runs them the same
// way when PSEUDONET_LIGHT=1, and bench/scale.ts measures them. (../shared/corpus/models: explain-corpus.test.ts.)
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { UserError } from "../../src/errors.ts";
import { readModel } from "../../src/onnx/read.ts";
import { unrunnableParts } from "../../src/program/emit-plan.ts";
import { loadData, NO_CORPUS } from "../helpers/corpus.ts";
import { listBackendExtra, missingOps } from "../conformance/cases.ts";
import { skipReason } from "../conformance/skip.ts";
import { assertEmitted, assertWithin, explainInto, referenceOutputs, type EmittedCase } from "./helpers.ts";

/** Cases explain refuses, each with the one-line error it must give: inputs that share no batch axis (explain's data
 *  is batch-first: every input the same number of rows), a model that splits or broadcasts along that axis, string
 *  values, and an opset-6 broadcast of a computed operand on an axis (upgrade-opset rewrites only constants). */
const REFUSED: { pattern: RegExp; error: RegExp }[] = [
  { pattern: /test_operator_(add_broadcast|add_size1_right_broadcast|add_size1_singleton_broadcast|addmm|mm)$|test_expand_shape_model\d$/, error: /^every input needs the same number of rows/ },
  { pattern: /test_operator_chunk$/, error: /\(Split\): split \[2, 1\] must have 2 non-negative entries/ },
  { pattern: /test_PoissonNLLLLoss_no_reduce$/, error: /\(Mul\): input shapes \[\d+, 10\] and \[\d+, 10\] cannot be broadcast/ },
  { pattern: /test_strnorm_model_/, error: /is a string tensor|\(StringNormalizer\): input has shape/ },
  { pattern: /test_operator_add_size1_broadcast$/, error: /^cannot lift a net whose opaque parts use opset 6/ },
];

const cases = listBackendExtra().filter((c) => !c.name.startsWith("light/") && !skipReason(c.name));
const emitted: EmittedCase[] = [];
const counts = { explained: 0, opaque: 0, refused: 0, outOfScope: 0 };


describe("explain on the onnx backend-extra cases; emitted code of those with opaque parts", { concurrency: 2 }, () => {
  if (!cases.length) {
    it("corpus", (t) => t.skip(NO_CORPUS));
    return;
  }
  for (const c of cases) {
    it(c.name, async (t) => {
      const model = readModel(path.join(c.dir, "model.onnx"));
      const missing = [...missingOps(model.graph)];
      if (missing.length) {
        counts.outOfScope++;
        return t.skip(`no kernel for ${missing.join(", ")}`);
      }
      const { inputs, outputs } = loadData(model, c.dir);
      const data = model.graph.inputs.filter((i) => inputs[i.name]).map((i) => inputs[i.name]);
      const refusal = REFUSED.find((r) => r.pattern.test(c.name));
      if (refusal) {
        await assert.rejects(explainInto(model, { data, source: c.name, exact: true }, path.basename(c.name)), (e: Error) => e instanceof UserError && refusal.error.test(e.message));
        counts.refused++;
        return;
      }
      const { dir, state } = await explainInto(model, { data, source: c.name, exact: true }, path.basename(c.name));
      assertWithin("pipeline (program vs original)", state.fidelity!, model.graph.outputs.map((o) => o.dtype));
      counts.explained++;
      const program = state.program!;
      const opaque = program.functions.flatMap((f) => f.body).filter((s) => s.kind === "prim" && s.prim.kind === "opaque").length;
      if (!opaque) return;
      counts.opaque++;
      assert.deepEqual(unrunnableParts(program, "ts"), [], "program.ts gaps");
      assert.deepEqual(unrunnableParts(program, "py"), [], "program.py gaps");
      emitted.push({ name: c.name, dir, model, data, reference: await referenceOutputs(model, data, outputs) });
    });
  }
  after(() => console.log(`backend-extra explain: ${counts.explained} explained, ${counts.opaque} with opaque parts run as program.ts/.py, ${counts.refused} refused with the documented error, ${counts.outOfScope} out of scope (no kernel)`));
});

describe("emitted code of the backend-extra cases with opaque parts vs onnxruntime", () => {
  it("program.ts, in one node process", async (t) => {
    if (!emitted.length) return t.skip(NO_CORPUS);
    await assertEmitted(t, "ts", emitted);
  });
  it("program.py, in one python3 process", async (t) => {
    if (!emitted.length) return t.skip(NO_CORPUS);
    await assertEmitted(t, "py", emitted);
  });
});
