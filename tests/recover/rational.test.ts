import { test } from "node:test";
import assert from "node:assert/strict";
import { nearestFraction, roundRow, rowText } from "../../src/recover/rational.ts";
import { rng } from "../../src/util/rng.ts";

test("small integer and rational rows print exactly", () => {
  const r = roundRow([0, 1, 0, 2], -1)!;
  assert.equal(rowText(r.fractions, ["x0", "x1", "x2", "x3"]), "x1 + 2*x3 - 1");
  assert.equal(r.maxChange, 0);
  const h = roundRow([0.5, -0.75], 0.25)!;
  assert.equal(rowText(h.fractions, ["a", "b"]), "a/2 - 3*b/4 + 1/4");
  assert.equal(rowText(roundRow([0, -1], 0)!.fractions, ["a", "b"]), "-b");
  assert.equal(rowText(roundRow([0, 0], 0)!.fractions, ["a", "b"]), "0");
  assert.deepEqual(nearestFraction(1 / 3 + 1e-9, 12), [1, 3]);
});

test("property: noisy integer rows round back, with the rounding cost bounded over the box", () => {
  const u = rng(9);
  for (let t = 0; t < 50; t++) {
    const ints = Array.from({ length: 5 }, () => Math.round(u() * 6 - 3) + 0);
    if (!ints.some((v) => v !== 0)) ints[0] = 1;
    const w = ints.map((v) => v + 2e-5 * (u() - 0.5));
    const r = roundRow(w, 0.5 + 1e-5, { lo: [-1, -1, -1, -1, -1], hi: [1, 1, 1, 1, 1] })!;
    assert.deepEqual(r.W, ints);
    assert.equal(r.b, 0.5);
    // The bound holds at random points of the box.
    for (let k = 0; k < 20; k++) {
      const x = w.map(() => u() * 2 - 1);
      const d = Math.abs(x.reduce((s, v, i) => s + (r.W[i] - w[i]) * v, r.b - (0.5 + 1e-5)));
      assert.ok(d <= r.boxCost + 1e-15);
    }
  }
  assert.equal(roundRow([1, 0.1234567], 0), undefined); // nearest: 1/8, 1.5e-3 away
});
