import { test } from "node:test";
import assert from "node:assert/strict";
import { readThreshold } from "../../src/recover/threshold.ts";
import { rng } from "../../src/util/rng.ts";

const bits = (n: number) => Array.from({ length: 1 << n }, (_, p) => Array.from({ length: n }, (_, i) => (p >>> i) & 1));

test("relu(x0 + x1 - 1) on bits is the carry: x0 + x1 > 1.5", () => {
  const xs = bits(2);
  const z = xs.map(([a, b]) => a + b - 1);
  const r = readThreshold(z, z.map((v) => Math.max(0, v)), -1)!;
  assert.deepEqual(r, { low: 0, high: 1, c: 1.5, strict: true, margin: 1, error: 0 });
});

test("property: rescaled, noisy majority units read the same condition", () => {
  const u = rng(4);
  const xs = bits(3);
  for (let t = 0; t < 20; t++) {
    const s = Math.exp((u() * 2 - 1) * 1.4);
    const w = [1, 1, 1].map((v) => s * (v + 1e-4 * (u() - 0.5)));
    const bias = s * -1;
    const z = xs.map((x) => x.reduce((acc, v, i) => acc + w[i] * v, bias));
    const out = z.map((v) => Math.max(0, v) - Math.max(0, v - s)); // s * [sum >= 2], two-valued
    const r = readThreshold(z, out, bias, 1e-3)!;
    assert.ok(r, `trial ${t}`);
    // The condition l > c reproduces the unit on every point.
    xs.forEach((x, i) => {
      const l = z[i] - bias;
      assert.ok(Math.abs((l > r.c ? r.high : r.low) - out[i]) <= r.error + 1e-12);
    });
    assert.ok(r.error < 1e-3 * s);
  }
});

test("a unit with three values, or overlapping classes, is not a threshold", () => {
  const z = [-1, 0, 1, 2];
  assert.equal(readThreshold(z, z.map((v) => Math.max(0, v)), 0), undefined);
  assert.equal(readThreshold([0, 1, 2, 3], [0, 1, 0, 1], 0), undefined);
});
