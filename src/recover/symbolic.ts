// The symbolic view of a ReLU slice: every value as an affine form (Lin) over atoms, where an atom is a named
// value: an entry of a source (a Net input or a layer outside the slice), `relu(form)` for a unit nothing has
// explained yet, or a primitive a rule found (abs, max, min, clamp, sort entries, one-hot entries, ...).
// Atoms are interned by a canonical key: `relu(s * f) = s * relu(f)` for s > 0 (positive homogeneity), so
// rescaled units and split copies of one unit become one atom whose coefficients add up.
//
// Matching is up to a relative tolerance (weights carry noise); every coefficient a rule moves or drops is
// recorded in `maxSnap`, and the slice's statements are measured against the Net afterwards (residual.ts), so
// the tolerance can name things but never hide a difference.

/** An affine form sum(t[atom] * atom) + c over atom ids. */
export interface Lin {
  t: Map<number, number>;
  c: number;
}

/** A named scalar value of the symbolic view. `kind` is open: recognisers add kinds (see atom-kinds.ts). */
export interface Atom {
  id: number;
  kind: string;
  /** Operands, as forms over earlier atoms. */
  args: Lin[];
  /** Kind-specific numbers: clamp [lo, hi]; order [k]; onehot [k, lead]. */
  params: number[];
  key: string;
  /** The Net units (`layer:index`) this atom stands for. */
  units: string[];
  /** Bounds proven over the box domain (-Infinity / Infinity when unknown). */
  lo: number;
  hi: number;
  /** For kind "src": which entry of which value. */
  src?: { value: string; index: number };
  /** The layer of the units of a relu atom (leftover units are emitted per layer). */
  layer?: string;
}

/** A unit the view dropped, and why (provably or observably never active). */
export interface DroppedUnit {
  unit: string;
  why: "provably never active over the box" | "never active on the analysis data";
}

/** Quantum of the interning keys, relative to a form's largest coefficient. */
const KEY_Q = 1e-3;

/** An empty form plus a constant. */
export function lin(c = 0): Lin {
  return { t: new Map(), c };
}

/** The form k * atom. */
export function atomLin(id: number, k = 1): Lin {
  return { t: new Map([[id, k]]), c: 0 };
}

/** acc += k * l (in place). */
export function addInto(acc: Lin, l: Lin, k = 1): Lin {
  for (const [id, v] of l.t) acc.t.set(id, (acc.t.get(id) ?? 0) + k * v);
  acc.c += k * l.c;
  return acc;
}

/** k * l, a new form. */
export function scaled(l: Lin, k: number): Lin {
  return addInto(lin(), l, k);
}

/** A copy of l. */
export function copyLin(l: Lin): Lin {
  return { t: new Map(l.t), c: l.c };
}

/** Largest |coefficient| of the atom terms (0 for a constant). */
export function maxCoef(l: Lin): number {
  let m = 0;
  for (const v of l.t.values()) m = Math.max(m, Math.abs(v));
  return m;
}

/** The atom ids of a form, ascending. */
export function termIds(l: Lin): number[] {
  return [...l.t.keys()].sort((a, b) => a - b);
}

/** A canonical text of a form, coefficients quantised relative to `scale`. */
export function linKey(l: Lin, scale = Math.max(maxCoef(l), 1e-30)): string {
  const q = KEY_Q * scale;
  const parts: string[] = [];
  for (const id of termIds(l)) {
    const k = Math.round(l.t.get(id)! / q);
    if (k !== 0) parts.push(`${id}:${k}`);
  }
  parts.push(`c${Math.round(l.c / q)}`);
  return parts.join(",");
}

/** The symbolic view of one slice: its atoms, interned, and what the rewriting cost. */
export class SymView {
  readonly atoms: Atom[] = [];
  private readonly byKey = new Map<string, Atom[]>();
  /** Units whose atoms a rule removed without making a new atom (pass-throughs), by the atom they carried. */
  readonly carriers = new Map<number, string[]>();
  readonly dropped: DroppedUnit[] = [];
  /** What the view took from observation rather than proof (units active on every sample, taken as linear). */
  readonly assumed: string[] = [];
  /** Largest coefficient change (relative to its form's scale) that matching or snapping made. */
  maxSnap = 0;
  /** Names of the rules that fired, with counts. */
  readonly fired = new Map<string, number>();
  /** Recognisers whose vector hook rewrote the slice's outputs together. */
  readonly vectorFired: string[] = [];
  /** Recognisers whose form hook rewrote some form. */
  readonly formFired = new Set<string>();

  /** @param tol relative tolerance of matching (coefficients equal when they differ by at most tol * scale). */
  constructor(readonly tol = 1e-2) {}

  private readonly kindCount = new Map<string, number>();

  /** How many atoms of a kind the view holds. */
  count(kind: string): number {
    return this.kindCount.get(kind) ?? 0;
  }

  /** The atom with an id. */
  at(id: number): Atom {
    return this.atoms[id];
  }

  /** The interned atom equal (within tolerance) to kind(args)[params], if any. */
  find(kind: string, args: Lin[], params: number[] = [], src?: Atom["src"]): Atom | undefined {
    return this.findKeyed(bucketKey(kind, args, params, src), args, params, src);
  }

  /** find() with the bucket key already made (bucketKey of the same arguments): for a caller that asks the same
   *  question again as atoms are added (a relu atom's partner). */
  findKeyed(key: string, args: Lin[], params: number[] = [], src?: Atom["src"]): Atom | undefined {
    const bucket = this.byKey.get(key);
    return bucket?.find((a) => src || (a.args.every((f, i) => near(f, args[i], this.tol)) && a.params.every((p, i) => Math.abs(p - params[i]) <= this.tol * Math.max(1, Math.abs(p)))));
  }

  /** Intern an atom: one equal within tolerance is reused (its units grow; the difference is recorded as a snap). */
  atom(kind: string, args: Lin[], params: number[], opts: { units?: string[]; lo?: number; hi?: number; src?: Atom["src"]; layer?: string } = {}): Atom {
    args = args.map((f) => this.snapForm(f));
    const got = this.find(kind, args, params, opts.src);
    if (got) {
      if (opts.units) got.units.push(...opts.units);
      got.args.forEach((a, i) => this.note(linDiff(a, args[i]) / Math.max(maxCoef(a), Math.abs(a.c), 1e-30)));
      return got;
    }
    const key = bucketKey(kind, args, params, opts.src);
    const a: Atom = {
      id: this.atoms.length, kind, args, params, key, units: [...(opts.units ?? [])],
      lo: opts.lo ?? -Infinity, hi: opts.hi ?? Infinity,
      ...(opts.src ? { src: opts.src } : {}), ...(opts.layer ? { layer: opts.layer } : {}),
    };
    this.atoms.push(a);
    this.kindCount.set(kind, (this.kindCount.get(kind) ?? 0) + 1);
    const bucket = this.byKey.get(key);
    if (bucket) bucket.push(a);
    else this.byKey.set(key, [a]);
    return a;
  }

  /** A form with each coefficient (and the constant) moved to a nearby short number when within tolerance
   *  (1, 0.5, 1/3, 10, 0.1, ...), the change recorded. Readability only: the slice is measured afterwards. */
  snapForm(l: Lin): Lin {
    const scale = Math.max(maxCoef(l), Math.abs(l.c), 1e-30);
    const out: Lin = { t: new Map(), c: 0 };
    for (const [id, v] of l.t) {
      const n = nice(v, this.tol * scale);
      this.note(Math.abs(n - v) / scale);
      if (n !== 0) out.t.set(id, n);
    }
    out.c = nice(l.c, this.tol * scale);
    this.note(Math.abs(out.c - l.c) / scale);
    return out;
  }

  /** Bounds of a form by interval arithmetic over its atoms' bounds. */
  bounds(l: Lin): [number, number] {
    let lo = l.c, hi = l.c;
    for (const [id, k] of l.t) {
      const a = this.atoms[id];
      lo += k > 0 ? k * a.lo : k * a.hi;
      hi += k > 0 ? k * a.hi : k * a.lo;
    }
    return [Number.isNaN(lo) ? -Infinity : lo, Number.isNaN(hi) ? Infinity : hi];
  }

  /** Drop terms whose coefficient is within tolerance of 0 relative to `scale`, recording what that cost. */
  snapZeros(l: Lin, scale: number): Lin {
    for (const [id, v] of l.t) {
      if (Math.abs(v) <= this.tol * scale) {
        l.t.delete(id);
        if (v !== 0) this.note(Math.abs(v) / scale);
      }
    }
    return l;
  }

  /** Record a relative coefficient change. */
  note(rel: number): void {
    if (rel > this.maxSnap) this.maxSnap = rel;
  }

  /** Count a rule firing. */
  fire(rule: string): void {
    this.fired.set(rule, (this.fired.get(rule) ?? 0) + 1);
  }

  /** Carriers of an atom, taken (a new atom that consumes it adopts its pass-through units). */
  takeCarriers(l: Lin): string[] {
    const out: string[] = [];
    for (const id of l.t.keys()) {
      const c = this.carriers.get(id);
      if (c) {
        out.push(...c);
        this.carriers.delete(id);
      }
    }
    return out;
  }

  /** Units that carried the atoms of a form without naming anything new (pass-through pairs, identities). */
  addCarriers(l: Lin, units: string[]): void {
    const ids = termIds(l);
    if (!ids.length || !units.length) return;
    const c = this.carriers.get(ids[0]) ?? [];
    c.push(...units);
    this.carriers.set(ids[0], c);
  }
}

/** Largest coefficient (or constant) difference of two forms. */
export function linDiff(a: Lin, b: Lin): number {
  let d = Math.abs(a.c - b.c);
  for (const [id, v] of a.t) d = Math.max(d, Math.abs(v - (b.t.get(id) ?? 0)));
  for (const [id, v] of b.t) if (!a.t.has(id)) d = Math.max(d, Math.abs(v));
  return d;
}

/** The bucket of an atom: kind, operand atoms and coefficient signs (coefficients are compared with tolerance). */
/** The interning bucket of kind(args)[params]: atoms whose terms have the same ids and signs. */
export function bucketKey(kind: string, args: Lin[], params: number[], src?: Atom["src"]): string {
  if (src) return `src:${src.value}[${src.index}]`;
  return `${kind}(${args.map((a) => termIds(a).map((id) => `${id}${a.t.get(id)! > 0 ? "+" : "-"}`).join(",")).join(";")})[${params.length}]`;
}

/** Two forms equal within tol relative to their scale. */
function near(a: Lin, b: Lin, tol: number): boolean {
  const scale = Math.max(maxCoef(a), Math.abs(a.c), maxCoef(b), Math.abs(b.c), 1e-30);
  return linDiff(a, b) <= tol * scale;
}

/** A short number within eps of x (0, integers, 24ths, one significant digit), else x. */
export function nice(x: number, eps: number): number {
  if (Math.abs(x) <= eps) return 0;
  const cands = [Math.round(x), Math.round(x * 24) / 24, Number(x.toPrecision(1))];
  let best = x, d = Infinity;
  for (const c of cands) {
    const e = Math.abs(c - x);
    if (e <= eps && e < d) { best = c; d = e; }
  }
  return best;
}

/** The form with the largest coefficient scaled to 1 (sign kept) and the scale: l = s * unit(l), s > 0. */
export function normalized(l: Lin): { s: number; f: Lin } {
  const s = maxCoef(l);
  return s > 0 ? { s, f: scaled(l, 1 / s) } : { s: 0, f: copyLin(l) };
}
