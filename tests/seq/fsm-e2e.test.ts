// State machines end to end: a hand-made tanh RNN whose machine is known (running max of bits) explains to
// `y = machine(x): state = 0; for x0 in x: state = max(state, x0); emit(state)`; the machine primitive survives
// program.json, runs the same in the interpreter, program.ts and program.py, and reconstructed.onnx keeps the network.
// Then committed zoo cases (one LSTM, one GRU; train_seq.py) come back as their known machines, and a transformer's
// head as its known kind.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { f32, type Tensor } from "../../src/graph/tensor.ts";
import { readModel } from "../../src/onnx/read.ts";
import { loadData } from "../../src/data/load.ts";
import { ortOutputs } from "../../src/verify/reference.ts";
import { runProgram } from "../../src/program/run.ts";
import { parseProgram, stringifyProgram } from "../../src/program/json.ts";
import { printProgram } from "../../src/program/printer.ts";
import { compareAll } from "../../src/verify/metrics.ts";
import { runEmittedBatch, SkipArtifact } from "../../src/verify/artifacts.ts";
import { runModel } from "../../src/run/interp.ts";
import { rng } from "../../src/util/rng.ts";
import { GraphBuilder, i64, attr } from "../helpers/builder.ts";
import { explainInto } from "../e2e/helpers.ts";
import { TRAINED_DIR } from "../../zoo/zoo.ts";
import { parseDomain, sampleDomain } from "../../src/pipeline/domain.ts";
import { runExplain } from "../../src/pipeline/explain.ts";
import { readTruth } from "../../zoo/truth.ts";

/** x [b, T, 1] -> RNN (hidden 1: h = tanh(20 x + 10 h - 5), so h > 0 once a 1 was seen) -> scores [-h, h] per step
 *  (or, with `last`, after the last step only: "was there a 1?", as PyTorch writes `head(out[:, -1])`). */
function runningMaxRnn(last = false) {
  const g = new GraphBuilder();
  const x = g.input("x", ["batch", "steps", 1]);
  const xt = g.node("", "Transpose", [x], { perm: attr.ints([1, 0, 2]) });
  const W = g.init("rnn.W", f32([1, 1, 1], [20]));
  const R = g.init("rnn.R", f32([1, 1, 1], [10]));
  const B = g.init("rnn.B", f32([1, 2], [-5, 0]));
  const y = g.nodeN("/rnn", "RNN", [xt, W, R, B], { hidden_size: attr.int(1) }, 2)[0];
  const sq = g.node("", "Squeeze", [y, g.init("axes", i64([1], [1]))]);
  let bt = g.node("", "Transpose", [sq], { perm: attr.ints([1, 0, 2]) });
  if (last) bt = g.node("", "Gather", [bt, g.init("minus1", i64([], [-1]))], { axis: attr.int(1) });
  const out = g.node("/head", "MatMul", [bt, g.init("head.weight", f32([1, 2], [-1, 1]))]);
  g.output(out, "y", last ? ["batch", 2] : ["batch", "steps", 2]);
  return g.model(13);
}

function bitSequences(n: number, T: number, seed: number): Tensor {
  const u = rng(seed);
  return f32([n, T, 1], Array.from({ length: n * T }, () => (u() < 0.15 ? 1 : 0)));
}

test("a hand-made RNN (running max of bits) reads as max(state, x0); the machine runs in every backend", async (t) => {
  const model = runningMaxRnn();
  const data = bitSequences(300, 12, 1);
  const { dir, state } = await explainInto(model, { data: [data], source: "runmax" }, "fsm");
  const p = state.program!;
  const text = readFileSync(path.join(dir, "program.txt"), "utf8");
  assert.match(text, /y = machine\(x\): state = 0; for x0 in x: state = max\(state, x0\); emit\(state\)/, text);
  const m = p.machines![0];
  assert.equal(m.minimalStates, 2);
  assert.equal(m.implemented, true);
  assert.equal(m.agreement.heldOut.stepAgreement, 1);
  // Round trip through program.json: the same program text and the same outputs.
  const back = parseProgram(stringifyProgram(p), "program.json");
  assert.equal(printProgram(back), printProgram(p));
  const check = bitSequences(40, 30, 2); // longer sequences than the data: the loop runs any length
  const mine = runProgram(p, [check]);
  assert.deepEqual(Array.from(runProgram(back, [check])[0].data as Float32Array), Array.from(mine[0].data as Float32Array));
  // The network's decisions on the longer sequences agree with the machine's.
  const net = runModel(model, { x: check }).y;
  assert.equal(compareAll(["y"], [flatSteps(net)], [flatSteps(mine[0])], "check").top1Agreement, 1);
  // reconstructed.onnx is the network itself (rounding level against onnxruntime on the original).
  const rec = readModel(path.join(dir, "reconstructed.onnx"));
  const [want] = await ortOutputs(model, [check]);
  const [got] = await ortOutputs(rec, [check]);
  assert.ok(compareAll(["y"], [want], [got], "check").maxAbsErr < 1e-6);
  // program.ts and program.py run the machine: the interpreter's outputs exactly.
  assertEmittedMatch(t, dir, check, mine);
});

/** [b, T, k] scores as [b*T, k] rows, so top-1 agreement counts steps. */
function flatSteps(t: Tensor): Tensor {
  const k = t.shape[2];
  return { ...t, shape: [t.shape[0] * t.shape[1], k] };
}

for (const name of ["count3_lstm", "add_gru"]) {
  test(`zoo ${name}: the explanation is the truth's machine, agreeing on >= 99% of held-out steps`, async () => {
    const dir = path.join(TRAINED_DIR, name);
    const model = readModel(path.join(dir, "model.onnx"));
    const truth = readTruth(path.join(dir, "truth.json"));
    const data = loadData(path.join(dir, "data.npy"), model.graph.inputs[0]).tensor;
    const { state } = await explainInto(model, { data: [data], source: name }, name);
    const m = state.program!.machines![0];
    assert.equal(m.minimalStates, truth.machine!.states, m.loop);
    assert.ok(m.agreement.heldOut.stepAgreement >= 0.99, `${m.agreement.heldOut.stepAgreement}`);
  });
}

test("zoo prevtok_attn: its head reads as previous-token, as truth.json says", async () => {
  const dir = path.join(TRAINED_DIR, "prevtok_attn");
  const model = readModel(path.join(dir, "model.onnx"));
  const data = loadData(path.join(dir, "data.npy"), model.graph.inputs[0]).tensor;
  const { state } = await explainInto(model, { data: [data], source: "prevtok" }, "prevtok");
  assert.deepEqual(state.program!.seqAnalysis!.heads.map((h) => h.kind), readTruth(path.join(dir, "truth.json")).heads);
});

test("--domain bits:N samples bit sequences of N steps for a recurrent net, and the machine is read from them", async () => {
  assert.deepEqual(parseDomain("bits:12"), { kind: "bits", length: 12 });
  assert.throws(() => parseDomain("bits:0"), /N must be a positive integer/);
  const model = runningMaxRnn();
  // 12 steps of one bit: every one of the 2^12 sequences; 20 steps: seeded samples.
  assert.deepEqual(sampleDomain(parseDomain("bits:12"), model.graph.inputs, 30, 1).tensors[0].shape, [4096, 12, 1]);
  const a = sampleDomain(parseDomain("bits:20"), model.graph.inputs, 30, 1);
  assert.deepEqual(a.tensors[0].shape, [30, 20, 1]);
  assert.deepEqual(Array.from(a.tensors[0].data as Float32Array), Array.from(sampleDomain(parseDomain("bits:20"), model.graph.inputs, 30, 1).tensors[0].data as Float32Array));
  // Uniform bits: most sequences hold a 1 early, so the "no 1 yet" state is short-lived but still there.
  const s = await runExplain({ model, domain: "bits:20", samples: 300, source: "runmax" }, { until: "machines" });
  assert.equal(s.program!.machines![0].minimalStates, 2);
  assert.match(s.program!.machines![0].loop, /max\(state, x0\)/);
});

test("a sequence classifier (decides after the last step) reads as a machine that emits once", async (t) => {
  const model = runningMaxRnn(true);
  const data = bitSequences(300, 12, 3);
  const { dir, state } = await explainInto(model, { data: [data], source: "anyone" }, "fsm-last");
  const m = state.program!.machines![0];
  assert.equal(m.implemented, true, JSON.stringify(m));
  assert.equal(m.minimalStates, 2);
  assert.match(m.loop, /state = max\(state, x0\); then emit\(state\) once, after the last step/);
  const check = bitSequences(50, 25, 4);
  const mine = runProgram(state.program!, [check]);
  assert.deepEqual(mine[0].shape, [50, 2]);
  assert.equal(compareAll(["y"], [runModel(model, { x: check }).y], mine, "check").top1Agreement, 1);
  assertEmittedMatch(t, dir, check, mine);
});

/** program.ts and program.py in `dir` give the interpreter's outputs `mine` on `check` (skipped, with a diagnostic,
 *  where a runtime is missing). */
function assertEmittedMatch(t: TestContext, dir: string, check: Tensor, mine: Tensor[]): void {
  for (const lang of ["ts", "py"] as const) {
    let r;
    try {
      r = runEmittedBatch(lang, [{ file: path.join(dir, `program.${lang}`), inputs: [check], outDtypes: ["float32"] }])[0];
    } catch (e) {
      if (e instanceof SkipArtifact) { t.diagnostic(`program.${lang} not run: ${e.message}`); continue; }
      throw e;
    }
    assert.ok(!("error" in r), `program.${lang}: ${"error" in r ? r.error : ""}`);
    assert.ok(compareAll(["y"], mine, r.outputs, "check").maxAbsErr < 1e-6, `program.${lang} differs from the interpreter`);
  }
}
