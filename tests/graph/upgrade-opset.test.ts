// upgrade-opset: an opset-6 model (legacy broadcast/axis attributes, is_test, per-channel PRelu slopes) rewritten as
// opset 7 computes the same: the interpreter runs the original (opset 6 semantics), onnxruntime and the interpreter
// the upgraded one. What it cannot rewrite keeps the model's opset, with the reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { f32 } from "../../src/graph/tensor.ts";
import { upgradeOpset } from "../../src/graph/passes/index.ts";
import { runModel } from "../../src/run/interp.ts";
import { ortRun } from "../../src/run/ort.ts";
import { rng, randnArray } from "../helpers/rng.ts";
import { attr, GraphBuilder, maxRelErr, randomFeeds } from "../helpers/nets.ts";

test("upgrade-opset: legacy broadcasts on an axis, Gemm broadcast, is_test and PRelu slopes move to opset 7", async () => {
  const r = rng(3);
  const b = new GraphBuilder("old");
  const x = b.input("input", ["batch", 3, 4, 2]);
  // Add(x, bias[C], broadcast=1, axis=1): per-channel bias, which numpy broadcasting would put on the last axis.
  let h = b.node("/add", "Add", [x, b.init("cb", f32([3], randnArray(r, 3)))], { broadcast: attr.int(1), axis: attr.int(1) });
  h = b.node("/mul", "Mul", [h, b.init("s", f32([2], randnArray(r, 2)))], { broadcast: attr.int(1) }); // suffix-aligned
  h = b.node("/bn", "BatchNormalization", [h, ...["g", "bb", "m"].map((n) => b.init(n, f32([3], randnArray(r, 3)))), b.init("v", f32([3], [0.5, 1, 2]))],
    { is_test: attr.int(1), epsilon: attr.float(1e-3) });
  h = b.node("/prelu", "PRelu", [h, b.init("slope", f32([3], [0.1, 0.2, 0.3]))]);
  h = b.node("/flat", "Flatten", [h]);
  const y = b.node("/fc", "Gemm", [h, b.init("W", f32([24, 5], randnArray(r, 120))), b.init("c", f32([5], randnArray(r, 5)))], { broadcast: attr.int(1) });
  b.output(y, "output", ["batch", 5]);
  const model = b.model(6);
  const { out, report } = upgradeOpset.run(model);
  assert.equal(report.summary, "opset 6 -> 7", report.details.join("; "));
  assert.equal(out.opset.get(""), 7);
  assert.ok(out.graph.nodes.every((n) => !("broadcast" in n.attrs) && !("axis" in n.attrs && n.op === "Add") && !("is_test" in n.attrs)));
  const feeds = randomFeeds(rng(4), model, 3);
  const before = runModel(model, feeds).output;
  assert.ok(maxRelErr(runModel(out, feeds).output, before) <= 1e-6, "interpreter: upgraded vs original");
  assert.ok(maxRelErr((await ortRun(out, feeds)).output, before) <= 1e-5, "onnxruntime on the upgraded model vs the original");
});

test("upgrade-opset: a computed operand broadcast on an axis keeps the opset, and says why; opset >= 7 is untouched", () => {
  const b = new GraphBuilder("old2");
  const x = b.input("input", ["batch", 3, 4]);
  const v = b.input("v", ["batch", 3]);
  b.output(b.node("/add", "Add", [x, v], { broadcast: attr.int(1), axis: attr.int(0) }), "output", ["batch", 3, 4]);
  const m = b.model(6);
  const { out, report } = upgradeOpset.run(m);
  assert.equal(out, m);
  assert.match(report.summary, /^kept opset 6: Add '.*' aligns a computed operand at axis 0$/);
  const m13 = b.model(13);
  assert.equal(upgradeOpset.run(m13).out, m13);
});
