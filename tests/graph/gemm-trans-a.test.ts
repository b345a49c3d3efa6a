// gemm-trans-a: Gemm(Transpose(x), transA=1) reads x itself (same values by the interpreter and onnxruntime, the
// same Net after normalize + lower); a transA Gemm of anything else is left as it is.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Model } from "../../src/graph/graph.ts";
import { gemmTransA } from "../../src/graph/passes/index.ts";
import { cloneModel } from "../../src/graph/passes/edit.ts";
import { rng } from "../helpers/rng.ts";
import { randomFeeds, randomMLP } from "../helpers/nets.ts";
import { assertEquivalent } from "./equiv.ts";
import { netShape } from "./net-shape.ts";

/** Every Gemm of m reads Transpose(x) with transA=1; `perm` written out or left to the default. */
function transposedA(m: Model, perm: boolean): Model {
  const out = cloneModel(m);
  const g = out.graph;
  for (const n of g.nodes.filter((x) => x.op === "Gemm")) {
    const t = `${n.name}_xT`;
    g.nodes.splice(g.nodes.indexOf(n), 0, { name: `${n.name}_T`, op: "Transpose", domain: "", inputs: [n.inputs[0]], outputs: [t], attrs: perm ? { perm: { kind: "ints", value: [1, 0] } } : {} });
    n.inputs[0] = t;
    n.attrs = { ...n.attrs, transA: { kind: "int", value: 1 } };
  }
  return out;
}

test("gemm-trans-a: Gemm(Transpose(x), transA=1) -> Gemm(x): same values, same Net", async () => {
  for (const seed of [1, 2, 3]) {
    const base = randomMLP(rng(seed), [4, 6, 5, 2]);
    for (const perm of [true, false]) {
      const m = transposedA(base, perm);
      const { out, report } = gemmTransA.run(m);
      assert.deepEqual(out.graph.nodes.map((n) => n.op), base.graph.nodes.map((n) => n.op), report.summary);
      await assertEquivalent(m, out, randomFeeds(rng(seed), m, 5), { label: report.summary });
      assert.deepEqual(netShape(m), netShape(base));
    }
  }
});

test("gemm-trans-a: transA of a value that is not a transpose is kept", () => {
  const m = cloneModel(randomMLP(rng(4), [3, 3, 3]));
  const gemm = m.graph.nodes.find((n) => n.op === "Gemm")!;
  gemm.attrs = { ...gemm.attrs, transA: { kind: "int", value: 1 } };
  const { out, report } = gemmTransA.run(m);
  assert.equal(report.details.length, 0);
  assert.equal(out.graph.nodes.find((n) => n.op === "Gemm")!.attrs.transA?.value, 1);
});
