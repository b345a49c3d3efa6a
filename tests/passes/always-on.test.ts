// always-on: a ReLU proven >= 0 over the box is the identity; its unit becomes a skip connection, and a layer
// with only such units disappears.
import { test } from "node:test";
import assert from "node:assert/strict";
import { alwaysOnPass } from "../../src/passes/always-on.ts";
import { fuseAffinePass } from "../../src/passes/fuse-affine.ts";
import { hiddenUnits } from "../../src/passes/net-edit.ts";
import { act, assertSameFunction, dense, net, stateFor } from "./simplify-helpers.ts";

const nt = net(2, [
  dense("fc1", "x", [[1, -1], [1, 0.5], [0.2, 0.1]], [0, 3, 1]),
  act("relu1", "fc1", 3),
  dense("fc2", "relu1", [[1, 2, 3], [-1, 4, 0.5]], [0.5, 0]),
]);

test("units proven >= 0 over the box become a skip connection; outputs unchanged", () => {
  const r = alwaysOnPass.run(stateFor(nt));
  assert.equal(hiddenUnits(r.out.net), 1);
  assert.match(r.report.summary, /2 always-on .*2 proven >= 0 over the box/);
  const fc2 = r.out.net.layers.find((l) => l.id === "fc2")!;
  const cat = r.out.net.layers.find((l) => l.id === fc2.inputs[0])!;
  assert.equal(cat.kind, "concat");
  assert.deepEqual(cat.inputs, ["relu1", "x"]);
  // fc2's units now also stand for the linearised units.
  assert.deepEqual(fc2.unitOrigin?.[0].sort(), ["fc1:1", "fc1:2", "fc2:0"]);
  assertSameFunction(nt, r.out.net);
});

test("a layer that is always on everywhere fuses away entirely", () => {
  const lin = net(2, [dense("fc1", "x", [[1, 0.5], [0.2, 0.1]], [3, 1]), act("relu1", "fc1", 2), dense("fc2", "relu1", [[1, 2]], [0.5])]);
  const s = stateFor(lin);
  const a = alwaysOnPass.run(s);
  const f = fuseAffinePass.run(a.out);
  assert.equal(f.out.net.layers.length, 1);
  assert.equal(f.out.net.layers[0].kind, "affine");
  assertSameFunction(lin, f.out.net);
});

test("on data only (no box) the report says the claim is observed", () => {
  const r = alwaysOnPass.run(stateFor(nt, { withBox: false }));
  assert.match(r.report.summary, /observed, not proven/);
  assertSameFunction(nt, r.out.net);
});

test("one always-on unit of a wide layer stays when its skip would add weights (a dense [next x input] block)", () => {
  // 6 inputs, 4 hidden units (unit 3 is >= 0 over the box), 5 outputs: the skip adds 5 x 6 weights and removes 6 + 5.
  const n = 6, m = 5;
  const rows = [[1, -1, 0, 0, 0, 0], [0, 1, -1, 0, 0, 0], [0, 0, 1, -1, 0, 0], [0.1, 0.1, 0.1, 0.1, 0.1, 0.1]];
  const wide = net(n, [
    dense("fc1", "x", rows, [0, 0, 0, 2]),
    act("relu1", "fc1", 4),
    dense("fc2", "relu1", Array.from({ length: m }, (_, r) => [1, r, -1, 0.5 + r]), [0, 0, 0, 0, 0]),
  ]);
  const r = alwaysOnPass.run(stateFor(wide));
  assert.equal(hiddenUnits(r.out.net), 4);
  assert.match(r.report.summary, /0 always-on ReLU unit\(s\) made linear.*kept 1 layer/);
  assert.ok(r.report.details.some((d) => /fc1: 1 of 4 units always-on, left as they are \(the skip would add \d+ weights\)/.test(d)), r.report.details.join("\n"));
  assert.ok(r.report.weights.after <= r.report.weights.before);
  assertSameFunction(wide, r.out.net);
});
