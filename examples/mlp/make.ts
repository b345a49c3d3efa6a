// Builds examples/mlp: a tiny MLP with a known algorithm, y = [max(x0, x1), |x2 - x3|], and 256 sample inputs.
// Written with pseudonet's own ONNX writer (src/onnx/write.ts). Run: node --import tsx examples/mlp/make.ts
//
//   h = relu(W1 x + b1)  with units x0-x1, x1, -x1, x2-x3, x3-x2
//   y = W2 h + b2        max(x0, x1) = relu(x0-x1) + relu(x1) - relu(-x1);  |x2-x3| = relu(x2-x3) + relu(x3-x2)
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Model, Node } from "../../src/graph/graph.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { writeModel } from "../../src/onnx/write.ts";
import { encodeNpy } from "../../src/data/npy.ts";
import { rng } from "../../src/util/rng.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

const W1 = [
  [1, -1, 0, 0],
  [0, 1, 0, 0],
  [0, -1, 0, 0],
  [0, 0, 1, -1],
  [0, 0, -1, 1],
];
const W2 = [
  [1, 1, -1, 0, 0],
  [0, 0, 0, 1, 1],
];

const gemm = (name: string, inputs: string[], output: string): Node => ({
  name, op: "Gemm", domain: "", inputs, outputs: [output], attrs: { transB: { kind: "int", value: 1 } },
});

const model: Model = {
  graph: {
    name: "max_and_absdiff",
    inputs: [{ name: "x", dtype: "float32", shape: ["batch", 4] }],
    outputs: [{ name: "y", dtype: "float32", shape: ["batch", 2] }],
    nodes: [
      gemm("fc1", ["x", "fc1.weight", "fc1.bias"], "h_pre"),
      { name: "relu", op: "Relu", domain: "", inputs: ["h_pre"], outputs: ["h"], attrs: {} },
      gemm("fc2", ["h", "fc2.weight", "fc2.bias"], "y"),
    ],
    initializers: new Map([
      ["fc1.weight", f32([5, 4], W1.flat())],
      ["fc1.bias", f32([5], [0, 0, 0, 0, 0])],
      ["fc2.weight", f32([2, 5], W2.flat())],
      ["fc2.bias", f32([2], [0, 0])],
    ]),
    valueInfo: [],
  },
  opset: new Map([["", 13]]),
  irVersion: 8,
  producerName: "pseudonet examples/mlp/make.ts",
  producerVersion: "0.1.0",
  docString: "y = [max(x0, x1), |x2 - x3|] as a 4-5-2 ReLU MLP",
  metadata: {},
};

const r = rng(2024); // seeded: the sample inputs are the same on every run
const N = 256;
const x = f32([N, 4], Array.from({ length: N * 4 }, () => Math.round((r() * 4 - 2) * 100) / 100));
writeModel(model, path.join(here, "model.onnx"));
writeFileSync(path.join(here, "x.npy"), encodeNpy(x));
process.stderr.write(`wrote ${path.join(here, "model.onnx")} and x.npy [${N}, 4]\n`);
