// Statements from the symbolic view of a slice: every atom the outputs need, in creation order (an atom's
// operands are older than it), each kind emitted by its AtomKind (atom-kinds.ts); then the outputs as one
// value. Scalars are vec[1]; an atom may live in an entry of a vector statement (a `place`), picked out when a
// scalar is needed (`x0 = x[0]`).
import type { NetSlice, PrimOp, PrimStmt, ValueType, Weight } from "../program/program.ts";
import { atomKind } from "./atom-kinds.ts";
import { atomLin, maxCoef, termIds, type Atom, type Lin, type SymView } from "./symbolic.ts";

/** Names and weights the emitter asks the builder for. */
export interface EmitNames {
  /** The program variable holding a Net value (a slice source) and its width. */
  source(value: string): { name: string; n: number };
  /** A fresh variable name like `want`, `want_2`, ... */
  fresh(want: string): string;
  /** A fresh primitive id (p1, p2, ...). */
  primId(): string;
  /** A fresh weight index (W3 / b3). */
  weightIndex(): number;
  /** The Net weights behind some units (`layer:index`): what `show` opens for a primitive standing for them. */
  unitWeights?(units: string[]): Weight[];
}

/** Where an atom's value is: entry `index` of variable `name` of width n (n = 1: the variable itself). */
export interface Place {
  name: string;
  index: number;
  n: number;
}

/** Emits the statements of one slice into `body`. */
export class SliceEmitter {
  readonly body: PrimStmt[] = [];
  readonly places = new Map<number, Place>();
  private readonly picks = new Map<string, string>();
  private readonly forms = new Map<string, string>();

  constructor(readonly view: SymView, readonly names: EmitNames, readonly error: number) {}

  /** Add a statement `name = op(args)` standing for some units; returns the variable name. */
  stmt(want: string, n: number, args: string[], op: PrimOp, units: string[] = [], comment?: string, weights: Weight[] = [], type: ValueType = { kind: "vec", n }): string {
    const name = this.names.fresh(want);
    const own = units.length && weights.length === 0 && op.kind !== "affine" ? this.names.unitWeights?.(units) ?? [] : weights;
    const prim = { ...op, id: this.names.primId(), slice: unitSlice(units, own), error: this.error } as PrimStmt["prim"];
    this.body.push({ kind: "prim", out: { name, type }, args, prim, ...(comment ? { comment } : {}) });
    return name;
  }

  /** Weights for an affine statement. */
  weights(rows: number, cols: number, W: Float32Array, b: Float32Array): { W: Weight; b: Weight } {
    const k = this.names.weightIndex();
    return { W: { name: `W${k}`, shape: [rows, cols], data: W }, b: { name: `b${k}`, shape: [rows], data: b } };
  }

  /** A scalar variable holding an atom (a pick out of its vector when it lives in one). */
  scalar(id: number): string {
    const p = this.place(id);
    if (p.n === 1) return p.name;
    const key = `${p.name}[${p.index}]`;
    let v = this.picks.get(key);
    if (!v) {
      v = this.stmt(`${p.name}${p.index}`, 1, [p.name], { kind: "pick", params: { indices: [p.index] } });
      this.picks.set(key, v);
    }
    return v;
  }

  /** The place of an emitted atom (source atoms are placed on first use). */
  place(id: number): Place {
    let p = this.places.get(id);
    if (!p) {
      const a = this.view.at(id);
      if (a.kind !== "src" || !a.src) throw new Error(`slice emitter: atom ${id} (${a.kind}) used before it was emitted`);
      const s = this.names.source(a.src.value);
      p = { name: s.name, index: a.src.index, n: s.n };
      this.places.set(id, p);
    }
    return p;
  }

  /** A scalar variable holding a form: the atom itself when the form is 1 * atom, else a `linear` statement. */
  form(l: Lin, want = "t"): string {
    const ids = termIds(l);
    if (ids.length === 1 && l.c === 0 && l.t.get(ids[0]) === 1) return this.scalar(ids[0]);
    const args = ids.length ? ids.map((id) => this.scalar(id)) : [this.anyScalar()];
    const coefs = ids.length ? ids.map((id) => l.t.get(id)!) : [0];
    const key = `${args.join(",")}|${coefs.join(",")}|${l.c}`;
    let v = this.forms.get(key);
    if (!v) {
      v = this.stmt(want, 1, args, { kind: "lincomb", params: { coefs, bias: l.c } });
      this.forms.set(key, v);
    }
    return v;
  }

  /** Some scalar (a constant form still needs an argument): the first source entry. */
  private anyScalar(): string {
    const src = this.view.atoms.find((a) => a.kind === "src");
    if (!src) throw new Error("slice emitter: a constant form in a slice with no source");
    return this.scalar(src.id);
  }

  /** Emit an atom (and first, everything it reads), with the other atoms of its group. */
  ensure(id: number, needed: ReadonlySet<number>): void {
    if (this.places.has(id)) return;
    const a = this.view.at(id);
    if (a.kind === "src") return;
    const kind = atomKind(a.kind);
    const key = kind.group?.(a);
    const group = key === undefined ? [a] : this.view.atoms.filter((x) => x.kind === a.kind && needed.has(x.id) && !this.places.has(x.id) && kind.group!(x) === key);
    for (const g of group) for (const f of g.args) for (const op of f.t.keys()) this.ensure(op, needed);
    kind.emit(group, this);
  }

  /** Emit everything the outputs need, then the outputs as one vector variable named `outName` (exactly that name). */
  emitOutputs(outs: Lin[], outName: string, units: string[]): string {
    const needed = neededAtoms(this.view, outs);
    for (const id of [...needed].sort((a, b) => a - b)) this.ensure(id, needed);
    const m = outs.length;
    const ids = outs.map((f) => { const t = termIds(f); return t.length === 1 && f.c === 0 && f.t.get(t[0]) === 1 ? t[0] : -1; });
    let name: string;
    if (ids.every((id) => id >= 0)) {
      name = m === 1 ? this.scalar(ids[0]) : this.vector(ids, outName);
    } else if (m === 1) {
      name = this.form(outs[0], outName);
    } else if (m <= 16) {
      name = this.stmt(outName, m, outs.map((f, k) => this.form(f, `${outName}${k}`)), { kind: "concat", params: { axis: 0 } });
    } else {
      const cols = this.columns(outs);
      const v = this.vector(cols);
      const { W, b } = SliceEmitter.matrix(outs, cols);
      const w = this.weights(m, cols.length, W, b);
      name = this.stmt(outName, m, [v], { kind: "affine", params: { W: w.W, b: w.b } }, [], `${m} outputs`);
    }
    const own = this.body.find((s) => s.out.name === name);
    if (!own) {
      // The output is a source value itself: copy it under its own name.
      name = this.stmt(outName, m, [name], { kind: "lincomb", params: { coefs: [1], bias: 0 } });
    }
    const last = this.body.find((s) => s.out.name === name)!;
    if (units.length) last.prim.slice = unitSlice([...sliceUnits(last.prim.slice), ...units], last.prim.slice.weights);
    this.rename(name, outName);
    return outName;
  }

  /** Rename a variable everywhere in the body. */
  private rename(from: string, to: string): void {
    if (from === to) return;
    for (const s of this.body) {
      if (s.out.name === from) s.out = { ...s.out, name: to };
      s.args = s.args.map((a) => (a === from ? to : a));
    }
  }

  /** Atoms read by forms, ascending. */
  static readsOf(forms: Lin[]): number[] {
    const s = new Set<number>();
    for (const f of forms) for (const id of f.t.keys()) s.add(id);
    return [...s].sort((a, b) => a - b);
  }

  /** A vector variable whose entries are the given atoms in order: a variable that already is exactly that,
   *  the whole source when they are its entries in order, else the scalars assembled `[a, b, ...]`. */
  vector(ids: number[], want = "v"): string {
    if (ids.length === 0) throw new Error("slice emitter: an empty vector");
    const first = this.place(ids[0]);
    if (first.n === ids.length && ids.every((id, k) => { const p = this.place(id); return p.name === first.name && p.index === k; })) return first.name;
    if (ids.length === 1) return this.scalar(ids[0]);
    return this.stmt(want, ids.length, ids.map((id) => this.scalar(id)), { kind: "concat", params: { axis: 0 } });
  }

  /** W and b of forms over a vector of atoms (rows: forms; columns: `cols`), float32. */
  static matrix(forms: Lin[], cols: number[]): { W: Float32Array; b: Float32Array } {
    const col = new Map(cols.map((id, k) => [id, k]));
    const W = new Float32Array(forms.length * cols.length), b = new Float32Array(forms.length);
    forms.forEach((f, r) => {
      for (const [id, v] of f.t) W[r * cols.length + col.get(id)!] = v;
      b[r] = f.c;
    });
    return { W, b };
  }

  /** The columns for forms read as W @ v: every entry of the source when all read one source, else the atoms read. */
  columns(forms: Lin[]): number[] {
    const reads = SliceEmitter.readsOf(forms);
    const srcs = new Set(reads.map((id) => this.view.at(id)).map((a) => (a.kind === "src" ? a.src!.value : "")));
    if (srcs.size === 1 && !srcs.has("")) {
      const value = [...srcs][0];
      const n = this.names.source(value).n;
      if (reads.length > 1 || n <= 8) {
        return Array.from({ length: n }, (_, k) => this.view.atom("src", [], [], { src: { value, index: k } }).id);
      }
    }
    return reads;
  }
}

/** The NetSlice of some unit ids (`layer:index`), grouped by layer in first-seen order. */
export function unitSlice(units: string[], weights: Weight[] = []): NetSlice {
  const by = new Map<string, Set<number>>();
  for (const u of units) {
    const k = u.lastIndexOf(":");
    const id = u.slice(0, k), i = Number(u.slice(k + 1));
    if (!by.has(id)) by.set(id, new Set());
    by.get(id)!.add(i);
  }
  return { layers: [...by].map(([id, s]) => ({ id, units: [...s].sort((a, b) => a - b) })), weights };
}

/** Every atom the forms need, transitively through operands. */
export function neededAtoms(view: SymView, forms: Lin[]): Set<number> {
  const seen = new Set<number>();
  const stack = SliceEmitter.readsOf(forms);
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const f of view.at(id).args) for (const op of f.t.keys()) stack.push(op);
  }
  return seen;
}

/** The unit ids of a slice. */
function sliceUnits(s: NetSlice): string[] {
  return s.layers.flatMap((l) => (l.units ?? []).map((i) => `${l.id}:${i}`));
}

/** The largest coefficient of a set of forms (for tolerances). */
export function formsScale(forms: Lin[]): number {
  return Math.max(1e-30, ...forms.map((f) => Math.max(maxCoef(f), Math.abs(f.c))));
}

export { atomLin };
export type { Atom };
