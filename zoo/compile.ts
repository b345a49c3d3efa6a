// A small compiler from straight-line ReLU arithmetic to layered dense networks, the way tracr
// compiles RASP: values are affine forms over the units of one level; relu() makes a unit at the
// next level; mixing values of different levels lifts the lower one through pass-through units
// (one unit relu(u) for a unit known non-negative on the domain, relu(u) - relu(-u) otherwise).
import { dense, type Branch, type DenseLayer, type ZooNet } from "./net.ts";

/** An affine form over the units of one level: sum(coef * unit) + c. Level 0 is the input. */
export interface Lin {
  level: number;
  terms: Map<number, number>;
  c: number;
}

interface UnitDef {
  /** Pre-activation over the previous level's units. */
  pre: Lin;
  module: string;
  lo: number;
  hi: number;
}

/** Builds one branch: call input(), combine with the helpers, then build(outputs). */
export class Compiler {
  /** Module label given to units created from now on (pass-throughs of hidden units keep theirs). */
  module = "main";
  private readonly inLo: number[];
  private readonly inHi: number[];
  private readonly levels: UnitDef[][] = [[]];
  private readonly lifted = new Map<string, Lin>();

  /** A compiler over inputs with the given box bounds (bits: 0 and 1). */
  constructor(lo: number[], hi: number[]) {
    this.inLo = lo;
    this.inHi = hi;
  }

  /** Input i as a value. */
  input(i: number): Lin {
    if (i < 0 || i >= this.inLo.length) throw new Error(`input ${i} out of range`);
    return { level: 0, terms: new Map([[i, 1]]), c: 0 };
  }

  /** Interval bounds of a unit at a level (inputs: the domain box). */
  private unitBounds(level: number, u: number): [number, number] {
    if (level === 0) return [this.inLo[u], this.inHi[u]];
    const d = this.levels[level][u];
    return [d.lo, d.hi];
  }

  /** Interval bounds of a value. */
  bounds(l: Lin): [number, number] {
    let lo = l.c;
    let hi = l.c;
    for (const [u, k] of l.terms) {
      const [a, b] = this.unitBounds(l.level, u);
      lo += k > 0 ? k * a : k * b;
      hi += k > 0 ? k * b : k * a;
    }
    return [lo, hi];
  }

  /** relu(l) as a new unit at the next level. */
  relu(l: Lin, module = this.module): Lin {
    const [lo, hi] = this.bounds(l);
    const level = l.level + 1;
    while (this.levels.length <= level) this.levels.push([]);
    const units = this.levels[level];
    units.push({ pre: { level: l.level, terms: new Map(l.terms), c: l.c }, module, lo: Math.max(0, lo), hi: Math.max(0, hi) });
    return { level, terms: new Map([[units.length - 1, 1]]), c: 0 };
  }

  /** One unit at `level`, carried to level + 1 (memoised: each unit is passed through once). */
  private liftUnit(level: number, u: number): Lin {
    const key = `${level}:${u}`;
    const got = this.lifted.get(key);
    if (got) return got;
    const [lo, hi] = this.unitBounds(level, u);
    const module = level === 0 ? this.module : this.levels[level][u].module;
    const x: Lin = { level, terms: new Map([[u, 1]]), c: 0 };
    let r: Lin;
    if (lo >= 0) r = this.relu(x, module);
    else if (hi <= 0) r = scale(this.relu(scale(x, -1), module), -1);
    else r = add(this.relu(x, module), scale(this.relu(scale(x, -1), module), -1));
    this.lifted.set(key, r);
    return r;
  }

  /** A value re-expressed at a higher level through pass-through units. */
  lift(l: Lin, level: number): Lin {
    let cur = l;
    while (cur.level < level) {
      let next: Lin = { level: cur.level + 1, terms: new Map(), c: cur.c };
      for (const [u, k] of cur.terms) next = add(next, scale(this.liftUnit(cur.level, u), k));
      cur = next;
    }
    return cur;
  }

  /** sum(coef_i * v_i) + c, lifting every value to the deepest level among them. */
  combo(parts: [number, Lin][], c = 0): Lin {
    const level = Math.max(0, ...parts.map(([, v]) => v.level));
    let acc: Lin = { level, terms: new Map(), c };
    for (const [k, v] of parts) acc = add(acc, scale(this.lift(v, level), k));
    return acc;
  }

  /** The dense layers computing the outputs: one ReLU layer per level, then a linear output layer. */
  build(outputs: Lin[]): DenseLayer[] {
    const depth = Math.max(1, ...outputs.map((o) => o.level));
    const outs = outputs.map((o) => this.lift(o, depth));
    const layers: DenseLayer[] = [];
    for (let level = 1; level <= depth; level++) {
      const nIn = level === 1 ? this.inLo.length : this.levels[level - 1].length;
      const units = this.levels[level] ?? [];
      layers.push(dense(units.map((d) => row(d.pre, nIn)), units.map((d) => d.pre.c), true, units.map((d) => d.module)));
    }
    const nLast = this.levels[depth].length;
    layers.push(dense(outs.map((o) => row(o, nLast)), outs.map((o) => o.c), false, outs.map(() => "out")));
    return layers;
  }

  /** build() wrapped as a branch. */
  branch(name: string, outputs: Lin[], slice?: [number, number]): Branch {
    return { name, slice, layers: this.build(outputs) };
  }
}

/** The dense weight row of a value over nIn units. */
function row(l: Lin, nIn: number): number[] {
  const r = new Array<number>(nIn).fill(0);
  for (const [u, k] of l.terms) r[u] += k;
  return r;
}

/** a + b for values at the same level. */
export function add(a: Lin, b: Lin): Lin {
  if (a.level !== b.level) throw new Error(`add: levels differ (${a.level} vs ${b.level}); use Compiler.combo`);
  const terms = new Map(a.terms);
  for (const [u, k] of b.terms) {
    const v = (terms.get(u) ?? 0) + k;
    if (v === 0) terms.delete(u);
    else terms.set(u, v);
  }
  return { level: a.level, terms, c: a.c + b.c };
}

/** k * a. */
export function scale(a: Lin, k: number): Lin {
  return { level: a.level, terms: new Map([...a.terms].map(([u, v]) => [u, v * k])), c: a.c * k };
}

/** max(a, b) = a + relu(b - a). */
export function max2(C: Compiler, a: Lin, b: Lin): Lin {
  return C.combo([[1, a], [1, C.relu(C.combo([[1, b], [-1, a]]))]]);
}

/** min(a, b) = a - relu(a - b). */
export function min2(C: Compiler, a: Lin, b: Lin): Lin {
  return C.combo([[1, a], [-1, C.relu(C.combo([[1, a], [-1, b]]))]]);
}

/** Compare-exchange: [min(a, b), max(a, b)] from one unit d = relu(a - b). */
export function compareExchange(C: Compiler, a: Lin, b: Lin): [Lin, Lin] {
  const d = C.relu(C.combo([[1, a], [-1, b]]));
  return [C.combo([[1, a], [-1, d]]), C.combo([[1, b], [1, d]])];
}

/** |a| = relu(a) + relu(-a). */
export function abs(C: Compiler, a: Lin): Lin {
  return C.combo([[1, C.relu(a)], [1, C.relu(scale(a, -1))]]);
}

/** xor of two bits = relu(a - b) + relu(b - a). */
export function xor(C: Compiler, a: Lin, b: Lin): Lin {
  return C.combo([[1, C.relu(C.combo([[1, a], [-1, b]]))], [1, C.relu(C.combo([[1, b], [-1, a]]))]]);
}

/** clamp(x, lo, hi) = lo + relu(x - lo) - relu(x - hi), for lo < hi. */
export function clamp(C: Compiler, x: Lin, lo: number, hi: number): Lin {
  return C.combo([[1, C.relu(C.combo([[1, x]], -lo))], [-1, C.relu(C.combo([[1, x]], -hi))]], lo);
}

/** A one-branch net over a box (bits: lo 0, hi 1): `body` gets the compiler and the inputs, returns the outputs. */
export function compileNet(lo: number[], hi: number[], body: (C: Compiler, xs: Lin[]) => Lin[], module = "main"): ZooNet {
  const C = new Compiler(lo, hi);
  C.module = module;
  const outs = body(C, lo.map((_, i) => C.input(i)));
  return { inputShape: [lo.length], branches: [C.branch("", outs)] };
}
