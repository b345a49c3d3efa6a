// Truth table -> short boolean formula. A function of up to 16 bits, given at every input point, is
// decomposed by rules that each preserve it exactly (the result is checked against the table):
//   f(x ^ e_j) = not f(x) for all x            -> f = x_j xor g(rest)          (xor / parity detection)
//   f unate in every var and, after flipping the negative ones, a function of the count of ones:
//     count >= 1 -> or, count = all -> and, count >= (k+1)/2 with k odd -> maj  (symmetric thresholds)
//   a cofactor constant: f|xj=0 = 0 -> f = x_j and f|xj=1 (and the or / not forms)
//   {u, v} a bound set (f's four cofactors on u, v fall in two classes) -> f = F(h(u, v), rest)
//     (Ashenhurst disjoint decomposition: the adder's carry feeds `maj(a1, b1, a0 and b0)` this way)
// and what is left is a sum of products from Quine-McCluskey (or the complement's, when shorter).
import { evalFormula, fConst, fGate, fNot, formulaSize, fVar, type Formula } from "./logic-formula.ts";

/** A completely specified boolean function: values[p] for every point p < 2^n (bit i of p is input i). */
export interface TruthTable {
  n: number;
  values: Uint8Array;
}

/** Most inputs a table may have: 2^16 points. */
export const MAX_TABLE_INPUTS = 16;
/** Most inputs left for the sum-of-products fallback (Quine-McCluskey is exponential beyond). */
const MAX_SOP_INPUTS = 10;

/** The table of a function over n inputs. */
export function tableOf(n: number, f: (point: number) => number): TruthTable {
  if (n > MAX_TABLE_INPUTS) throw new Error(`a truth table over ${n} inputs is too large (at most ${MAX_TABLE_INPUTS})`);
  const values = new Uint8Array(1 << n);
  for (let p = 0; p < values.length; p++) values[p] = f(p) ? 1 : 0;
  return { n, values };
}

/** A short formula equal to the table at every point, or undefined when none of the rules gives one and the
 *  sum-of-products fallback is out of reach (more than 10 inputs left after the decompositions). */
export function minimiseTable(t: TruthTable): Formula | undefined {
  budget = WORK_BUDGET;
  const f = decompose(Array.from({ length: t.n }, (_, i) => fVar(i)), t.values);
  if (!f) return undefined;
  for (let p = 0; p < t.values.length; p++) if (evalFormula(f, p) !== t.values[p]) throw new Error("logic-min: formula disagrees with its table");
  return f;
}

/** Table entries the decompositions may visit before giving up (keeps a hard 16-input table to ~1 s). */
const WORK_BUDGET = 3e7;
let budget = WORK_BUDGET;

/** A table over local variables, each standing for a formula over the original inputs. */
function decompose(vars: Formula[], values: Uint8Array): Formula | undefined {
  budget -= values.length * (vars.length + 1);
  if (budget < 0) return undefined;
  // Drop the variables the function does not depend on.
  for (let j = vars.length - 1; j >= 0; j--) {
    const [c0, c1] = cofactors(values, j);
    if (same(c0, c1)) {
      vars = vars.filter((_, i) => i !== j);
      values = c0;
    }
  }
  const k = vars.length;
  if (k === 0) return fConst(values[0] as 0 | 1);
  if (k === 1) return values[1] ? vars[0] : fNot(vars[0]);
  return linear(vars, values) ?? symmetric(vars, values) ?? constantCofactor(vars, values) ?? boundSet(vars, values) ?? sop(vars, values);
}

// f(x ^ e_j) = not f(x) -> f = x_j xor g(rest): pull out every such var, then g has none left.
function linear(vars: Formula[], values: Uint8Array): Formula | undefined {
  const lin: number[] = [];
  for (let j = 0; j < vars.length; j++) {
    const [c0, c1] = cofactors(values, j);
    if (c0.every((v, i) => v !== c1[i])) lin.push(j);
  }
  if (!lin.length) return undefined;
  // g = f xor (parity of the linear vars), which no longer depends on them: take its cofactor at 0.
  let g = values;
  const rest = vars.filter((_, i) => !lin.includes(i));
  for (const j of [...lin].reverse()) g = cofactors(g, j)[0];
  const inner = decompose(rest, g);
  if (!inner) return undefined;
  const x = fGate("xor", lin.map((j) => vars[j]));
  if (inner.op === "const") return inner.value ? fNot(x) : x;
  return fGate("xor", [...lin.map((j) => vars[j]), inner]);
}

// Unate in every var, and symmetric in the literals: or (>= 1), and (all), maj (a strict majority).
function symmetric(vars: Formula[], values: Uint8Array): Formula | undefined {
  const k = vars.length;
  const neg: boolean[] = [];
  for (let j = 0; j < k; j++) {
    const [c0, c1] = cofactors(values, j);
    const up = c0.every((v, i) => v <= c1[i]);
    const down = c0.every((v, i) => v >= c1[i]);
    if (!up && !down) return undefined;
    neg.push(!up);
  }
  let flip = 0;
  neg.forEach((n, j) => { if (n) flip |= 1 << j; });
  const byCount = new Int8Array(k + 1).fill(-1);
  for (let p = 0; p < values.length; p++) {
    const c = popcount(p ^ flip);
    if (byCount[c] === -1) byCount[c] = values[p];
    else if (byCount[c] !== values[p]) return undefined;
  }
  const t = byCount.indexOf(1); // monotone: 0 below t, 1 from t on
  const lits = vars.map((v, j) => (neg[j] ? fNot(v) : v));
  if (t === 1) return fGate("or", lits);
  if (t === k) return fGate("and", lits);
  if (k % 2 === 1 && t === (k + 1) / 2) return { op: "maj", args: lits };
  return undefined;
}

// A constant cofactor: f|xj=0 = 0 -> x_j and f|xj=1; f|xj=1 = 0 -> not x_j and f|xj=0; with 1: the or forms.
function constantCofactor(vars: Formula[], values: Uint8Array): Formula | undefined {
  for (let j = 0; j < vars.length; j++) {
    const [c0, c1] = cofactors(values, j);
    const rest = vars.filter((_, i) => i !== j);
    const cases: [Uint8Array, number, Uint8Array, "and" | "or", boolean][] = [
      [c0, 0, c1, "and", false], [c1, 0, c0, "and", true], [c0, 1, c1, "or", true], [c1, 1, c0, "or", false],
    ];
    for (const [c, v, other, op, negate] of cases) {
      if (!c.every((x) => x === v)) continue;
      const g = decompose(rest, other);
      if (!g) return undefined;
      return fGate(op, [negate ? fNot(vars[j]) : vars[j], g]);
    }
  }
  return undefined;
}

// A bound set {u, v}: f's cofactors on (u, v) take two distinct values A, B -> f = F(h(u, v), rest) with
// h = 1 exactly where the cofactor is B (and F(0, .) = A, F(1, .) = B).
function boundSet(vars: Formula[], values: Uint8Array): Formula | undefined {
  const k = vars.length;
  if (k < 3) return undefined;
  let best: Formula | undefined;
  for (let u = 0; u < k; u++) {
    for (let v = u + 1; v < k; v++) {
      budget -= values.length * 2;
      if (budget < 0) return undefined;
      const [cu0, cu1] = cofactors(values, v); // over vars without v; u keeps its index (u < v)
      const cs = [cofactors(cu0, u)[0], cofactors(cu0, u)[1], cofactors(cu1, u)[0], cofactors(cu1, u)[1]]; // (u,v) = 00, 10, 01, 11
      const a = cs[0];
      const bIdx = cs.findIndex((c) => !same(c, a));
      if (bIdx < 0) continue;
      const b = cs[bIdx];
      if (!cs.every((c) => same(c, a) || same(c, b))) continue;
      const hTable = new Uint8Array(cs.map((c) => (same(c, b) ? 1 : 0))); // index = u + 2 v
      const h = decompose([vars[u], vars[v]], hTable);
      if (!h) continue;
      const rest = vars.filter((_, i) => i !== u && i !== v);
      // F over (rest..., h): the new var is the highest bit.
      const F = new Uint8Array(a.length * 2);
      F.set(a, 0);
      F.set(b, a.length);
      const g = decompose([...rest, h], F);
      if (g && (!best || formulaSize(g) < formulaSize(best))) best = g;
    }
  }
  return best;
}

// Sum of products of the prime implicants (Quine-McCluskey, greedy cover), or not(the complement's) when shorter.
function sop(vars: Formula[], values: Uint8Array): Formula | undefined {
  if (vars.length > MAX_SOP_INPUTS) return undefined;
  const on = sopOf(vars, values, 1);
  const off = fNot(sopOf(vars, values, 0));
  return formulaSize(off) < formulaSize(on) ? off : on;
}

function sopOf(vars: Formula[], values: Uint8Array, want: number): Formula {
  const minterms: number[] = [];
  for (let p = 0; p < values.length; p++) if (values[p] === want) minterms.push(p);
  if (!minterms.length) return fConst(0);
  if (minterms.length === values.length) return fConst(1);
  const cover = primeCover(minterms);
  return fGate("or", cover.map(({ value, mask }) => {
    const lits: Formula[] = [];
    for (let j = 0; j < vars.length; j++) if (!((mask >>> j) & 1)) lits.push((value >>> j) & 1 ? vars[j] : fNot(vars[j]));
    return fGate("and", lits);
  }));
}

interface Implicant {
  value: number;
  /** Bits set here are free. */
  mask: number;
}

/** Prime implicants of the minterms, then a cover: essential primes first, then greedily the widest. */
function primeCover(minterms: number[]): Implicant[] {
  let level: Implicant[] = minterms.map((m) => ({ value: m, mask: 0 }));
  const primes: Implicant[] = [];
  while (level.length) {
    const next = new Map<string, Implicant>();
    const used = new Set<number>();
    for (let i = 0; i < level.length; i++) {
      for (let j = i + 1; j < level.length; j++) {
        const a = level[i], b = level[j];
        if (a.mask !== b.mask) continue;
        const d = a.value ^ b.value;
        if (d & (d - 1)) continue;
        used.add(i); used.add(j);
        const m = { value: a.value & ~d, mask: a.mask | d };
        next.set(`${m.value}/${m.mask}`, m);
      }
    }
    level.forEach((im, i) => { if (!used.has(i)) primes.push(im); });
    level = [...next.values()];
  }
  const covers = (im: Implicant, m: number) => (m & ~im.mask) === im.value;
  const left = new Set(minterms);
  const chosen: Implicant[] = [];
  for (const m of minterms) {
    const by = primes.filter((im) => covers(im, m));
    if (by.length === 1 && !chosen.includes(by[0])) chosen.push(by[0]);
  }
  for (const im of chosen) for (const m of [...left]) if (covers(im, m)) left.delete(m);
  while (left.size) {
    let best = primes[0], bestN = -1;
    for (const im of primes) {
      let n = 0;
      for (const m of left) if (covers(im, m)) n++;
      if (n > bestN) { best = im; bestN = n; }
    }
    chosen.push(best);
    for (const m of [...left]) if (covers(best, m)) left.delete(m);
  }
  return chosen;
}

/** The two cofactors of a table on var j (j removed: the tables are half as long). */
function cofactors(values: Uint8Array, j: number): [Uint8Array, Uint8Array] {
  const half = values.length >>> 1;
  const c0 = new Uint8Array(half), c1 = new Uint8Array(half);
  const low = (1 << j) - 1;
  for (let q = 0; q < half; q++) {
    const p = ((q & ~low) << 1) | (q & low);
    c0[q] = values[p];
    c1[q] = values[p | (1 << j)];
  }
  return [c0, c1];
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

/** A parity (xor of some inputs, possibly negated) agreeing with every sampled point, found by Gaussian
 *  elimination over GF(2); undefined when no parity fits. For more inputs than a table can hold: the caller
 *  states that the formula was checked on the samples only. `points[s]` holds sample s's bits. */
export function fitParity(n: number, points: readonly Uint8Array[], values: readonly number[]): Formula | undefined {
  // Rows: [x_0 .. x_{n-1}, 1 | value]; solve a . [x, 1] = value.
  const W = Math.ceil((n + 2) / 32);
  const rows = points.map((x, s) => {
    const r = new Uint32Array(W);
    for (let i = 0; i < n; i++) if (x[i]) r[i >>> 5] |= 1 << (i & 31);
    r[n >>> 5] |= 1 << (n & 31);
    if (values[s]) r[(n + 1) >>> 5] |= 1 << ((n + 1) & 31);
    return r;
  });
  const bit = (r: Uint32Array, i: number) => (r[i >>> 5] >>> (i & 31)) & 1;
  const pivots: number[] = [];
  let rank = 0;
  for (let col = 0; col <= n && rank < rows.length; col++) {
    const pr = rows.findIndex((r, i) => i >= rank && bit(r, col));
    if (pr < 0) continue;
    [rows[rank], rows[pr]] = [rows[pr], rows[rank]];
    for (let i = 0; i < rows.length; i++) if (i !== rank && bit(rows[i], col)) for (let w = 0; w < W; w++) rows[i][w] ^= rows[rank][w];
    pivots.push(col);
    rank++;
  }
  for (let i = rank; i < rows.length; i++) if (bit(rows[i], n + 1)) return undefined; // inconsistent
  if (rank < n + 1) return undefined; // the samples do not pin the parity down
  const coef = new Array<number>(n + 1).fill(0);
  pivots.forEach((col, i) => { coef[col] = bit(rows[i], n + 1); });
  const vs: Formula[] = [];
  for (let i = 0; i < n; i++) if (coef[i]) vs.push(fVar(i));
  const x = vs.length ? fGate("xor", vs) : fConst(0);
  return coef[n] ? fNot(x) : x;
}
