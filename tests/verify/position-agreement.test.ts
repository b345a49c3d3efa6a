// verify --min-agreement on outputs with a decision per position (a sequence tagger's [batch, steps, k]): the README
// says `--min-agreement 1` accepts a state machine whose every decision agrees while its scores differ. Before, such
// outputs had no top-1 (compareOutput reads only [batch, k] as scores), so no agreement could accept them.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { f32 } from "../../src/graph/tensor.ts";
import { positionAgreement } from "../../src/verify/metrics.ts";
import { verifyDir } from "../../src/verify/verify.ts";
import { readModel } from "../../src/onnx/read.ts";
import { loadData } from "../../src/data/load.ts";
import { TRAINED_DIR } from "../../zoo/zoo.ts";
import { explainInto } from "../e2e/helpers.ts";

test("positionAgreement: the share of positions whose top-1 agrees, over outputs with classes on the last axis", () => {
  // [2 samples, 3 steps, 2 classes]; the actual flips one step's decision (sample 1, step 2).
  const want = f32([2, 3, 2], [0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1]);
  const got = f32([2, 3, 2], [0, 5, 5, 0, 0, 5, 5, 0, 5, 0, 5, 0]);
  assert.equal(positionAgreement([want], [got]), 5 / 6);
  assert.equal(positionAgreement([want], [want]), 1);
  // Outputs compareOutput already reads ([batch, k]) or with one class are not counted here.
  assert.equal(positionAgreement([f32([2, 2], [0, 1, 1, 0])], [f32([2, 2], [1, 0, 1, 0])]), undefined);
  assert.equal(positionAgreement([f32([2, 3, 1], [0, 1, 2, 3, 4, 5])], [f32([2, 3, 1], [0, 1, 2, 3, 4, 5])]), undefined);
  // The worst of several outputs.
  assert.equal(positionAgreement([want, want], [want, got]), 5 / 6);
});

test("verify --min-agreement 1 accepts the zoo's pattern_lstm machine (scores off, every step's decision agreeing), and only with it", async () => {
  const dir = path.join(TRAINED_DIR, "pattern_lstm");
  const model = readModel(path.join(dir, "model.onnx"));
  const data = loadData(path.join(dir, "data.npy"), model.graph.inputs[0]).tensor;
  const { dir: out, state } = await explainInto(model, { data: [data], source: "pattern_lstm" }, "pattern");
  assert.ok(state.program!.machines?.length, "pattern_lstm explains to a state machine");
  const strict = await verifyDir(out, model, [data], { artifacts: ["program.json"] });
  assert.equal(strict.passed, false, "the machine's scores are the per-state means, not the net's scores");
  const row = strict.rows[0];
  assert.equal(row.fidelity!.top1Agreement, undefined, "without --min-agreement the table is unchanged");
  const agreeing = await verifyDir(out, model, [data], { artifacts: ["program.json"], minAgreement: 1 });
  assert.equal(agreeing.rows[0].fidelity!.top1Agreement, 1);
  assert.equal(agreeing.passed, true);
});
