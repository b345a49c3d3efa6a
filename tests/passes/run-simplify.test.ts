// runSimplify: every exact pass in order with its report (units, weights, held-out fidelity, time); a pass that
// changes outputs beyond rounding is undone; the classifier decision; the whole list on a disguised zoo-like net.
import { test } from "node:test";
import assert from "node:assert/strict";
import { f32 } from "../../src/graph/tensor.ts";
import { budgetedPasses, exactPasses, runSimplify } from "../../src/passes/index.ts";
import { isClassifier } from "../../src/passes/state.ts";
import { hiddenUnits } from "../../src/passes/net-edit.ts";
import type { SimplifyPass } from "../../src/passes/simplify.ts";
import { simplifyReport } from "../../src/passes/report.ts";
import { act, assertSameFunction, dense, net, randomNet, stateFor } from "./simplify-helpers.ts";

test("the exact list runs in order and each report carries units, weights, fidelity and time", () => {
  const nt = randomNet(4, [3, 8, 6, 2]);
  const r = runSimplify(stateFor(nt));
  assert.deepEqual(r.reports.slice(0, exactPasses.length).map((x) => x.pass), exactPasses.map((p) => p.name));
  for (const rep of r.reports) {
    assert.equal(rep.kind, "exact");
    assert.ok(rep.heldOut.maxAbsErr <= 1e-5, `${rep.pass}: ${rep.heldOut.maxAbsErr}`);
    assert.ok(typeof rep.ms === "number" && rep.units.after <= rep.units.before);
  }
  assert.ok(budgetedPasses.every((p) => p.kind === "budgeted"));
  assertSameFunction(nt, r.state.net);
  assert.equal(r.state.original, nt, "the original Net is kept, untouched");
});

test("max2 compiled with a pass-through pair, split and dead units, simplifies to one unit over the box", () => {
  // max(x0, x1) = x0 + relu(x1 - x0), x0 carried by relu(x0) - relu(-x0); the max unit split in two copies; a dead unit.
  const nt = net(2, [
    dense("fc1", "x", [[2, 0], [-1, 0], [-1, 1], [-2, 2], [1, 1]], [0, 0, 0, 0, -3]),
    act("relu1", "fc1", 5),
    dense("fc2", "relu1", [[0.5, -1, 0.25, 0.375, 7]], [0]),
  ]);
  const r = runSimplify(stateFor(nt));
  assert.equal(hiddenUnits(r.state.net), 1);
  assertSameFunction(nt, r.state.net);
  const last = r.reports[r.reports.length - 1];
  assert.ok(last.certifiedMaxErr === undefined || last.certifiedMaxErr >= 0);
});

test("an exact pass that changes outputs is undone, and its report says so", () => {
  const broken: SimplifyPass = {
    name: "broken", kind: "exact", doc: "doubles every weight of the last layer (wrong on purpose)",
    run(s) {
      const layers = s.net.layers.map((l) => (l.kind === "affine" && l.id === "fc3" ? { ...l, W: l.W.map((v) => 2 * v) } : l));
      return simplifyReport(this, s, { ...s, net: { ...s.net, layers } }, "doubled");
    },
  };
  exactPasses.push(broken);
  try {
    const nt = randomNet(2, [3, 4, 4, 2]);
    const r = runSimplify(stateFor(nt));
    const rep = r.reports.find((x) => x.pass === "broken")!;
    assert.match(rep.summary, /^undone/);
    assertSameFunction(nt, r.state.net);
  } finally {
    exactPasses.pop();
  }
});

test("class scores: a vector whose every entry wins some row; a sorted output is not", () => {
  const nt = net(2, [dense("fc", "x", [[1, 0], [0, 1]], [0, 0])]);
  const scores = f32([4, 2], [1, 0, 0, 1, 2, 1, 0, 3]);
  const sorted = f32([3, 2], [0, 1, -1, 2, 0.5, 0.7]);
  assert.equal(isClassifier(nt, [scores]), true);
  assert.equal(isClassifier(nt, [sorted]), false);
  assert.equal(isClassifier(nt, [f32([3, 1], [1, 2, 3])]), false);
});
