// The slice recognisers: each rule on a hand-made net, then on randomly permuted / rescaled / split / dead-unit
// variants of it (property tests, seeded): the same primitive is named and the program equals the net.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { printFn } from "../../src/program/printer.ts";
import { abs, clamp, compareExchange, max2, min2, type Compiler, type Lin } from "../../zoo/compile.ts";
import { compiled, explainNet, obfuscate, toNet, type Dense, type Obfuscation } from "./slice-nets.ts";

interface Case {
  name: string;
  n: number;
  lo: number;
  hi: number;
  body: (C: Compiler, xs: Lin[]) => Lin[];
  /** What the main function must read as (regexps over its text). */
  expect: RegExp[];
  accept?: (x: number[]) => boolean;
}

const CASES: Case[] = [
  // relu(z) - relu(-z) = z: the identity carried through two ReLU layers is a plain sum.
  { name: "identity", n: 2, lo: -1, hi: 1, body: (C, [a, b]) => [C.lift(C.combo([[1, a], [2, b]]), 2)], expect: [/y = x\[0\] \+ 2\*x\[1\]|y = 2\*x\[1\] \+ x\[0\]/] },
  // relu(z) + relu(-z) = |z|
  { name: "abs", n: 2, lo: -1, hi: 1, body: (C, [a, b]) => [abs(C, C.combo([[1, a], [-1, b]]))], expect: [/= abs\(/] },
  // a + relu(b - a) = max(a, b)
  { name: "max", n: 2, lo: -1, hi: 1, body: (C, [a, b]) => [max2(C, a, b)], expect: [/y = max\(x\[0\], x\[1\]\)/] },
  // a - relu(a - b) = min(a, b)
  { name: "min", n: 2, lo: -1, hi: 1, body: (C, [a, b]) => [min2(C, a, b)], expect: [/y = min\(x\[0\], x\[1\]\)/] },
  // relu(x - lo) - relu(x - hi) + lo = clamp(x, lo, hi)
  { name: "clamp", n: 1, lo: -3, hi: 3, body: (C, [x]) => [clamp(C, x, -1, 2)], expect: [/y = clamp\(x, -1, 2\)/] },
  // trees: max(max(a, b), max(c, d))
  { name: "max tree", n: 4, lo: -1, hi: 1, body: (C, xs) => [max2(C, max2(C, xs[0], xs[1]), max2(C, xs[2], xs[3]))], expect: [/= max\(x\[0\], x\[1\]\)/, /= max\(x\[2\], x\[3\]\)/, /y = max\(m, m_2\)/] },
  // compare-exchange networks: sort (the 0-1 principle)
  {
    name: "sort3", n: 3, lo: -1, hi: 1, expect: [/y = sort\(x\)/],
    body: (C, xs) => {
      let [a, b, c] = xs;
      [a, b] = compareExchange(C, a, b);
      [b, c] = compareExchange(C, b, c);
      [a, b] = compareExchange(C, a, b);
      return [a, b, c];
    },
  },
  // median: max(min(a, b), min(max(a, b), c)) stays a tree of max/min
  { name: "median3", n: 3, lo: -1, hi: 1, body: (C, [a, b, c]) => [max2(C, min2(C, a, b), min2(C, max2(C, a, b), c))], expect: [/= min\(/, /y = max\(/] },
  // one-hot of the largest: relu((x_i - M) / 0.1 + 1)
  {
    name: "argmax", n: 3, lo: 0, hi: 1, expect: [/= argmax\(x\)/, /y = onehot\(i, 3\)/],
    accept: (x) => { const s = [...x].sort((p, q) => q - p); return s[0] - s[1] >= 0.1; },
    body: (C, xs) => {
      const m = max2(C, max2(C, xs[0], xs[1]), xs[2]);
      return xs.map((x) => C.relu(C.combo([[10, x], [-10, m]], 1)));
    },
  },
];

const OBFUSCATIONS: Obfuscation[][] = [["permute"], ["rescale"], ["split"], ["dead"], ["permute", "rescale", "split", "dead"]];

function check(c: Case, layers: Dense[], what: string): void {
  const { program, maxErr } = explainNet(toNet(layers, c.n), c.n, c.lo, c.hi, 7, c.accept ? { accept: c.accept } : {});
  const text = printFn(program.functions[0]);
  for (const re of c.expect) assert.match(text, re, `${c.name} (${what}):\n${text}`);
  assert.doesNotMatch(text, /residual_/, `${c.name} (${what}) should be exact:\n${text}`);
  assert.ok(maxErr < 1e-5, `${c.name} (${what}): program vs net ${maxErr}`);
}

describe("slice rules on hand-made nets", () => {
  for (const c of CASES) {
    it(`${c.name}: named, exact`, () => check(c, compiled(c.n, c.lo, c.hi, c.body), "as compiled"));
  }
});

describe("slice rules up to permutation, positive scale, split copies and dead units (property)", () => {
  for (const c of CASES) {
    it(`${c.name}: the same names on ${OBFUSCATIONS.length * 3} obfuscated variants`, () => {
      const base = compiled(c.n, c.lo, c.hi, c.body);
      for (const kinds of OBFUSCATIONS) {
        for (const seed of [1, 2, 3]) check(c, obfuscate(base, kinds, seed, c.lo, c.hi), `${kinds.join("+")}, seed ${seed}`);
      }
    });
  }
});

describe("what matches nothing", () => {
  it("stays explicit relu(W @ x + b), layer by layer, and exact", () => {
    // Generic weights: no pair, no difference of two atoms.
    const layers: Dense[] = [
      { W: [[0.3, -0.7, 0.2], [0.5, 0.1, -0.9], [-0.4, 0.8, 0.6]], b: [0.1, -0.2, 0.05], relu: true },
      { W: [[0.6, -0.3, 0.9]], b: [0.2], relu: false },
    ];
    const { program, maxErr } = explainNet(toNet(layers, 3), 3, -1, 1);
    assert.match(printFn(program.functions[0]), /h1 = relu\(W1 @ x \+ b1\)/);
    assert.ok(maxErr < 1e-6);
  });
});
