// transpose-into-dense: a Keras conv net through tf2onnx flattens NHWC maps (Transpose(0, 2, 3, 1), Reshape to
// [N, H*W*C]) before its Dense; normalized, it is PyTorch's NCHW Flatten + Gemm with the columns permuted: the same
// values (interpreter and onnxruntime) and the same Net. A transpose read twice, or not flattened into a dense layer,
// stays.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Model } from "../../src/graph/graph.ts";
import { normalize, transposeIntoDense } from "../../src/graph/passes/index.ts";
import { rng } from "../helpers/rng.ts";
import { addConv, addDense, attr, GraphBuilder, i64, randomFeeds } from "../helpers/nets.ts";
import { assertEquivalent } from "./equiv.ts";
import { netShape } from "./net-shape.ts";

/** x [N, 2, 4, 3] -> Conv(3 ch) [-> Transpose NHWC] -> Relu -> flatten -> MatMul+Add (tf) or Gemm (torch) -> [N, 5]. */
function cnn(keras: boolean, seed: number, extraReader = false): Model {
  const r = rng(seed);
  const b = new GraphBuilder(keras ? "keras" : "torch");
  let x = addConv(r, b, "/conv", b.input("x", ["batch", 2, 4, 3]), 2, 3, 3, 1);
  if (keras) x = b.node("/t", "Transpose", [x], { perm: attr.ints([0, 2, 3, 1]) });
  const t = x;
  x = b.node("/relu", "Relu", [x]);
  x = keras ? b.node("/flat", "Reshape", [x, b.init("shape", i64([2], [-1, 36]))]) : b.node("/flat", "Flatten", [x], { axis: attr.int(1) });
  x = addDense(r, b, "/fc", x, 36, 5, keras ? "matmul" : "gemm");
  if (extraReader) x = b.node("/sum", "Add", [x, b.node("/rs", "ReduceSum", [t, b.init("axes", i64([3], [1, 2, 3]))], { keepdims: attr.int(0) })]);
  b.output(x, "y", ["batch", 5]);
  return b.model(13);
}

test("transpose-into-dense: Keras's NHWC flatten before a Dense normalizes to the NCHW Flatten + Gemm", async () => {
  for (const seed of [1, 2]) {
    const m = cnn(true, seed);
    const norm = normalize(m).model;
    assert.equal(norm.graph.nodes.filter((n) => n.op === "Transpose").length, 0, norm.graph.nodes.map((n) => n.op).join(" "));
    await assertEquivalent(m, norm, randomFeeds(rng(3), m, 4));
    assert.deepEqual(netShape(m), netShape(cnn(false, seed)));
  }
});

test("transpose-into-dense: a transpose with another reader stays", () => {
  const m = normalize(cnn(true, 1, true)).model;
  const { out, report } = transposeIntoDense.run(m);
  assert.equal(report.details.length, 0);
  assert.equal(out.graph.nodes.filter((n) => n.op === "Transpose").length, 1);
});
