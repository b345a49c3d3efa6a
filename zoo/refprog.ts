// Reference programs as the zoo writes them by hand: the Program IR's shape (functions of vectors,
// statements `y = prim(args)` or `y = f(args)`) with plain number arrays, plus `pick` (select entries of
// a vector) and `onehot` (one-hot of the argmax), which program.ts has no primitive for. toprogram.ts
// converts to the Program IR; runRef evaluates directly, so each description is tested on its own.

/** A statement's operation; kinds mirror program.ts PrimKind where one exists. */
export type RefOp =
  | { kind: "pick"; idx: number[] }
  | { kind: "affine"; W: number[][]; b: number[] }
  | { kind: "conv"; inShape: [number, number, number]; kernel: number[]; kernelShape: [number, number, number, number]; bias: number[]; stride: number; pad: number }
  | { kind: "act"; fn: "abs" | "relu" | "clip"; min?: number; max?: number }
  | { kind: "max" | "min" | "add" | "concat" }
  | { kind: "sort"; descending: boolean }
  | { kind: "threshold"; c: number; strict: boolean }
  | { kind: "logic"; op: "and" | "or" | "xor" | "not" }
  | { kind: "piecewise"; breakpoints: number[]; slopes: number[]; value0: number }
  | { kind: "onehot" }
  | { kind: "call"; fn: string };

export interface RefStmt {
  out: string;
  op: RefOp;
  args: string[];
}

export interface RefParam {
  name: string;
  n: number;
  /** Entries are 0 or 1. */
  bits?: boolean;
}

export interface RefFn {
  name: string;
  params: RefParam[];
  body: RefStmt[];
  returns: string[];
  doc?: string;
}

export interface RefProgram {
  /** Entry function first. */
  functions: RefFn[];
}

/** A statement `out = op(args)`. */
export function st(out: string, op: RefOp, ...args: string[]): RefStmt {
  return { out, op, args };
}

/** `out = pick(x, i...)`: entries of x. */
export function pick(out: string, x: string, ...idx: number[]): RefStmt {
  return st(out, { kind: "pick", idx }, x);
}

/** `out = prim(args)` for a parameterless primitive. */
export function prim(out: string, kind: "max" | "min" | "add" | "concat" | "onehot", ...args: string[]): RefStmt {
  return st(out, { kind }, ...args);
}

/** `out = f(args)`. */
export function call(out: string, fn: string, ...args: string[]): RefStmt {
  return st(out, { kind: "call", fn }, ...args);
}

/** A one-function program. */
export function single(name: string, params: RefParam[], body: RefStmt[], returns: string[], doc?: string): RefProgram {
  return { functions: [{ name, params, body, returns, doc }] };
}

/** Evaluate a reference program on one sample (one flat array per parameter of the entry function). */
export function runRef(p: RefProgram, args: number[][]): number[][] {
  return runFn(p, p.functions[0], args);
}

function runFn(p: RefProgram, fn: RefFn, args: number[][]): number[][] {
  const env = new Map<string, number[]>();
  fn.params.forEach((q, i) => {
    if (args[i]?.length !== q.n) throw new Error(`${fn.name}: parameter ${q.name} wants ${q.n} values, got ${args[i]?.length}`);
    env.set(q.name, args[i]);
  });
  const get = (v: string): number[] => {
    const x = env.get(v);
    if (!x) throw new Error(`${fn.name}: '${v}' is used before it is set`);
    return x;
  };
  for (const s of fn.body) {
    const xs = s.args.map(get);
    if (s.op.kind === "call") {
      const op = s.op;
      const callee = p.functions.find((f) => f.name === op.fn);
      if (!callee) throw new Error(`${fn.name}: calls unknown function ${op.fn}`);
      env.set(s.out, runFn(p, callee, xs).flat());
    } else env.set(s.out, evalOp(s.op, xs));
  }
  return fn.returns.map(get);
}

/** Elementwise fold with broadcasting of length-1 arguments. */
function fold(xs: number[][], f: (a: number, b: number) => number): number[] {
  const n = Math.max(...xs.map((x) => x.length));
  return Array.from({ length: n }, (_, i) => xs.map((x) => x[x.length === 1 ? 0 : i]).reduce((a, b) => f(a, b)));
}

function evalOp(op: Exclude<RefOp, { kind: "call" }>, xs: number[][]): number[] {
  const x = xs[0];
  const bit = (v: number) => (v > 0.5 ? 1 : 0);
  switch (op.kind) {
    case "pick": return op.idx.map((i) => x[i]);
    case "affine": return op.W.map((r, o) => r.reduce((s, w, i) => s + w * x[i], op.b[o]));
    case "conv": return convRef(op, x);
    case "act":
      if (op.fn === "abs") return x.map(Math.abs);
      if (op.fn === "relu") return x.map((v) => Math.max(0, v));
      return x.map((v) => Math.min(op.max ?? Infinity, Math.max(op.min ?? -Infinity, v)));
    case "max": return fold(xs, Math.max);
    case "min": return fold(xs, Math.min);
    case "add": return fold(xs, (a, b) => a + b);
    case "concat": return xs.flat();
    case "sort": {
      const s = [...x].sort((a, b) => a - b);
      return op.descending ? s.reverse() : s;
    }
    case "threshold": return x.map((v) => ((op.strict ? v > op.c : v >= op.c) ? 1 : 0));
    case "logic":
      if (op.op === "not") return x.map((v) => 1 - bit(v));
      return fold(xs.map((a) => a.map(bit)), op.op === "and" ? (a, b) => a & b : op.op === "or" ? (a, b) => a | b : (a, b) => a ^ b);
    case "piecewise": return x.map((v) => piecewiseRef(op, v));
    case "onehot": {
      const m = x.indexOf(Math.max(...x));
      return x.map((_, i) => (i === m ? 1 : 0));
    }
  }
}

/** The piecewise-linear function of program.ts PiecewiseParams at v. */
export function piecewiseRef(op: { breakpoints: number[]; slopes: number[]; value0: number }, v: number): number {
  const bp = op.breakpoints;
  if (bp.length === 0 || v <= bp[0]) return op.value0 + op.slopes[0] * (v - (bp[0] ?? 0));
  let acc = op.value0;
  let j = 0;
  while (j + 1 < bp.length && v > bp[j + 1]) {
    acc += op.slopes[j + 1] * (bp[j + 1] - bp[j]);
    j++;
  }
  return acc + op.slopes[j + 1] * (v - bp[j]);
}

function convRef(op: Extract<RefOp, { kind: "conv" }>, x: number[]): number[] {
  const [ic, h, w] = op.inShape;
  const [oc, , kh, kw] = op.kernelShape;
  const oh = Math.floor((h + 2 * op.pad - kh) / op.stride) + 1;
  const ow = Math.floor((w + 2 * op.pad - kw) / op.stride) + 1;
  const y: number[] = [];
  for (let o = 0; o < oc; o++) {
    for (let r = 0; r < oh; r++) {
      for (let c = 0; c < ow; c++) {
        let s = op.bias[o];
        for (let ch = 0; ch < ic; ch++) {
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const yy = r * op.stride - op.pad + i;
              const xx = c * op.stride - op.pad + j;
              if (yy >= 0 && yy < h && xx >= 0 && xx < w) s += op.kernel[((o * ic + ch) * kh + i) * kw + j] * x[(ch * h + yy) * w + xx];
            }
          }
        }
        y.push(s);
      }
    }
  }
  return y;
}
