// The committed sequence cases (zoo/trained/train_seq.py): real torch.onnx.export models at opset 13 that run the
// same under onnxruntime and our interpreter, and reproduce the held-out accuracy truth.json records, checked
// against the task written again here (the truth's algorithm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readModel } from "../../src/onnx/read.ts";
import { loadData } from "../../src/data/load.ts";
import { ortOutputs } from "../../src/verify/reference.ts";
import { runModel } from "../../src/run/interp.ts";
import { readTruth } from "../../zoo/truth.ts";
import { TRAINED_DIR } from "../../zoo/zoo.ts";
import { SEQ_EXPECTED } from "./seq-cases.ts";

/** Per case: the label at every step of one sequence (rows [T, d] flattened), -1 where the task defines none. */
const TASKS: Record<string, (x: number[][]) => number[]> = {
  parity_rnn: (x) => scan(x, 0, (s, r) => (s + r[0]) % 2, (s) => s),
  count3_lstm: (x) => scan(x, 0, (s, r) => (s + r[0]) % 3, (s) => s),
  runmax_rnn: (x) => scan(x, 0, (s, r) => Math.max(s, r[0]), (s) => s),
  add_gru: (x) => scan(x, 0, (s, r) => r[0] + r[1] + Math.floor(s / 2), (s) => s % 2),
  paren_gru: (x) => scan(x, 0, (s, r) => s + 2 * r[0] - 1, (s) => s),
  pattern_lstm: (x) => x.map((_, t) => (t >= 2 && x[t - 2][0] === 1 && x[t - 1][0] === 0 && x[t][0] === 1 ? 1 : 0)),
  prevtok_attn: (x) => x.map((_, t) => (t === 0 ? -1 : x[t - 1][0])),
  firsttok_attn: (x) => x.map((_, t) => (t === 0 ? -1 : x[0][0])),
  // after a BOS at position 0: occurrences of x[t] among x[1..t], capped at 4
  count_attn: (x) => x.map((r, t) => (t === 0 ? -1 : Math.min(4, x.slice(1, t + 1).filter((q) => q[0] === r[0]).length))),
};

function scan(x: number[][], s0: number, next: (s: number, r: number[]) => number, emit: (s: number) => number): number[] {
  let s = s0;
  return x.map((r) => emit((s = next(s, r))));
}

test("every sequence case has its task written down here", () => {
  assert.deepEqual(Object.keys(TASKS).sort(), [...SEQ_EXPECTED].sort());
});

for (const name of SEQ_EXPECTED) {
  test(`trained ${name}: onnxruntime and our interpreter agree, and the recorded held-out accuracy is reproduced`, async () => {
    const dir = join(TRAINED_DIR, name);
    const model = readModel(join(dir, "model.onnx"));
    assert.equal(model.producerName, "pytorch");
    assert.equal(model.opset.get(""), 13);
    const truth = readTruth(join(dir, "truth.json"));
    const x = loadData(join(dir, "data.npy"), model.graph.inputs[0]).tensor;
    const [y] = await ortOutputs(model, [x]);
    const ours = runModel(model, { [model.graph.inputs[0].name]: x }).y;
    const a = y.data as Float32Array, b = ours.data as Float32Array;
    let diff = 0;
    a.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - b[i]))));
    assert.ok(diff < 1e-4, `interpreter vs onnxruntime: ${diff}`);
    const [n, T] = x.shape, d = x.shape.length > 2 ? x.shape[2] : 1, k = y.shape[2];
    const xs = Array.from(x.data as ArrayLike<number>, Number);
    let ok = 0, counted = 0;
    for (let i = 0; i < n; i++) {
      const rows = Array.from({ length: T }, (_, t) => xs.slice((i * T + t) * d, (i * T + t + 1) * d));
      TASKS[name](rows).forEach((label, t) => {
        if (label < 0) return;
        let best = 0;
        for (let c = 1; c < k; c++) if (a[(i * T + t) * k + c] > a[(i * T + t) * k + best]) best = c;
        counted++;
        if (best === label) ok++;
      });
    }
    const acc = truth.accuracy!;
    const recorded = acc.heldOutSteps ?? acc.heldOutPositions;
    assert.ok(Math.abs(ok / counted - recorded) < 1e-6, `${name}: ${ok / counted} vs recorded ${recorded}`);
    assert.ok(recorded >= 0.999, `${name}: held-out accuracy ${recorded}: not essentially perfect`);
  });
}
