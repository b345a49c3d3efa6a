// budget.ts's activations (the budgeted passes' re-fit evidence) run a fixed-batch net that many rows at a time,
// as runRows and probe do: a net exported for batch 1 bakes the 1 into its reshapes and refuses more rows at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { f32 } from "../../src/graph/tensor.ts";
import type { Net } from "../../src/net/net.ts";
import { normalize } from "../../src/graph/passes/index.ts";
import { lower } from "../../src/net/lower.ts";
import { runNet } from "../../src/net/run.ts";
import { pickRows } from "../../src/passes/probe.ts";
import { activations, budgetRows } from "../../src/passes/budget.ts";
import { simplifyState } from "../../src/passes/state.ts";
import { rng } from "../helpers/rng.ts";
import { addAct, addDense, GraphBuilder, i64 } from "../helpers/nets.ts";

function batchOneNet(): Net {
  const r = rng(48);
  const b = new GraphBuilder("batch1");
  const x = b.input("input", [1, 2, 3]);
  const flat = b.node("", "Cos", [b.node("", "Reshape", [b.node("", "Sin", [x]), b.init("shape", i64([2], [1, 6]))])]);
  b.output(addAct(b, "/act", addDense(r, b, "/fc", flat, 6, 4, "gemm"), "relu"), "output", [1, 4]);
  return lower(normalize(b.model(13)).model).net;
}

test("activations of a batch-1 net on 7 rows: run row by row, equal to running each row alone", () => {
  const net = batchOneNet();
  const r = rng(50);
  const data = { input: f32([7, 2, 3], Array.from({ length: 42 }, () => r() * 2 - 1)) };
  assert.throws(() => runNet(net, data), "the net itself refuses 7 rows at once");
  const got = activations(net, data);
  for (const l of net.layers) {
    const want = Array.from({ length: 7 }, (_, i) => runNet(net, { input: pickRows(data.input, [i]) }).activations[l.id]);
    assert.equal(got.get(l.id)!.shape[0], 7, l.id);
    assert.deepEqual([...(got.get(l.id)!.data as Float32Array)], want.flatMap((t) => [...(t.data as Float32Array)]), l.id);
  }
});

test("budgetRows: taken once per analysis set (every pass of a run gets the same rows), and fresh for other rows", () => {
  const net = batchOneNet();
  const r = rng(51);
  const rows = (n: number) => ({ input: f32([n, 2, 3], Array.from({ length: n * 6 }, () => r() * 2 - 1)) });
  const s = simplifyState(net, rows(40), rows(8));
  const a = budgetRows(s);
  // A later pass's state: another Net, the same analysis rows and reference outputs.
  assert.equal(budgetRows({ ...s, net: { ...s.net } }), a);
  // Every 4th row fits (10 of 40); the other 30 check; the copies hold the rows they name.
  assert.equal(a.fitCount, 10);
  assert.deepEqual([...(a.fit.input.data as Float32Array).subarray(6, 12)], [...(s.analysis.input.data as Float32Array).subarray(24, 30)]);
  assert.equal(a.checkRef[0].shape[0], 30);
  const other = simplifyState(net, rows(40), rows(8));
  const b = budgetRows(other);
  assert.notEqual(b, a);
  assert.notDeepEqual([...(b.fit.input.data as Float32Array)], [...(a.fit.input.data as Float32Array)]);
});
