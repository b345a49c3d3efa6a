// sink-transpose: the NHWC layout tf2onnx writes around Keras convs (Transpose to NCHW before each Conv, back after
// it, the activation in between on NHWC) normalizes to the NCHW graph: Transposes sink below unary ops so the pairs
// compose away, and a layout Transpose of a 1-channel image becomes a Reshape. Checked by running the graphs
// (interpreter and onnxruntime) and by lowering: the same Net as the NCHW original.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Model } from "../../src/graph/graph.ts";
import { normalize, sinkTranspose } from "../../src/graph/passes/index.ts";
import { rng } from "../helpers/rng.ts";
import { addConv, attr, GraphBuilder, randomFeeds } from "../helpers/nets.ts";
import { assertEquivalent } from "./equiv.ts";
import { netShape } from "./net-shape.ts";

/** conv(cin -> 3) -> act -> conv(3 -> cout) -> act, NCHW or NHWC-with-transposes; the same weights either way. */
function convNet(nhwc: boolean, cin: number, cout: number, act: "Relu" | "Tanh", seed = 1): Model {
  const r = rng(seed);
  const b = new GraphBuilder(nhwc ? "nhwc" : "nchw");
  let x = b.input("x", nhwc ? ["batch", 6, 5, cin] : ["batch", cin, 6, 5]);
  const T = (v: string, perm: number[]) => b.node("/t", "Transpose", [v], { perm: attr.ints(perm) });
  for (const [k, [i, o]] of [[cin, 3], [3, cout]].entries()) {
    if (nhwc) x = T(x, [0, 3, 1, 2]);
    x = addConv(r, b, `/conv${k}`, x, i, o, 3, 1);
    if (nhwc) x = T(x, [0, 2, 3, 1]);
    x = b.node(`/act${k}`, act, [x]);
  }
  b.output(x, "y", nhwc ? ["batch", 6, 5, cout] : ["batch", cout, 6, 5]);
  return b.model(13);
}

test("sink-transpose: NHWC transposes around convs compose away; 1-channel layout transposes are reshapes", async () => {
  for (const [cin, cout, act] of [[1, 1, "Relu"], [2, 1, "Tanh"], [1, 2, "Relu"]] as const) {
    const m = convNet(true, cin, cout, act);
    const { out, report } = sinkTranspose.run(m);
    await assertEquivalent(m, out, randomFeeds(rng(3), m, 2), { label: report.summary });
    const norm = normalize(m).model;
    // Only the outer layout changes can stay: one before the first conv (cin > 1) and one after the last (cout > 1).
    assert.equal(norm.graph.nodes.filter((n) => n.op === "Transpose").length, (cin > 1 ? 1 : 0) + (cout > 1 ? 1 : 0), `${cin}->${cout}: ${norm.graph.nodes.map((n) => n.op).join(" ")}`);
    if (cin === 1 && cout === 1) {
      // The NCHW net's Net, up to the reshapes at the two ends.
      const shape = netShape(m).filter((l) => !l.startsWith("reshape"));
      assert.deepEqual(shape, netShape(convNet(false, cin, cout, act)));
    }
  }
});

test("sink-transpose: attention-style transposes (perm 0,2,1,3) and transposes read twice stay", () => {
  const b = new GraphBuilder("attn");
  const x = b.input("x", ["batch", 4, 1, 8]);
  const t = b.node("/t", "Transpose", [x], { perm: attr.ints([0, 2, 1, 3]) });
  b.output(b.node("/r", "Relu", [t]), "y", ["batch", 1, 4, 8]);
  const { out } = sinkTranspose.run(b.model(13));
  assert.deepEqual(out.graph.nodes.map((n) => n.op), ["Relu", "Transpose"]);

  const b2 = new GraphBuilder("two");
  const x2 = b2.input("x", ["batch", 4, 3, 2]);
  const t2 = b2.node("/t", "Transpose", [x2], { perm: attr.ints([0, 3, 1, 2]) });
  b2.output(b2.node("/a", "Add", [b2.node("/r", "Relu", [t2]), t2]), "y", ["batch", 2, 4, 3]);
  assert.deepEqual(sinkTranspose.run(b2.model(13)).out.graph.nodes.map((n) => n.op), ["Transpose", "Relu", "Add"]);
});
