// dead-units: units proven dead over the box go; units only never active on the data stay when there is a box
// (and go without one); both counts are reported; outputs are unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { deadUnitsPass } from "../../src/passes/dead-units.ts";
import { hiddenUnits } from "../../src/passes/net-edit.ts";
import { act, assertSameFunction, boxRows, dense, net, stateFor } from "./simplify-helpers.ts";

// x in [-1, 1]^2. Unit 0 live; unit 1: x0 + x1 - 3 <= -1 on the box (provably dead); unit 2: x0 - 0.999 is
// positive only on a sliver of the box the data (x0 < 0.9) never reaches: dead on the data, not provably.
const nt = net(2, [
  dense("fc1", "x", [[1, -1], [1, 1], [1, 0]], [0.2, -3, -0.999]),
  act("relu1", "fc1", 3),
  dense("fc2", "relu1", [[1, 2, 3]], [0.5]),
]);
const data = boxRows(3, 500, 2, -1, 0.9);

test("with a box only the provably dead unit goes, and both counts are reported", () => {
  const s = stateFor(nt, { data });
  const r = deadUnitsPass.run(s);
  assert.equal(hiddenUnits(r.out.net), 2);
  assert.match(r.report.summary, /1 provably dead over the box .* 2 never active on the data/);
  assert.deepEqual(r.report.units, { before: 3, after: 2 });
  assertSameFunction(nt, r.out.net);
  const fc1 = r.out.net.layers.find((l) => l.id === "fc1")!;
  assert.deepEqual(fc1.unitOrigin, [["fc1:0"], ["fc1:2"]]);
});

test("without a box the data decides and the report says the claim is observed", () => {
  const s = stateFor(nt, { data, withBox: false });
  const r = deadUnitsPass.run(s);
  assert.equal(hiddenUnits(r.out.net), 1);
  assert.match(r.report.summary, /2 never active .*observed, not proven/);
  assert.equal(r.report.heldOut.maxAbsErr, 0);
  // Outside the data the removed unit 2 would fire: the pass claims nothing there.
  assertSameFunction(nt, r.out.net, -1, 0.9);
});

test("a unit dead in every layer of a deeper net: random nets keep their function", () => {
  const deep = net(3, [
    dense("fc1", "x", [[1, 0, 0], [0, 1, 0], [-1, -1, -1]], [0, 0, -4]),
    act("relu1", "fc1", 3),
    dense("fc2", "relu1", [[1, 1, 5], [0.5, -1, 1]], [-10, 0.1]),
    act("relu2", "fc2", 2),
    dense("fc3", "relu2", [[1, 1]], [0]),
  ]);
  const r = deadUnitsPass.run(stateFor(deep));
  assert.deepEqual(r.report.units, { before: 5, after: 3 });
  assertSameFunction(deep, r.out.net);
});

test("without a box, too few rows decline the observed claim and the report says why; enough rows allow it", () => {
  const few = stateFor(nt, { data: boxRows(3, 40, 2, -1, 0.9), withBox: false });
  const r = deadUnitsPass.run(few);
  assert.equal(hiddenUnits(r.out.net), 3, "nothing removed on 40 rows");
  assert.match(r.report.summary, /declined: 40 row\(s\) are too few .*100 needed/);
  const many = deadUnitsPass.run(stateFor(nt, { data: boxRows(3, 100, 2, -1, 0.9), withBox: false }));
  assert.equal(hiddenUnits(many.out.net), 1);
  // a box proves what it proves whatever the row count
  assert.equal(hiddenUnits(deadUnitsPass.run(stateFor(nt, { data: boxRows(3, 40, 2, -1, 0.9) })).out.net), 2);
});
