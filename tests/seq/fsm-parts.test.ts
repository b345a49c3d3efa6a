// State machines from recurrent nets, part by part (src/seq/fsm): clustering noisy hidden states of known machines,
// minimisation, and the formula search, each on hand-made machines whose answer is known.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rng, randn } from "../../src/util/rng.ts";
import { extractMachine } from "../../src/seq/fsm/extract.ts";
import { agreement } from "../../src/seq/fsm/machine.ts";
import { minimise, stateCount } from "../../src/seq/fsm/minimise.ts";
import { evalExpr, exprText, findFormula } from "../../src/seq/fsm/formula.ts";
import type { Machine, Traces } from "../../src/seq/fsm/types.ts";

/** A machine from a transition function over states 1..n (0 = initial, behaving as `init`) and an output function. */
function machineOf(n: number, symbols: number, step: (s: number, a: number) => number, out: (s: number) => number, init = 1): Machine {
  const next = new Int32Array((n + 1) * symbols);
  for (let a = 0; a < symbols; a++) next[a] = step(init, a);
  for (let s = 1; s <= n; s++) for (let a = 0; a < symbols; a++) next[s * symbols + a] = step(s, a);
  return { states: n + 1, symbols, next, out: Int32Array.from({ length: n + 1 }, (_, s) => (s === 0 ? -1 : out(s))) };
}

/** Traces of a "network" whose hidden state is a random centre per true state plus noise: what a trained RNN leaves. */
function noisyTraces(m: Machine, n: number, T: number, H: number, noise: number, seed: number): Traces {
  const u = rng(seed);
  const centres = Array.from({ length: m.states }, () => Array.from({ length: H }, () => randn(u)));
  const symbols = new Int32Array(n * T), hidden = new Float64Array(n * T * H), decisions = new Int32Array(n * T);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < T; t++) {
      const j = i * T + t, a = Math.floor(u() * m.symbols);
      s = m.next[s * m.symbols + a];
      symbols[j] = a;
      decisions[j] = m.out[s];
      for (let h = 0; h < H; h++) hidden[j * H + h] = centres[s][h] + noise * randn(u);
    }
  }
  return { n, T, H, symbols, hidden, decisions };
}

test("clustering: noisy hidden states of counters mod k come back as k-state machines (widths, seeds, k vary)", () => {
  for (const [k, H, seed] of [[3, 6, 1], [4, 10, 2], [2, 3, 3], [5, 8, 4]]) {
    const truth = machineOf(k, 2, (s, a) => ((s - 1 + a) % k) + 1, (s) => s - 1);
    const tr = noisyTraces(truth, 150, 16, H, 0.05, seed);
    const ex = extractMachine(tr, 2, seed);
    assert.equal(ex.agreement.stepAgreement, 1, `k=${k}: ${JSON.stringify(ex.tried)}`);
    const min = minimise(ex.machine);
    assert.equal(stateCount(min), k, `k=${k}`);
    assert.equal(agreement(min.machine, tr).stepAgreement, 1);
  }
});

test("clustering: decisions no machine of few states reproduces keep the best machine, below 100%", () => {
  const truth = machineOf(2, 2, (s, a) => (a ? 3 - s : s), (s) => s - 1);
  const tr = noisyTraces(truth, 60, 12, 4, 0.05, 9);
  // Flip decisions at random: no clustering of these hidden states explains them.
  const u = rng(5);
  for (let j = 0; j < tr.decisions.length; j++) if (u() < 0.2) tr.decisions[j] = 1 - tr.decisions[j];
  const ex = extractMachine(tr, 2, 0, 8);
  assert.ok(ex.agreement.stepAgreement < 1 && ex.agreement.stepAgreement > 0.5, `${ex.agreement.stepAgreement}`);
});

test("minimisation: duplicated states fold together; the initial state merges only with a state it behaves like", () => {
  // Parity written with two copies of each state (1,3 even; 2,4 odd), transitions crossing between the copies.
  const dup = machineOf(4, 2, (s, a) => (a ? [0, 2, 3, 4, 1][s] : [0, 3, 4, 1, 2][s]), (s) => (s % 2 === 1 ? 0 : 1));
  const r = minimise(dup);
  assert.equal(r.machine.states, 3);
  assert.ok(r.initMerges);
  assert.equal(stateCount(r), 2);
  // "Repeat the first bit": the initial state goes to A on 0 and B on 1, and A, B stay; it behaves like neither.
  const first = machineOf(2, 2, (s, a) => (s === 0 ? a + 1 : s), (s) => s - 1, 0);
  first.next[0] = 1;
  first.next[1] = 2;
  const f = minimise(first);
  assert.equal(f.initMerges, false);
  assert.equal(stateCount(f), 3);
  // A transition the data never showed (-1) does not keep two otherwise equal states apart.
  const partial = machineOf(3, 2, (s, a) => (a ? 3 : s === 3 ? 3 : 1), (s) => (s === 3 ? 1 : 0));
  partial.next[2 * 2 + 1] = -1; // state 2 never saw symbol 1
  partial.next[2 * 2 + 0] = 2;
  partial.next[1 * 2 + 0] = 1;
  assert.equal(stateCount(minimise(partial)), 2);
});

test("formulas: counters, running max, bracket depth and serial addition are named; a pattern detector stays a table", () => {
  const bits = [[0], [1]];
  const cases: [string, Machine, readonly (readonly number[])[], string, string][] = [
    ["parity", machineOf(2, 2, (s, a) => ((s - 1 + a) % 2) + 1, (s) => s - 1), bits, "(state + x0) % 2", "state"],
    ["count mod 3", machineOf(3, 2, (s, a) => ((s - 1 + a) % 3) + 1, (s) => s - 1), bits, "(state + x0) % 3", "state"],
    ["running max", machineOf(2, 2, (s, a) => Math.max(s - 1, a) + 1, (s) => s - 1), bits, "max(state, x0)", "state"],
    ["last two bits as a number", machineOf(4, 2, (s, a) => ((2 * (s - 1) + a) % 4) + 1, (s) => s - 1), bits, "(2 * state + x0) % 4", "state"],
    // depth kept in [0, 3]: the transitions off either end never occur
    ["bracket depth", (() => { const m = machineOf(4, 2, (s, a) => s - 1 + 2 * a - 1 + 1, (s) => s - 1); m.next[1 * 2 + 0] = -1; m.next[4 * 2 + 1] = -1; m.next[0] = -1; return m; })(), bits, "state + 2 * x0 - 1", "state"],
  ];
  for (const [name, m, alpha, next, emit] of cases) {
    const f = findFormula(m, alpha);
    assert.ok(f, `${name}: no formula`);
    assert.equal(exprText(f.next), next, name);
    assert.equal(exprText(f.emit), emit, name);
  }
  // Serial addition, LSB first, symbols (a, b): state v = a + b + carry in 0..3, emits v % 2, carries v // 2.
  const pairs = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const add = machineOf(4, 4, (s, a) => pairs[a][0] + pairs[a][1] + Math.floor((s - 1) / 2) + 1, (s) => (s - 1) % 2);
  const f = findFormula(add, pairs)!;
  assert.equal(exprText(f.next), "x0 + x1 + state // 2");
  assert.equal(exprText(f.emit), "state % 2");
  // The TypeScript form computes the same (Python's floor division and modulo, also on negatives).
  for (const e of [f.next, f.emit]) for (const v of [0, 1, 2, 3]) for (const p of pairs) {
    const ts = new Function("state", "x0", "x1", `return ${exprText(e, "ts")};`) as (s: number, a: number, b: number) => number;
    assert.equal(ts(v, p[0], p[1]), evalExpr(e, v, p));
  }
  // Token ids 0..3, counting the 2s mod 3: indicators of the token's values, not a linear form of the id.
  const tok = [[0], [1], [2], [3]];
  const count2 = findFormula(machineOf(3, 4, (s, a) => ((s - 1 + (a === 2 ? 1 : 0)) % 3) + 1, (s) => s - 1), tok)!;
  assert.equal(exprText(count2.next), "(state + int(x0 == 2)) % 3");
    // 1, 0, 1 detector (KMP automaton, Moore outputs): no small arithmetic formula.
  const kmp = machineOf(4, 2, (s, a) => [[1, 2], [3, 2], [1, 4], [3, 2]][s - 1][a] , (s) => (s === 4 ? 1 : 0));
  assert.equal(findFormula(kmp, bits), undefined);
});
