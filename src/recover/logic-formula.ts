// Boolean formulas over numbered input bits: what the truth-table minimiser (logic-min.ts) produces and the
// logic recogniser turns into `logic` statements. Pure data plus evaluation, printing and size.

/** A formula over input bits 0..n-1. `maj` has an odd number of args (true when most are). */
export type Formula =
  | { op: "const"; value: 0 | 1 }
  | { op: "var"; index: number }
  | { op: "not"; arg: Formula }
  | { op: "and" | "or" | "xor" | "maj"; args: Formula[] };

/** The gate kinds with several arguments. */
export type GateOp = "and" | "or" | "xor" | "maj";

/** Constant 0 or 1. */
export function fConst(value: 0 | 1): Formula {
  return { op: "const", value };
}

/** Input bit i. */
export function fVar(index: number): Formula {
  return { op: "var", index };
}

/** not f, with double negation and constants folded. */
export function fNot(f: Formula): Formula {
  if (f.op === "not") return f.arg;
  if (f.op === "const") return fConst(f.value ? 0 : 1);
  return { op: "not", arg: f };
}

/** A gate over args, flattening nested gates of the same associative kind; one arg is that arg. */
export function fGate(op: GateOp, args: Formula[]): Formula {
  const flat = op === "maj" ? args : args.flatMap((a) => (a.op === op ? a.args : [a]));
  if (flat.length === 1) return flat[0];
  return { op, args: flat };
}

/** The value of a formula at an input point (bit i of `point` is input i). */
export function evalFormula(f: Formula, point: number): 0 | 1 {
  switch (f.op) {
    case "const": return f.value;
    case "var": return ((point >>> f.index) & 1) as 0 | 1;
    case "not": return evalFormula(f.arg, point) ? 0 : 1;
    case "and": return f.args.every((a) => evalFormula(a, point)) ? 1 : 0;
    case "or": return f.args.some((a) => evalFormula(a, point)) ? 1 : 0;
    case "xor": return (f.args.reduce((s, a) => s ^ evalFormula(a, point), 0) & 1) as 0 | 1;
    case "maj": return 2 * f.args.reduce<number>((s, a) => s + evalFormula(a, point), 0) > f.args.length ? 1 : 0;
  }
}

/** Gates and literals in the formula: how long it is to read. */
export function formulaSize(f: Formula): number {
  switch (f.op) {
    case "const": case "var": return 1;
    case "not": return 1 + formulaSize(f.arg);
    default: return 1 + f.args.reduce((s, a) => s + formulaSize(a), 0);
  }
}

/** The input bits a formula reads, ascending. */
export function formulaVars(f: Formula): number[] {
  const s = new Set<number>();
  const walk = (g: Formula): void => {
    if (g.op === "var") s.add(g.index);
    else if (g.op === "not") walk(g.arg);
    else if (g.op !== "const") g.args.forEach(walk);
  };
  walk(f);
  return [...s].sort((a, b) => a - b);
}

/** The formula as text: `x0 xor (x1 and not x2)`, `maj(a, b, c)`; names[i] names input i (default x<i>). */
export function formulaText(f: Formula, names: readonly string[] = []): string {
  const name = (i: number) => names[i] ?? `x${i}`;
  const go = (g: Formula, top: boolean): string => {
    switch (g.op) {
      case "const": return String(g.value);
      case "var": return name(g.index);
      case "not": return `not ${go(g.arg, false)}`;
      case "maj": return `maj(${g.args.map((a) => go(a, true)).join(", ")})`;
      default: {
        const s = g.args.map((a) => go(a, false)).join(` ${g.op} `);
        return top ? s : `(${s})`;
      }
    }
  };
  return go(f, true);
}

/** Structural key of a formula (equal keys = same formula), for sharing sub-formulas. */
export function formulaKey(f: Formula): string {
  switch (f.op) {
    case "const": return `${f.value}`;
    case "var": return `v${f.index}`;
    case "not": return `!${formulaKey(f.arg)}`;
    default: return `${f.op}(${f.args.map(formulaKey).join(",")})`;
  }
}
