// canonical-relu: Max(x, 0), Clip(x, 0, +inf) and LeakyRelu(x, alpha=0) become Relu (the same values by the
// interpreter and onnxruntime, and the same Net after normalize + lower); look-alikes that are not ReLU stay.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Model, Node } from "../../src/graph/graph.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { canonicalRelu } from "../../src/graph/passes/index.ts";
import { cloneModel } from "../../src/graph/passes/edit.ts";
import { rng } from "../helpers/rng.ts";
import { randomFeeds, randomMLP } from "../helpers/nets.ts";
import { assertEquivalent } from "./equiv.ts";
import { netShape } from "./net-shape.ts";

/** A copy of m with every Relu rewritten by `make` (which may add initialisers). */
function disguise(m: Model, make: (m: Model, n: Node, k: number) => void): Model {
  const out = cloneModel(m);
  out.graph.nodes.filter((n) => n.op === "Relu").forEach((n, k) => make(out, n, k));
  return out;
}

const zero = (m: Model, name: string, shape: number[], v = 0) => {
  m.graph.initializers.set(name, f32(shape, new Float32Array(shape.reduce((a, d) => a * d, 1)).fill(v)));
  return name;
};

const DISGUISES: Record<string, (m: Model, n: Node, k: number) => void> = {
  "Max(x, 0)": (m, n, k) => Object.assign(n, { op: "Max", inputs: [n.inputs[0], zero(m, `z${k}`, [])] }),
  "Max([[0]], x)": (m, n, k) => Object.assign(n, { op: "Max", inputs: [zero(m, `z${k}`, [1, 1]), n.inputs[0]] }),
  "Clip(x, 0)": (m, n, k) => Object.assign(n, { op: "Clip", inputs: [n.inputs[0], zero(m, `lo${k}`, [])] }),
  "Clip(x, 0, inf)": (m, n, k) => Object.assign(n, { op: "Clip", inputs: [n.inputs[0], zero(m, `lo${k}`, []), zero(m, `hi${k}`, [], Infinity)] }),
  "LeakyRelu(x, 0)": (_m, n) => Object.assign(n, { op: "LeakyRelu", attrs: { alpha: { kind: "float", value: 0 } } }),
};

test("canonical-relu: every ReLU in disguise becomes Relu, computes the same and lowers to the same Net", async () => {
  for (const seed of [1, 2]) {
    const base = randomMLP(rng(seed), [5, 7, 6, 3]);
    for (const [label, make] of Object.entries(DISGUISES)) {
      const m = disguise(base, make);
      const { out, report } = canonicalRelu.run(m);
      assert.deepEqual(out.graph.nodes.map((n) => n.op), base.graph.nodes.map((n) => n.op), `${label}: ${report.summary}`);
      await assertEquivalent(m, out, randomFeeds(rng(seed + 10), m, 5), { label });
      assert.deepEqual(netShape(m), netShape(base), label);
    }
  }
});

test("canonical-relu: Clip with opset-6 attributes (min 0, no max) is ReLU too", () => {
  const m = disguise(randomMLP(rng(3), [4, 5, 2], { opset: 9 }), (_m, n) => Object.assign(n, { op: "Clip", attrs: { min: { kind: "float", value: 0 } } }));
  assert.deepEqual(canonicalRelu.run(m).out.graph.nodes.filter((n) => n.op === "Relu").length, 1);
});

test("canonical-relu: Max(x, 0.1), Clip(x, 0, 6), LeakyRelu(0.1) and Max(x, [0, 0, ...]) broadcasting x up are kept", () => {
  const base = randomMLP(rng(4), [4, 5, 2]);
  const kept: Record<string, (m: Model, n: Node, k: number) => void> = {
    "Max(x, 0.1)": (m, n, k) => Object.assign(n, { op: "Max", inputs: [n.inputs[0], zero(m, `z${k}`, [], 0.1)] }),
    "Clip(x, 0, 6)": (m, n, k) => Object.assign(n, { op: "Clip", inputs: [n.inputs[0], zero(m, `lo${k}`, []), zero(m, `hi${k}`, [], 6)] }),
    "LeakyRelu(x, 0.1)": (_m, n) => Object.assign(n, { op: "LeakyRelu", attrs: { alpha: { kind: "float", value: 0.1 } } }),
    "Max(x, zeros[2, 1, 5])": (m, n, k) => Object.assign(n, { op: "Max", inputs: [n.inputs[0], zero(m, `z${k}`, [2, 1, 5])] }),
  };
  for (const [label, make] of Object.entries(kept)) {
    const { out } = canonicalRelu.run(disguise(base, make));
    assert.equal(out.graph.nodes.filter((n) => n.op === "Relu").length, 0, label);
  }
});
