// constant-units: a unit with a zero incoming row is a constant, folded into the next layer's bias.
import { test } from "node:test";
import assert from "node:assert/strict";
import { constantUnitsPass } from "../../src/passes/constant-units.ts";
import { hiddenUnits } from "../../src/passes/net-edit.ts";
import { act, assertSameFunction, dense, net, stateFor } from "./simplify-helpers.ts";

test("a constant unit moves into the next bias, proven over the box", () => {
  const nt = net(2, [
    dense("fc1", "x", [[1, -1], [0, 0], [2, 1]], [0.1, 0.7, 0]),
    act("relu1", "fc1", 3),
    dense("fc2", "relu1", [[1, 2, 3], [-1, 4, 0]], [0.5, 0]),
  ]);
  const r = constantUnitsPass.run(stateFor(nt));
  assert.equal(hiddenUnits(r.out.net), 2);
  assert.match(r.report.summary, /folded 1 constant unit\(s\) into biases \(proven by interval bounds/);
  const fc2 = r.out.net.layers.find((l) => l.id === "fc2")!;
  assert.ok(fc2.kind === "affine");
  assert.ok(Math.abs(fc2.b[0] - (0.5 + 2 * 0.7)) < 1e-6 && Math.abs(fc2.b[1] - 4 * 0.7) < 1e-6);
  assertSameFunction(nt, r.out.net);
});

test("a unit constant on the data only is folded without a box, and not with one", () => {
  // Unit 1 reads x0 - x0 of a data set where x1 is always 0.25: constant on the data only.
  const nt = net(2, [dense("fc1", "x", [[1, 0], [0, 1]], [0, 0]), act("relu1", "fc1", 2), dense("fc2", "relu1", [[1, 1]], [0])]);
  const rows = 200;
  const x = new Float32Array(rows * 2);
  for (let i = 0; i < rows; i++) [x[2 * i], x[2 * i + 1]] = [Math.sin(i), 0.25];
  const data = { x: { dtype: "float32" as const, shape: [rows, 2], data: x } };
  assert.equal(hiddenUnits(constantUnitsPass.run(stateFor(nt, { data, withBox: false })).out.net), 1);
  assert.equal(hiddenUnits(constantUnitsPass.run(stateFor(nt, { data })).out.net), 2);
});
