// The real corpus models, node by node: every node of a shaping/sequence/quantisation op is fed the
// values onnxruntime computed for its inputs and must reproduce onnxruntime's outputs; its shape rule,
// fed the exact input shapes (values for shape-sized inputs), must predict them. This checks our ops on
// real exports (GPT-2 shape plumbing, bi-LSTMs, quantised CNNs) whether or not other ops have kernels yet.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { sizeOf } from "../../../src/graph/tensor.ts";
import { ops as sequence } from "../../../src/ops/_sequence.ts";
import { ops as shaping } from "../../../src/ops/_shaping.ts";
import { inferShapes } from "../../../src/graph/infer.ts";
import { readModel } from "../../../src/onnx/read.ts";
import { runNode } from "../../../src/run/interp.ts";
import { ortRun } from "../../../src/run/ort.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { corpusDir, loadData, NO_CORPUS } from "../../helpers/corpus.ts";

const MODELS = [
  "cntk_lstm_bidirectional", "cntk_rnn_bidirectional_relu", "nnsplit_bilstm_tract", "mnist8_dynamic_quantized_connxr",
  "gpt2_past_tiny_ort", "bert_toy_ort", "super_resolution_pytorch",
];
const mine = new Map([...shaping, ...sequence].map((o) => [o.name, o]));

describe("corpus models, node by node against onnxruntime", () => {
  const root = corpusDir();
  for (const name of MODELS) {
    it(name, async (t) => {
      if (!root) return t.skip(NO_CORPUS);
      const dir = path.join(root, "models", name);
      const model = readModel(path.join(dir, "model.onnx"));
      const g = model.graph;
      // gpt2_past_tiny_ort defines some values twice (a Constant node and an initializer that is also a graph
      // input); onnxruntime keeps the initializer, so those Constant nodes are not comparable.
      const nodes = g.nodes.filter((n) => n.domain === "" && mine.has(n.op) && !n.outputs.some((o) => g.initializers.has(o)));
      assert.ok(nodes.length > 0, "the model uses our ops");
      const { inputs } = loadData(model, dir);
      const wanted = [...new Set(nodes.flatMap((n) => [...n.inputs, ...n.outputs]).filter((v) => v))];
      const ref = await ortRun(model, inputs, { outputs: wanted });
      const opset = model.opset.get("") ?? 1;
      const bad: string[] = [];
      for (const n of nodes) {
        const ins = n.inputs.map((v) => (v ? ref[v] : undefined));
        const outs = runNode(n, model.opset, ins);
        const infos = ins.map((x) => x && { dtype: x.dtype, shape: [...x.shape], ...(sizeOf(x.shape) <= 64 ? { value: x } : {}) });
        const pred = mine.get(n.op)!.shape(infos, { node: n, opset });
        n.outputs.forEach((o, k) => {
          if (!o) return;
          const diff = mismatch(outs[k], ref[o], 1e-4, 1e-5);
          if (diff) bad.push(`${n.name} (${n.op}) output '${o}': ${diff}`);
          const p = pred[k];
          if (p.dtype !== ref[o].dtype || JSON.stringify(p.shape) !== JSON.stringify(ref[o].shape)) {
            bad.push(`${n.name} (${n.op}) shape rule says ${p.dtype}[${p.shape}], onnxruntime gives ${ref[o].dtype}[${ref[o].shape}]`);
          }
          if (p.value && mismatch(p.value, ref[o], 0, 0)) bad.push(`${n.name} (${n.op}) folded value differs`);
        });
      }
      assert.deepEqual(bad.slice(0, 10), [], `${bad.length} mismatches over ${nodes.length} nodes`);
    });
  }
});

describe("corpus models, whole-graph shape inference with concrete input shapes", () => {
  const root = corpusDir();
  // Shape -> Gather -> Unsqueeze -> Concat -> Reshape plumbing must fold so that every value's dims are exact.
  for (const name of ["gpt2_past_tiny_ort", "bert_toy_ort", "nnsplit_bilstm_tract"]) {
    it(name, async (t) => {
      if (!root) return t.skip(NO_CORPUS);
      const dir = path.join(root, "models", name);
      const model = readModel(path.join(dir, "model.onnx"));
      const { inputs } = loadData(model, dir);
      const values = [...new Set(model.graph.nodes.flatMap((n) => n.outputs).filter((v) => v && !model.graph.initializers.has(v)))];
      const ref = await ortRun(model, inputs, { outputs: values });
      const inferred = inferShapes(model, { inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, { dtype: v.dtype, shape: [...v.shape] }])) });
      const bad = values.filter((v) => {
        const s = inferred.get(v);
        return !s || s.dtype !== ref[v].dtype || JSON.stringify(s.shape) !== JSON.stringify(ref[v].shape);
      });
      assert.deepEqual(bad.slice(0, 5).map((v) => `${v}: ${JSON.stringify(inferred.get(v))} vs [${ref[v].shape}]`), [], `${bad.length}/${values.length} values not exact`);
    });
  }
});
