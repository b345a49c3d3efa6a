// select-affine: an opaque Slice of a vector becomes a 0/1 affine map (so bounds see through it and it fuses);
// an opaque layer that computes anything else stays.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../src/graph/tensor.ts";
import type { Layer, Net } from "../../src/net/net.ts";
import { selectAffinePass } from "../../src/passes/select-affine.ts";
import { act, dense, maxDiff, boxRows, stateFor } from "./simplify-helpers.ts";

function opaque(id: string, op: "Slice" | "Exp"): Layer {
  const inits = new Map(op === "Slice" ? [["s", tensor("int64", [1], [1])], ["e", tensor("int64", [1], [3])], ["a", tensor("int64", [1], [1])]] : []);
  return {
    kind: "opaque", id, inputs: ["x"], shape: op === "Slice" ? [2] : [4], dtype: "float32", origin: [id], perSample: true, reason: "test", opset: new Map([["", 13]]),
    graph: {
      name: id, inputs: [{ name: "x", dtype: "float32", shape: ["N", 4] }], outputs: [{ name: "y", dtype: "float32", shape: null }], valueInfo: [],
      nodes: [{ name: "n", op, domain: "", inputs: op === "Slice" ? ["x", "s", "e", "a"] : ["x"], outputs: ["y"], attrs: {} }],
      initializers: inits,
    },
  } as Layer;
}

function netWith(op: "Slice" | "Exp"): Net {
  const n = op === "Slice" ? 2 : 4;
  return {
    inputs: [{ name: "x", dtype: "float32", shape: [4], batchDim: "N" }],
    layers: [opaque("sel", op), dense("fc1", "sel", [Array(n).fill(1)], [0]), act("relu1", "fc1", 1), dense("fc2", "relu1", [[2]], [0])],
    outputs: [{ name: "y", from: "fc2" }],
  };
}

test("x[1:3] as an opaque Slice becomes a 0/1 affine map with the same outputs", () => {
  const nt = netWith("Slice");
  const r = selectAffinePass.run(stateFor(nt));
  const sel = r.out.net.layers[0];
  assert.equal(sel.kind, "affine");
  assert.deepEqual(sel.kind === "affine" ? [...sel.W] : [], [0, 1, 0, 0, 0, 0, 1, 0]);
  assert.equal(maxDiff(nt, r.out.net, boxRows(2, 200, 4)), 0);
});

test("an opaque layer that is not a selection stays", () => {
  const nt = netWith("Exp");
  assert.equal(selectAffinePass.run(stateFor(nt)).out.net.layers[0].kind, "opaque");
});
