import { test } from "node:test";
import assert from "node:assert/strict";
import { evalFormula, formulaSize, formulaText } from "../../src/recover/logic-formula.ts";
import { fitParity, minimiseTable, tableOf } from "../../src/recover/logic-min.ts";
import { rng } from "../../src/util/rng.ts";

const bit = (p: number, i: number) => (p >>> i) & 1;
const text = (n: number, f: (p: number) => number) => formulaText(minimiseTable(tableOf(n, f))!);

test("xor, parity and xnor are found as xor", () => {
  assert.equal(text(2, (p) => bit(p, 0) ^ bit(p, 1)), "x0 xor x1");
  assert.equal(text(4, (p) => bit(p, 0) ^ bit(p, 1) ^ bit(p, 2) ^ bit(p, 3)), "x0 xor x1 xor x2 xor x3");
  assert.equal(text(2, (p) => 1 - (bit(p, 0) ^ bit(p, 1))), "not (x0 xor x1)");
  // A bit that does not matter is dropped.
  assert.equal(text(3, (p) => bit(p, 0) ^ bit(p, 2)), "x0 xor x2");
});

test("symmetric threshold functions: and, or, maj, with negated literals", () => {
  assert.equal(text(3, (p) => (bit(p, 0) + bit(p, 1) + bit(p, 2) >= 2 ? 1 : 0)), "maj(x0, x1, x2)");
  assert.equal(text(3, (p) => bit(p, 0) & bit(p, 1) & bit(p, 2)), "x0 and x1 and x2");
  assert.equal(text(2, (p) => bit(p, 0) | bit(p, 1)), "x0 or x1");
  assert.equal(text(3, (p) => (bit(p, 0) + (1 - bit(p, 1)) + bit(p, 2) >= 2 ? 1 : 0)), "maj(x0, not x1, x2)");
  assert.equal(text(2, (p) => 1 - (bit(p, 0) & bit(p, 1))), "not x0 or not x1");
});

test("the bits of a 2-bit adder: sum as xor with the carry, top bit as maj of the carry", () => {
  // x = [a0, a1, b0, b1]
  const sum = (p: number) => bit(p, 0) + 2 * bit(p, 1) + bit(p, 2) + 2 * bit(p, 3);
  assert.equal(text(4, (p) => sum(p) & 1), "x0 xor x2");
  assert.equal(text(4, (p) => (sum(p) >> 1) & 1), "x1 xor x3 xor (x0 and x2)");
  assert.equal(text(4, (p) => (sum(p) >> 2) & 1), "maj(x1, x3, x0 and x2)");
});

test("a mux decomposes into a short formula", () => {
  const f = minimiseTable(tableOf(3, (p) => (bit(p, 2) ? bit(p, 1) : bit(p, 0))))!;
  assert.ok(formulaSize(f) <= 9, formulaText(f));
});

test("property: every random function of up to 6 bits is reproduced exactly", () => {
  const u = rng(7);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(u() * 6);
    const t = tableOf(n, () => (u() < 0.5 ? 1 : 0));
    const f = minimiseTable(t)!;
    for (let p = 0; p < 1 << n; p++) assert.equal(evalFormula(f, p), t.values[p]);
  }
});

test("property: structured functions under random input permutations keep their shape", () => {
  const u = rng(11);
  for (let trial = 0; trial < 20; trial++) {
    const perm = [0, 1, 2, 3, 4].sort(() => u() - 0.5);
    const f = minimiseTable(tableOf(5, (p) => bit(p, perm[0]) ^ bit(p, perm[1]) ^ (bit(p, perm[2]) & bit(p, perm[3]))))!;
    assert.equal(f.op, "xor", formulaText(f));
    assert.ok(formulaSize(f) <= 6, formulaText(f));
  }
});

test("fitParity: a parity of 40 bits from 300 samples; non-parities are refused", () => {
  const u = rng(3);
  const n = 40;
  const pts = Array.from({ length: 300 }, () => Uint8Array.from({ length: n }, () => (u() < 0.5 ? 1 : 0)));
  const par = pts.map((x) => x[3] ^ x[17] ^ x[39] ^ 1);
  assert.equal(formulaText(fitParity(n, pts, par)!), "not (x3 xor x17 xor x39)");
  const and = pts.map((x) => x[3] & x[17]);
  assert.equal(fitParity(n, pts, and), undefined);
});

test("a random 14-bit function ends within the work budget (a formula or none, never a wrong one)", () => {
  const u = rng(5);
  const t = tableOf(14, () => (u() < 0.5 ? 1 : 0));
  const t0 = performance.now();
  const f = minimiseTable(t);
  assert.ok(performance.now() - t0 < 5000);
  if (f) for (let p = 0; p < 1 << 14; p++) assert.equal(evalFormula(f, p), t.values[p]);
});
