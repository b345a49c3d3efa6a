// Traces of a recurrent net in a Program: run the entry function on some sequences and record, per sequence and step,
// the input row (as a symbol of a small alphabet), the recurrent statement's hidden state and the decision of the
// output at that step. The setting it reads: one model input [T, ...] (time first after the batch), one forward
// lstm/gru/rnn statement, one output of k >= 2 scores per step ([T, k]) or after the last step ([k]).
import type { Tensor } from "../../graph/tensor.ts";
import { runFn, runPrim } from "../../program/run.ts";
import { entryFn, type PrimStmt, type Program } from "../../program/program.ts";
import type { Traces } from "./types.ts";

/** At most this many symbols make an alphabet (inputs with more distinct rows are not a discrete domain). */
export const MAX_SYMBOLS = 16;

/** The recurrent statement a machine can be read from, or why there is none. */
export function findRecurrent(p: Program): { stmt: PrimStmt; cell: string } | string {
  const f = entryFn(p);
  const rec = f.body.filter((s): s is PrimStmt => s.kind === "prim" && (s.prim.kind === "lstm" || s.prim.kind === "gru" || s.prim.kind === "rnn"));
  if (!rec.length) return "no recurrent cell";
  if (rec.length > 1) return `${rec.length} recurrent cells (a machine is read from one)`;
  if (p.inputs.length !== 1 || p.outputs.length !== 1) return "the model has more than one input or output";
  const a = (rec[0].prim.params as { attrs: Record<string, unknown> }).attrs;
  if (a.direction !== undefined && a.direction !== "forward") return `the cell runs ${a.direction} (a machine reads left to right)`;
  return { stmt: rec[0], cell: `${rec[0].prim.kind}, hidden ${a.hidden_size}` };
}

/** An alphabet: input rows by their text key, in order of first appearance. */
export class Alphabet {
  rows: number[][] = [];
  private index = new Map<string, number>();
  /** Sort the rows (lexicographically) and renumber the symbols of some traces to match: tables read in input order. */
  sort(tr: Traces): void {
    const order = this.rows.map((_, i) => i).sort((a, b) => {
      const ra = this.rows[a], rb = this.rows[b];
      for (let j = 0; j < ra.length; j++) if (ra[j] !== rb[j]) return ra[j] - rb[j];
      return 0;
    });
    const newOf = new Int32Array(this.rows.length);
    order.forEach((old, i) => (newOf[old] = i));
    this.rows = order.map((i) => this.rows[i]);
    this.index = new Map(this.rows.map((r, i) => [r.join(","), i]));
    for (let j = 0; j < tr.symbols.length; j++) if (tr.symbols[j] >= 0) tr.symbols[j] = newOf[tr.symbols[j]];
  }
  /** The symbol of a row; new rows are added unless frozen (then -1). */
  of(row: number[], frozen: boolean): number {
    const key = row.join(",");
    const k = this.index.get(key);
    if (k !== undefined) return k;
    if (frozen) return -1;
    this.index.set(key, this.rows.length);
    this.rows.push(row);
    return this.rows.length - 1;
  }
}

export interface TraceRun {
  traces: Traces;
  /** The program's output as [n, T, k] scores (zeros at steps without a decision). */
  y: Float32Array;
  k: number;
  /** The network decides after the last step only (its output has no time axis). */
  last: boolean;
}

/** Run the program on `x` (batch-first) and read its traces; symbols come from `alpha` (grown unless frozen). */
export function readTraces(p: Program, stmt: PrimStmt, x: Tensor, alpha: Alphabet, frozen: boolean): TraceRun | string {
  const f = entryFn(p);
  const fns = new Map(p.functions.map((g) => [g.name, g]));
  const env = new Map<string, Tensor>([[f.params[0].name, x]]);
  for (const s of f.body) {
    const vals = s.args.map((a) => env.get(a)!);
    if (s.kind === "call") runFn(fns.get(s.fn)!, vals, fns).forEach((t, i) => env.set(s.outs[i].name, t));
    else env.set(s.out.name, runPrim(s, vals));
  }
  const Y = env.get(stmt.out.name)!, out = env.get(f.returns[0])!;
  if (x.shape.length < 2) return "the input has no time axis";
  const [n, T] = x.shape;
  const d = x.shape.slice(2).reduce((a, b) => a * b, 1);
  if (Y.shape.length !== 4 || Y.shape[0] !== T || Y.shape[1] !== 1 || Y.shape[2] !== n) return `the cell's output [${Y.shape}] is not [T=${T}, 1, batch=${n}, hidden] of this input`;
  const last = out.shape.length === 2 && out.shape[0] === n && out.shape[1] >= 2;
  if (!last && (out.shape.length !== 3 || out.shape[0] !== n || out.shape[1] !== T || out.shape[2] < 2)) return `the output [${out.shape}] is neither [batch, T, k >= 2] scores per step nor [batch, k >= 2] after the last step`;
  const H = Y.shape[3], k = out.shape[out.shape.length - 1];
  const y = new Float32Array(n * T * k);
  const xd = x.data as ArrayLike<number>, yd = Y.data as ArrayLike<number>, od = out.data as ArrayLike<number>;
  const symbols = new Int32Array(n * T), hidden = new Float64Array(n * T * H), decisions = new Int32Array(n * T);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) {
      const j = i * T + t;
      const row = Array.from({ length: d }, (_, q) => Number(xd[j * d + q]));
      symbols[j] = alpha.of(row, frozen);
      if (alpha.rows.length > MAX_SYMBOLS) return `the input takes more than ${MAX_SYMBOLS} distinct values per step: not a discrete alphabet`;
      for (let h = 0; h < H; h++) hidden[j * H + h] = yd[(t * n + i) * H + h];
      if (last && t < T - 1) {
        decisions[j] = -2;
        continue;
      }
      const o = last ? i * k : j * k;
      let best = 0;
      for (let c = 0; c < k; c++) {
        y[j * k + c] = Number(od[o + c]);
        if (od[o + c] > od[o + best]) best = c;
      }
      decisions[j] = best;
    }
  }
  return { traces: { n, T, H, symbols, hidden, decisions }, y, k, last };
}
