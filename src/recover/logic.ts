// Boolean slices: outputs that are 0/1 functions of 0/1 sources become short formulas of `logic` gates.
// On {0,1}^k (k <= 16 source bits read by an output) the output's value at every point is its truth table;
// logic-min.ts minimises it (xor / parity, and, or, maj, bound-set decompositions, Quine-McCluskey), and the
// gates replace the output's units:   f(x) = formula(x) for all x in {0,1}^k  ->  y = formula(bits)
// The table is exhaustive, so the formula is the slice's exact function on the bits; what the units compute
// beyond 0/1 (a trained net's 0.98 for 1) stays as the slice's stated residual (measured by the builder).
import { addAtomKind, evalLin } from "./atom-kinds.ts";
import type { Formula } from "./logic-formula.ts";
import { fitParity, MAX_TABLE_INPUTS, minimiseTable } from "./logic-min.ts";
import type { SliceCtx, SliceRecogniser } from "./recogniser.ts";
import { atomLin, lin, type Atom, type Lin, type SymView } from "./symbolic.ts";

/** Gate codes in an atom's params[0]. */
const OPS = ["and", "or", "xor", "maj", "not"] as const;
type Op = (typeof OPS)[number];

/** An output reads as 0/1 when every table value is within this of 0 or 1 (decisions keep a margin of 1/2). */
export const BIT_TOL = 0.25;

/** A gate on 0/1 values (true when > 0.5), as the `logic` kernel computes it. */
export function gate(op: Op, xs: number[]): number {
  const b = xs.map((x) => (x > 0.5 ? 1 : 0));
  switch (op) {
    case "and": return b.every((x) => x === 1) ? 1 : 0;
    case "or": return b.some((x) => x === 1) ? 1 : 0;
    case "xor": return b.reduce<number>((s, x) => s ^ x, 0);
    case "maj": return 2 * b.reduce<number>((s, x) => s + x, 0) > b.length ? 1 : 0;
    case "not": return 1 - b[0];
  }
}

addAtomKind({
  kind: "logic",
  eval: (xs, [op]) => gate(OPS[op], xs),
  emit: ([a], e) => {
    const op = OPS[a.params[0]];
    const name = e.stmt(op === "not" ? "n" : "g", 1, a.args.map((f) => e.form(f)), { kind: "logic", params: { op } }, a.units);
    e.places.set(a.id, { name, index: 0, n: 1 });
  },
});

/** Source atoms a form reads (through every operand), and the other atoms on the way. */
export function support(f: Lin, v: SymView): { srcs: number[]; inner: number[] } {
  const seen = new Set<number>();
  const stack = [...f.t.keys()];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    // (Ids already seen are not pushed: a wide layer's units share their sources, pushed 100k times otherwise.)
    for (const g of v.at(id).args) for (const k of g.t.keys()) if (!seen.has(k)) stack.push(k);
  }
  const ids = [...seen].sort((p, q) => p - q);
  return { srcs: ids.filter((id) => v.at(id).kind === "src"), inner: ids.filter((id) => v.at(id).kind !== "src") };
}

/** Whether a source atom's entry is 0/1: a bits domain, or every analysis sample of it is 0 or 1. */
export function srcIsBits(a: Atom, ctx: SliceCtx): boolean {
  // A bits domain makes the Net's inputs 0/1; any other value (a hidden layer) must show it on the data.
  if (ctx.bits && a.src && ctx.net.inputs.some((i) => i.name === a.src!.value)) return true;
  const s = ctx.stats?.sample;
  const t = a.src && (s?.inputs[a.src.value] ?? s?.activations[a.src.value]);
  if (!t || !a.src) return false;
  const w = t.shape.slice(1).reduce((p, q) => p * q, 1);
  const d = t.data as Float32Array;
  for (let r = 0; r * w < d.length; r++) {
    const x = d[r * w + a.src.index];
    if (x !== 0 && x !== 1) return false;
  }
  return d.length > 0;
}

/** The atoms of a formula over source atoms `vars` (gates interned: shared sub-formulas are one atom). */
export function buildFormula(f: Formula, vars: readonly number[], v: SymView): Lin {
  switch (f.op) {
    case "const": return lin(f.value);
    case "var": return atomLin(vars[f.index]);
    case "not": return atomLin(v.atom("logic", [buildFormula(f.arg, vars, v)], [OPS.indexOf("not")], { lo: 0, hi: 1 }).id);
    default: return atomLin(v.atom("logic", f.args.map((g) => buildFormula(g, vars, v)), [OPS.indexOf(f.op)], { lo: 0, hi: 1 }).id);
  }
}

/** The truth table of a form over source atoms (bit i of a point = srcs[i]), or undefined when a value is
 *  not within BIT_TOL of 0 or 1. */
function tableOf(f: Lin, srcs: readonly number[], v: SymView): Uint8Array | undefined {
  const values = new Uint8Array(1 << srcs.length);
  for (let p = 0; p < values.length; p++) {
    const env = new Map<number, number>(srcs.map((id, i) => [id, (p >>> i) & 1]));
    const y = evalLin(v, f, env);
    const b = y > 0.5 ? 1 : 0;
    if (!(Math.abs(y - b) <= BIT_TOL)) return undefined;
    values[p] = b;
  }
  return values;
}

/** Values of a form on the analysis samples (its sources read from the probe's kept rows), or undefined. */
export function sampleValues(f: Lin, v: SymView, ctx: SliceCtx): { srcs: number[]; rows: Float64Array[]; y: Float64Array } | undefined {
  const s = ctx.stats?.sample;
  if (!s) return undefined;
  const srcs = support(f, v).srcs;
  const cols = srcs.map((id) => {
    const a = v.at(id);
    const t = a.src && (s.inputs[a.src.value] ?? s.activations[a.src.value]);
    return t && a.src ? { data: t.data as Float32Array, w: t.shape.slice(1).reduce((p, q) => p * q, 1), i: a.src.index } : undefined;
  });
  if (cols.some((c) => !c)) return undefined;
  const n = s.rows.length;
  const rows: Float64Array[] = [];
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const x = Float64Array.from(cols, (c) => c!.data[r * c!.w + c!.i]);
    rows.push(x);
    y[r] = evalLin(v, f, new Map(srcs.map((id, i) => [id, x[i]])));
  }
  return { srcs, rows, y };
}

/** More source bits than a table holds: a parity fitted on the analysis samples (Gaussian elimination over
 *  GF(2)); the formula is then checked on those samples only, and the view says so (rule "logic:sampled"). */
function sampledParity(f: Lin, v: SymView, ctx: SliceCtx): { formula: Formula; srcs: number[] } | undefined {
  const s = sampleValues(f, v, ctx);
  if (!s || s.rows.length < 2 * s.srcs.length) return undefined;
  const bits = s.y.map((y) => (y > 0.5 ? 1 : 0));
  if (s.y.some((y, r) => !(Math.abs(y - bits[r]) <= BIT_TOL))) return undefined;
  const formula = fitParity(s.srcs.length, s.rows.map((x) => Uint8Array.from(x)), [...bits]);
  return formula && { formula, srcs: s.srcs };
}

export const logicRecogniser: SliceRecogniser = {
  name: "logic",
  doc: "outputs that are 0/1 functions of 0/1 sources: their truth table (all 2^k points, k <= 16) minimised to gates; a parity of more bits fitted on the samples",
  identity: "f(x) = formula(x) at every x in {0,1}^k",
  vector(fs, v, ctx) {
    let changed = false;
    const taken = new Set<string>();
    const out = fs.map((f) => {
      const { srcs, inner } = support(f, v);
      // Only outputs something non-linear computes; one that already is a gate is done.
      if (!inner.length || !srcs.length) return f;
      const ids = [...f.t.keys()];
      if (ids.length === 1 && f.c === 0 && f.t.get(ids[0]) === 1 && v.at(ids[0]).kind === "logic") return f;
      if (!srcs.every((id) => srcIsBits(v.at(id), ctx))) return f;
      let formula: Formula | undefined;
      if (srcs.length <= MAX_TABLE_INPUTS) {
        const table = tableOf(f, srcs, v);
        formula = table && minimiseTable({ n: srcs.length, values: table });
      } else {
        const fit = sampledParity(f, v, ctx);
        if (fit) v.fire("logic:sampled");
        formula = fit?.formula;
      }
      if (!formula) return f;
      const g = buildFormula(formula, srcs, v);
      const top = [...g.t.keys()][0];
      if (top !== undefined && v.at(top).kind === "logic") {
        const units = [...inner.flatMap((id) => v.at(id).units), ...v.takeCarriers(f)].filter((u) => !taken.has(u));
        units.forEach((u) => taken.add(u));
        v.at(top).units.push(...units);
      }
      v.fire("logic");
      changed = true;
      return g;
    });
    return changed ? out : undefined;
  },
};
