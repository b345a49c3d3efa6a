// firstInOrder (src/util/first-in-order.ts): the first k items of a comparator's order are those a full sort
// gives, on values with many ties, for k below, at and above n.
import assert from "node:assert/strict";
import { test } from "node:test";
import { firstInOrder } from "../../src/util/first-in-order.ts";
import { rng } from "../../src/util/rng.ts";

test("firstInOrder equals sort-then-slice", () => {
  const r = rng(5);
  for (const n of [0, 1, 2, 7, 100, 1000]) {
    const v = Array.from({ length: n }, () => Math.round(r() * 6) - 2);
    const cmp = (a: number, b: number) => v[b] - v[a] || a - b;
    const sorted = Array.from({ length: n }, (_, i) => i).sort(cmp);
    for (const k of [0, 1, 4, 8, n, n + 3]) assert.deepEqual(firstInOrder(n, k, cmp), sorted.slice(0, k), `n ${n}, k ${k}`);
  }
});
