// Naming a machine's tables with an integer formula: search labellings of the states by 0..n-1 (the initial state is
// 0) and small templates for the transition and the output, checked on every transition and decision the machine
// has. Templates, simplest first (L = b0*x0 + b1*x1 + ... + c with small integer b, c):
//   next:  max(state, L) | min(state, L) | state + L | (state + L) % m | (2 * state + L) % m | L + state // q
//   emit:  state | state % m | state == c | state >= c
// A formula is only a name for the tables: it agrees with them on every transition the data showed.
import type { Expr, Machine, MachineFormula } from "./types.ts";

const C = (v: number): Expr => ({ op: "const", v });
const bin = (op: "add" | "sub" | "mul" | "mod" | "floordiv" | "max" | "min" | "eq" | "ge", a: Expr, b: Expr): Expr => ({ op, a, b });
const S: Expr = { op: "state" };

/** Evaluate an expression (integer arithmetic; % and // as in Python: the result has the divisor's sign). */
export function evalExpr(e: Expr, state: number, xs: readonly number[]): number {
  switch (e.op) {
    case "state": return state;
    case "x": return xs[e.i];
    case "const": return e.v;
    default: {
      const a = evalExpr(e.a, state, xs), b = evalExpr(e.b, state, xs);
      switch (e.op) {
        case "add": return a + b;
        case "sub": return a - b;
        case "mul": return a * b;
        case "mod": return ((a % b) + b) % b;
        case "floordiv": return Math.floor(a / b);
        case "max": return Math.max(a, b);
        case "min": return Math.min(a, b);
        case "eq": return a === b ? 1 : 0;
        case "ge": return a >= b ? 1 : 0;
      }
    }
  }
}

/** Binding strength of an expression's top operator (atoms and calls bind tightest). */
function prec(e: Expr): number {
  return e.op === "add" || e.op === "sub" ? 1 : e.op === "mul" || e.op === "mod" || e.op === "floordiv" ? 2 : 3;
}

/** An expression as source text: "py" (also program.txt) or "ts"; brackets only where precedence needs them. */
export function exprText(e: Expr, lang: "py" | "ts" = "py"): string {
  const go = (e: Expr): string => {
    switch (e.op) {
      case "state": return "state";
      case "x": return `x${e.i}`;
      case "const": return e.v < 0 ? `(${e.v})` : String(e.v);
      case "max": case "min": return lang === "ts" ? `Math.${e.op}(${go(e.a)}, ${go(e.b)})` : `${e.op}(${go(e.a)}, ${go(e.b)})`;
      case "eq": return lang === "ts" ? `(${go(e.a)} === ${go(e.b)} ? 1 : 0)` : `int(${go(e.a)} == ${go(e.b)})`;
      case "ge": return lang === "ts" ? `(${go(e.a)} >= ${go(e.b)} ? 1 : 0)` : `int(${go(e.a)} >= ${go(e.b)})`;
      case "mod": if (lang === "ts") return `((${go(e.a)}) % ${go(e.b)} + ${go(e.b)}) % ${go(e.b)}`; break;
      case "floordiv": if (lang === "ts") return `Math.floor(${go(e.a)} / ${go(e.b)})`; break;
    }
    const p = prec(e);
    const sym = { add: "+", sub: "-", mul: "*", mod: "%", floordiv: "//" }[e.op as "add"];
    const b = (e as { b: Expr }).b, a = (e as { a: Expr }).a;
    const left = prec(a) < p ? `(${go(a)})` : go(a);
    // a + (b - c) is a + b - c; a - (b + c) and a * (b * c) keep theirs.
    const right = prec(b) < p || (prec(b) === p && e.op !== "add") ? `(${go(b)})` : go(b);
    return `${left} ${sym} ${right}`;
  };
  return go(e);
}

/** L = sum b_j x_j + c, written without zero terms (an empty sum is the constant). */
function linear(b: readonly number[], c: number): Expr | undefined {
  let e: Expr | undefined;
  b.forEach((k, j) => {
    if (!k) return;
    const term: Expr = Math.abs(k) === 1 ? { op: "x", i: j } : bin("mul", C(Math.abs(k)), { op: "x", i: j });
    e = e ? bin(k > 0 ? "add" : "sub", e, term) : k > 0 ? term : bin("sub", C(0), term);
  });
  if (c) e = e ? bin(c > 0 ? "add" : "sub", e, C(Math.abs(c))) : C(c);
  return e;
}

/** Every integer vector of length d with entries in [lo, hi]. */
function grid(d: number, lo: number, hi: number): number[][] {
  let out: number[][] = [[]];
  for (let j = 0; j < d; j++) out = out.flatMap((v) => Array.from({ length: hi - lo + 1 }, (_, i) => [...v, lo + i]));
  return out;
}

/** Terms in an expression (its size, for preferring the simplest). */
function size(e: Expr): number {
  return e.op === "state" || e.op === "x" || e.op === "const" ? 1 : 1 + size(e.a) + size(e.b);
}

/** Candidate transition formulas for n states over d input values, simplest first. */
function nextTemplates(n: number, d: number, tokens?: readonly number[]): Expr[] {
  const out: Expr[] = [];
  for (const L of tokens ? indicatorSums(tokens) : linearForms(d)) {
    out.push(bin("max", S, L), bin("min", S, L));
    out.push(bin("add", S, L));
    for (let m = 2; m <= n + 1; m++) out.push(bin("mod", bin("add", S, L), C(m)), bin("mod", bin("add", bin("mul", C(2), S), L), C(m)));
    for (const q of [2, 3]) out.push(bin("add", L, bin("floordiv", S, C(q))));
  }
  return out.sort((a, b) => size(a) - size(b));
}

/** L = b0*x0 + ... + c with b, c in [-2, 2]. */
function linearForms(d: number): Expr[] {
  return grid(d + 1, -2, 2).map((bc) => linear(bc.slice(0, d), bc[d])).filter((e): e is Expr => !!e);
}

/** For a token input x0 with more than two values (a linear form of an id means little): L = sum of some
 *  indicators [x0 == v] plus c in [-1, 1], e.g. `int(x0 == 2)` counts the 2s. */
function indicatorSums(tokens: readonly number[]): Expr[] {
  const out: Expr[] = [];
  for (const bc of grid(tokens.length, 0, 1)) {
    for (const c of [-1, 0, 1]) {
      let e: Expr | undefined;
      tokens.forEach((v, j) => {
        if (!bc[j]) return;
        const ind = bin("eq", { op: "x", i: 0 }, C(v));
        e = e ? bin("add", e, ind) : ind;
      });
      if (c) e = e ? bin(c > 0 ? "add" : "sub", e, C(Math.abs(c))) : C(c);
      if (e) out.push(e);
    }
  }
  return out;
}

/** Candidate output formulas for n states. */
function emitTemplates(n: number): Expr[] {
  const out: Expr[] = [S];
  for (let m = 2; m < n; m++) out.push(bin("mod", S, C(m)));
  for (let c = 0; c < n; c++) out.push(bin("eq", S, C(c)));
  for (let c = 1; c < n; c++) out.push(bin("ge", S, C(c)));
  for (const q of [2, 3]) out.push(bin("floordiv", S, C(q)));
  return out;
}

/** Permutations of 0..n-1 in lexicographic order. */
function* permutations(n: number): Generator<number[]> {
  const a = Array.from({ length: n }, (_, i) => i);
  for (;;) {
    yield [...a];
    let i = n - 2;
    while (i >= 0 && a[i] >= a[i + 1]) i--;
    if (i < 0) return;
    let j = n - 1;
    while (a[j] <= a[i]) j--;
    [a[i], a[j]] = [a[j], a[i]];
    a.splice(i + 1, n - i - 1, ...a.slice(i + 1).reverse());
  }
}

/** Input values per symbol from the alphabet's rows: the entries (all integers), or a one-hot row's index. */
export function symbolValues(alphabet: readonly (readonly number[])[]): { values: number[][]; inputs: "entries" | "onehot" } | undefined {
  const onehot = alphabet.length > 1 && alphabet[0].length > 1 && alphabet.every((r) => r.filter((v) => v === 1).length === 1 && r.every((v) => v === 0 || v === 1));
  if (onehot) return { values: alphabet.map((r) => [r.indexOf(1)]), inputs: "onehot" };
  if (alphabet.every((r) => r.length <= 3 && r.every((v) => Number.isInteger(v) && Math.abs(v) <= 8))) return { values: alphabet.map((r) => [...r]), inputs: "entries" };
  return undefined;
}

/** The simplest formula naming the machine's tables, if one fits (machines of at most 6 states besides the initial one). */
export function findFormula(m: Machine, alphabet: readonly (readonly number[])[]): MachineFormula | undefined {
  const sv = symbolValues(alphabet);
  const n = m.states - 1;
  if (!sv || n < 1 || n > 6) return undefined;
  const d = sv.values[0].length;
  const trans: [number, number, number][] = [];
  for (let s = 0; s < m.states; s++) for (let a = 0; a < m.symbols; a++) if (m.next[s * m.symbols + a] >= 0) trans.push([s, a, m.next[s * m.symbols + a]]);
  // One column of more than two integer values (token ids, or a one-hot row's index): indicators of its values.
  const distinct = [...new Set(sv.values.map((v) => v[0]))].sort((a, b) => a - b);
  const tokens = d === 1 && distinct.length > 2 && distinct.length <= 6 ? distinct : undefined;
  const nexts = [...nextTemplates(n, d), ...(tokens ? nextTemplates(n, d, tokens) : [])].sort((a, b) => size(a) - size(b)), emits = emitTemplates(n);
  let best: { f: MachineFormula; cost: number } | undefined;
  for (const perm of permutations(n)) {
    const values = [0, ...perm];
    const emit = emits.find((e) => values.every((v, s) => s === 0 || m.out[s] < 0 || evalExpr(e, v, []) === m.out[s]));
    if (!emit) continue;
    const next = nexts.find((e) => trans.every(([s, a, t]) => evalExpr(e, values[s], sv.values[a]) === values[t]));
    if (!next) continue;
    const cost = size(next) + size(emit);
    if (!best || cost < best.cost) best = { f: { values, next, emit, inputs: sv.inputs }, cost };
  }
  return best?.f;
}
