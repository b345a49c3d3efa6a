// What each kind of atom means (eval: its value from its operands' values) and how it becomes statements
// (emit: a group of atoms of the kind, operands already emitted). A recogniser that names a new kind of value
// adds its AtomKind here with one line in ATOM_KINDS (or registers it from its own file with addAtomKind).
import type { ActSpec } from "../program/program.ts";
import type { SliceEmitter } from "./slice-emit.ts";
import { SliceEmitter as SE } from "./slice-emit.ts";
import { linKey, type Atom, type Lin } from "./symbolic.ts";

export interface AtomKind {
  kind: string;
  /** The atom's value from the values of its operand forms. */
  eval(args: number[], params: number[]): number;
  /** Atoms with the same group key are emitted together as one vector statement (default: each alone). */
  group?(a: Atom): string;
  /** Emit statements for a group of atoms of this kind and set their places. */
  emit(group: Atom[], e: SliceEmitter): void;
}

/** Emit atoms whose value is act(form) as one `act(W @ v + b)` statement over the atoms they read. */
function emitAffineAct(group: Atom[], e: SliceEmitter, act: ActSpec, want: string): void {
  const forms = group.map((a) => a.args[0]);
  const cols = e.columns(forms);
  const v = e.vector(cols);
  const { W, b } = SE.matrix(forms, cols);
  const w = e.weights(group.length, cols.length, W, b);
  const units = group.flatMap((a) => a.units);
  const name = e.stmt(want, group.length, [v], { kind: "affine", params: { W: w.W, b: w.b, act } }, units,
    `${group.length} unit${group.length === 1 ? "" : "s"}`);
  group.forEach((a, k) => e.places.set(a.id, { name, index: k, n: group.length }));
}

/** Group key of atoms whose forms all read entries of one source (they share a W @ source statement). */
function sourceGroup(e0: string) {
  return (a: Atom): string => `${e0}:${a.layer ?? ""}`;
}

const relu: AtomKind = {
  kind: "relu",
  eval: ([z]) => (z > 0 ? z : 0),
  group: sourceGroup("relu"),
  emit: (g, e) => emitAffineAct(g, e, { fn: "relu" }, "h"),
};

const abs: AtomKind = {
  kind: "abs",
  eval: ([z]) => Math.abs(z),
  group: (a) => (a.args[0].t.size > 1 ? `abs:${a.layer ?? ""}` : `abs#${a.id}`),
  emit: (g, e) => {
    if (g.length === 1 && g[0].args[0].t.size <= 4) {
      const a = g[0];
      const name = e.stmt("a", 1, [e.form(a.args[0])], { kind: "act", params: { fn: "abs" } }, a.units);
      e.places.set(a.id, { name, index: 0, n: 1 });
      return;
    }
    emitAffineAct(g, e, { fn: "abs" }, "a");
  },
};

function maxMin(kind: "max" | "min"): AtomKind {
  return {
    kind,
    eval: (xs) => (kind === "max" ? Math.max(...xs) : Math.min(...xs)),
    emit: ([a], e) => {
      const name = e.stmt(kind === "max" ? "m" : "n", 1, a.args.map((f) => e.form(f)), { kind, params: {} }, a.units);
      e.places.set(a.id, { name, index: 0, n: 1 });
    },
  };
}

const clamp: AtomKind = {
  kind: "clamp",
  eval: ([z], [lo, hi]) => (z < lo ? lo : z > hi ? hi : z),
  emit: ([a], e) => {
    const name = e.stmt("c", 1, [e.form(a.args[0])], { kind: "act", params: { fn: "clip", min: a.params[0], max: a.params[1] } }, a.units);
    e.places.set(a.id, { name, index: 0, n: 1 });
  },
};

/** Key of an operand list (atoms of one sort / one-hot share it). */
const argsKey = (a: Atom) => a.args.map((f) => linKey(f)).join(";");

/** The k-th smallest of its operands: entry k of sort(args). */
const order: AtomKind = {
  kind: "order",
  eval: (xs, [k]) => [...xs].sort((p, q) => p - q)[k],
  group: (a) => `order:${argsKey(a)}`,
  emit: (g, e) => {
    const a = g[0];
    const n = a.args.length;
    const units = g.flatMap((x) => x.units);
    const name = e.stmt("s", n, a.args.map((f) => e.form(f)), { kind: "sort", params: { descending: false } }, units,
      g.length === n ? undefined : `entries ${g.map((x) => x.params[0]).sort((p, q) => p - q).join(", ")} used`);
    for (const x of g) e.places.set(x.id, { name, index: x.params[0], n });
  },
};

/** Entry k of onehot(argmax(args)); params [k, lead]: exact where the largest operand leads by >= lead. */
const onehot: AtomKind = {
  kind: "onehot",
  eval: (xs, [k]) => {
    let best = 0;
    for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
    return best === k ? 1 : 0;
  },
  group: (a) => `onehot:${argsKey(a)}`,
  emit: (g, e) => {
    const a = g[0];
    const n = a.args.length;
    const units = g.flatMap((x) => x.units);
    const ids = a.args.map((f) => [...f.t.keys()][0]);
    const v = a.args.every((f) => f.t.size === 1 && f.c === 0 && [...f.t.values()][0] === 1) ? e.vector(ids) : e.stmt("v", n, a.args.map((f) => e.form(f)), { kind: "concat", params: { axis: 0 } });
    const i = e.stmt("i", 1, [v], { kind: "argmax", params: { axis: 0, keepdims: false, selectLastIndex: false } }, [], "index of the largest", [], { kind: "tensor", dtype: "int64", shape: [] });
    const name = e.stmt("onehot", n, [i], { kind: "onehot", params: { n } }, units, `equal where the largest leads by >= ${+a.params[1].toPrecision(3)}`);
    for (const x of g) e.places.set(x.id, { name, index: x.params[0], n });
  },
};

const src: AtomKind = {
  kind: "src",
  eval: () => {
    throw new Error("a source atom has no operands: its value comes from the data");
  },
  emit: () => {},
};

const KINDS = new Map<string, AtomKind>([src, relu, abs, maxMin("max"), maxMin("min"), clamp, order, onehot].map((k) => [k.kind, k]));

/** Register an atom kind (a recogniser's own file may add one). */
export function addAtomKind(k: AtomKind): void {
  KINDS.set(k.kind, k);
}

/** The AtomKind of a kind name. */
export function atomKind(kind: string): AtomKind {
  const k = KINDS.get(kind);
  if (!k) throw new Error(`no AtomKind '${kind}' (add it in src/recover/atom-kinds.ts)`);
  return k;
}

/** Evaluate a form given atom values (env: atom id -> value; missing atoms are evaluated from their operands). */
export function evalLin(view: { at(id: number): Atom }, l: Lin, env: Map<number, number>): number {
  let s = l.c;
  for (const [id, k] of l.t) s += k * evalAtom(view, id, env);
  return s;
}

/** An atom's value under env (memoised in env). */
export function evalAtom(view: { at(id: number): Atom }, id: number, env: Map<number, number>): number {
  const got = env.get(id);
  if (got !== undefined) return got;
  const a = view.at(id);
  const v = atomKind(a.kind).eval(a.args.map((f) => evalLin(view, f, env)), a.params);
  env.set(id, v);
  return v;
}
