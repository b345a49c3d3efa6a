// linear-pairs: relu(z) - relu(-z) (a pass-through of z) becomes a linear skip; relu(z) + relu(-z) (abs) and
// other pairs stay two units.
import { test } from "node:test";
import assert from "node:assert/strict";
import { linearPairsPass } from "../../src/passes/linear-pairs.ts";
import { hiddenUnits } from "../../src/passes/net-edit.ts";
import { act, assertSameFunction, dense, net, stateFor } from "./simplify-helpers.ts";

test("max(x0, x1) written with a pass-through pair keeps only relu(x1 - x0)", () => {
  // relu(x0) - relu(-x0) + relu(x1 - x0), with the pair scaled differently (2 relu(x0/2) ...).
  const nt = net(2, [
    dense("fc1", "x", [[0.5, 0], [-3, 0], [-1, 1]], [0, 0, 0]),
    act("relu1", "fc1", 3),
    dense("fc2", "relu1", [[2, -1 / 3, 1]], [0]),
  ]);
  const r = linearPairsPass.run(stateFor(nt));
  assert.equal(hiddenUnits(r.out.net), 1);
  assert.match(r.report.summary, /1 pass-through pair/);
  assertSameFunction(nt, r.out.net);
});

test("abs(z) = relu(z) + relu(-z) and unequal pairs stay", () => {
  const nt = net(1, [dense("fc1", "x", [[1], [-1]], [0, 0]), act("relu1", "fc1", 2), dense("fc2", "relu1", [[1, 1], [1, -0.5]], [0, 0])]);
  const r = linearPairsPass.run(stateFor(nt));
  assert.equal(hiddenUnits(r.out.net), 2);
  assert.match(r.report.summary, /no pass-through pairs/);
});
