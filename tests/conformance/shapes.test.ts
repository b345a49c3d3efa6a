// Shape inference (src/graph/infer.ts) on every supported corpus case (node tests, onnx-backend-extra, and the
// onnx 1.12 node tests in tests/fixtures/onnx-node-1.12),
// against the dtype and shape of each expected output, two ways:
//  1. from the file's declared input types only: dtypes must match, and each dim inference knows must match
//     (dims that come from the values of non-constant inputs, e.g. a Reshape target fed as an input, stay
//     unknown, which is right);
//  2. from the data's input types and values: every output shape must be fully known and match, and any
//     value folded during inference must equal the expected output.
// The file's declared output and intermediate types are removed first: inferShapes fills dims it could not
// infer from them, which would hide a rule that loses information.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Model } from "../../src/graph/graph.ts";
import { infoStr, inferShapes } from "../../src/graph/infer.ts";
import type { Tensor } from "../../src/graph/tensor.ts";
import type { ShapeInfo } from "../../src/ops/op.ts";
import { readModel } from "../../src/onnx/read.ts";
import { mismatch } from "../helpers/allclose.ts";
import { loadData, NO_CORPUS } from "../helpers/corpus.ts";
import { listBackendExtra, listFixtureNodeTests, listNodeTestCases, missingOps, Tally } from "./cases.ts";
import { skipReason } from "./skip.ts";

const tally = new Tally();
/** Outputs checked from declared input types: fully known, partly known (some dims), rank unknown. */
const declared = { exact: 0, partial: 0, rankUnknown: 0 };
/** Outputs whose value inference folded (from known input values), all compared with the expected value. */
let folded = 0;

/** The model without declared types for outputs and intermediates (inputs keep theirs). */
function withoutDeclaredOutputs(model: Model): Model {
  const g = model.graph;
  return { ...model, graph: { ...g, outputs: g.outputs.map((o) => ({ ...o, shape: null })), valueInfo: [] } };
}

/** Check what inference knows of one output against the expected tensor; returns how much it knew. */
function checkDeclared(name: string, got: ShapeInfo | undefined, want: Tensor): "exact" | "partial" | "rankUnknown" {
  assert.ok(got, `output '${name}' was not inferred`);
  assert.equal(got.dtype, want.dtype, `output '${name}': inferred ${infoStr(got)}, expected ${want.dtype} [${want.shape}]`);
  if (got.shape === null) return "rankUnknown";
  const agree = got.shape.length === want.shape.length && got.shape.every((d, i) => typeof d !== "number" || d === want.shape[i]);
  assert.ok(agree, `output '${name}': inferred ${infoStr(got)}, expected ${want.dtype} [${want.shape.join(", ")}]`);
  return got.shape.every((d) => typeof d === "number") ? "exact" : "partial";
}

/** Infer from the data's input types and values: every output exact, folded values equal to the expected. */
function checkFromData(model: Model, inputs: Record<string, Tensor>, outputs: Record<string, Tensor>): void {
  const typed = Object.fromEntries(
    Object.entries(inputs).map(([k, t]): [string, ShapeInfo] => [k, { dtype: t.dtype, shape: [...t.shape], value: t }]),
  );
  const env = inferShapes(model, { inputs: typed });
  for (const [name, want] of Object.entries(outputs)) {
    const got = env.get(name);
    const msg = `from the data's inputs, output '${name}': inferred ${infoStr(got)}, expected ${want.dtype} [${want.shape.join(", ")}]`;
    assert.deepEqual({ dtype: got?.dtype, shape: got?.shape }, { dtype: want.dtype, shape: want.shape }, msg);
    if (got?.value) {
      folded++;
      const diff = mismatch(got.value, want);
      assert.equal(diff, undefined, `output '${name}' folded during inference: ${diff}`);
    }
  }
}

describe("shape inference on the corpus cases", () => {
  const cases = [...listNodeTestCases(), ...listBackendExtra(), ...listFixtureNodeTests()];
  if (cases.length === 0) {
    it("corpus", (t) => t.skip(NO_CORPUS));
    return;
  }
  for (const { name, dir } of cases) {
    it(name, (t) => {
      const skip = skipReason(name);
      if (skip) {
        tally.skip(name, skip);
        t.skip(skip);
        return;
      }
      try {
        const model = withoutDeclaredOutputs(readModel(path.join(dir, "model.onnx")));
        const missing = [...missingOps(model.graph)].sort();
        if (missing.length) {
          tally.unsupportedCase(name, missing);
          t.skip(`no kernel yet for ${missing.join(", ")}`);
          return;
        }
        const { inputs, outputs } = loadData(model, dir);
        const env = inferShapes(model);
        for (const [out, want] of Object.entries(outputs)) declared[checkDeclared(out, env.get(out), want)]++;
        checkFromData(model, inputs, outputs);
      } catch (e) {
        tally.failed.push(name);
        throw e;
      }
      tally.passed.push(name);
    });
  }

  after(() => {
    tally.notes.push(
      `outputs inferred from declared input types: ${declared.exact} exact, ${declared.partial} partly known, ` +
        `${declared.rankUnknown} rank unknown (dims that depend on input values)`,
      `outputs folded to a value during inference (all equal to the expected): ${folded}`,
    );
    console.log(tally.summary("shapes"));
  });
});
