// Convert a hand-written reference program (refprog.ts) to the Program IR (src/program/program.ts),
// so truth.json carries it in the same program.json form `pseudonet explain` writes. The Program IR
// has no primitive for two of the zoo's operations, which are spelled out with ones it has:
//   pick(x, i...)  ->  affine with a 0/1 selection matrix
//   onehot(x)      ->  x >= max(x0, ..., xn-1)  (picks, max, a broadcast add, a threshold)
import type { Fn, IOSpec, PrimOp, Primitive, Program, Stmt, ValueType, Weight } from "../src/program/program.ts";
import type { RefFn, RefOp, RefProgram, RefStmt } from "./refprog.ts";

/** Model input and output shapes the entry function is tied to. */
export interface ProgramIO {
  name: string;
  inputShape: number[];
  outputSize: number;
}

/** The Program IR form of a reference program. */
export function toProgram(ref: RefProgram, io: ProgramIO): Program {
  const conv = new Converter(ref);
  // Callees first, so each call knows its callee's return types; then back to entry-first order.
  const functions = ref.functions.map((f, i) => ({ f, i })).reverse().map(({ f, i }) => conv.fn(f, i === 0 ? io : undefined)).reverse();
  const inputs: IOSpec[] = [{ name: "x", dtype: "float32", shape: [...io.inputShape], batchDim: "batch" }];
  const outputs: IOSpec[] = [{ name: "y", dtype: "float32", shape: [io.outputSize], batchDim: "batch" }];
  return { name: io.name, inputs, outputs, functions, entry: ref.functions[0].name };
}

const size = (t: ValueType): number => (t.kind === "image" ? t.c * t.h * t.w : t.kind === "tensor" ? t.shape.reduce((a, b) => a * b, 1) : t.n);
const vec = (n: number): ValueType => ({ kind: "vec", n });
const bits = (n: number): ValueType => ({ kind: "bits", n });

class Converter {
  private nextId = 1;
  private readonly returns = new Map<string, ValueType[]>();

  constructor(private readonly ref: RefProgram) {}

  /** Convert one function; the entry gets the model's input type and a final reshape to the output. */
  fn(f: RefFn, io?: ProgramIO): Fn {
    const types = new Map<string, ValueType>();
    const params = f.params.map((p, i) => {
      const shape = i === 0 && io ? io.inputShape : [p.n];
      const t: ValueType = shape.length === 3 ? { kind: "image", c: shape[0], h: shape[1], w: shape[2] } : p.bits ? bits(p.n) : vec(p.n);
      types.set(p.name, t);
      return { name: p.name, type: t };
    });
    const body: Stmt[] = [];
    for (const s of f.body) this.stmt(f, s, types, body);
    let returns = [...f.returns];
    if (io) {
      const r = returns[0];
      const t = types.get(r)!;
      if (t.kind === "image" || t.kind === "tensor") {
        body.push(this.prim(`${r}_flat`, vec(size(t)), { kind: "reshape", params: { shape: [size(t)] } }, [r]));
        returns = [`${r}_flat`];
      }
    }
    const out: Fn = { name: f.name, params, body, returns };
    if (f.doc) out.doc = f.doc;
    this.returns.set(f.name, returns.map((r) => types.get(r) ?? body.flatMap((s) => (s.kind === "prim" ? [s.out] : s.outs)).find((v) => v.name === r)!.type));
    return out;
  }

  private weight(f: RefFn, name: string, shape: number[], data: number[]): Weight {
    return { name: `${f.name}.${name}`, shape, data: Float32Array.from(data) };
  }

  private prim(out: string, type: ValueType, op: PrimOp, args: string[], label?: string): Stmt {
    const prim = { ...op, id: `p${this.nextId++}`, slice: { layers: [], weights: [] }, error: 0 } as Primitive;
    if (label) prim.label = label;
    return { kind: "prim", out: { name: out, type }, args, prim };
  }

  private stmt(f: RefFn, s: RefStmt, types: Map<string, ValueType>, body: Stmt[]): void {
    const argT = s.args.map((a) => {
      const t = types.get(a);
      if (!t) throw new Error(`${f.name}: '${a}' used before it is set`);
      return t;
    });
    const emit = (out: string, type: ValueType, op: PrimOp, args: string[], label?: string) => {
      body.push(this.prim(out, type, op, args, label));
      types.set(out, type);
    };
    const op: RefOp = s.op;
    const n0 = argT.length ? size(argT[0]) : 0;
    const anyBits = argT.some((t) => t.kind === "bits");
    switch (op.kind) {
      case "pick": {
        const W = op.idx.flatMap((i) => Array.from({ length: n0 }, (_, j) => (j === i ? 1 : 0)));
        const t = argT[0].kind === "bits" ? bits(op.idx.length) : vec(op.idx.length);
        emit(s.out, t, { kind: "affine", params: { W: this.weight(f, `${s.out}.pick`, [op.idx.length, n0], W), b: this.weight(f, `${s.out}.zero`, [op.idx.length], new Array(op.idx.length).fill(0)) } }, s.args, `pick ${op.idx.join(",")}`);
        return;
      }
      case "affine":
        emit(s.out, vec(op.W.length), { kind: "affine", params: { W: this.weight(f, `${s.out}.W`, [op.W.length, op.W[0].length], op.W.flat()), b: this.weight(f, `${s.out}.b`, [op.b.length], op.b) } }, s.args);
        return;
      case "conv": {
        const [oc, ic, kh, kw] = op.kernelShape;
        const [, h, w] = op.inShape;
        const oh = Math.floor((h + 2 * op.pad - kh) / op.stride) + 1;
        const ow = Math.floor((w + 2 * op.pad - kw) / op.stride) + 1;
        emit(s.out, { kind: "image", c: oc, h: oh, w: ow }, {
          kind: "conv",
          params: {
            weight: this.weight(f, `${s.out}.K`, [oc, ic, kh, kw], op.kernel), bias: this.weight(f, `${s.out}.bias`, [oc], op.bias),
            kernel: [kh, kw], strides: [op.stride, op.stride], pads: [op.pad, op.pad, op.pad, op.pad], dilations: [1, 1], groups: 1,
          },
        }, s.args);
        return;
      }
      case "act":
        emit(s.out, argT[0], { kind: "act", params: op.fn === "clip" ? { fn: "clip", min: op.min, max: op.max } : { fn: op.fn } }, s.args);
        return;
      case "max": case "min": case "add":
        emit(s.out, vec(Math.max(...argT.map(size))), { kind: op.kind, params: {} }, s.args);
        return;
      case "concat":
        emit(s.out, anyBits && argT.every((t) => t.kind === "bits") ? bits(argT.reduce((a, t) => a + size(t), 0)) : vec(argT.reduce((a, t) => a + size(t), 0)), { kind: "concat", params: { axis: 0 } }, s.args);
        return;
      case "sort":
        emit(s.out, argT[0], { kind: "sort", params: { descending: op.descending } }, s.args);
        return;
      case "threshold":
        emit(s.out, bits(n0), { kind: "threshold", params: { c: this.weight(f, `${s.out}.c`, [1], [op.c]), strict: op.strict } }, s.args);
        return;
      case "logic":
        emit(s.out, bits(Math.max(...argT.map(size))), { kind: "logic", params: { op: op.op } }, s.args);
        return;
      case "piecewise":
        emit(s.out, argT[0], { kind: "piecewise", params: { breakpoints: [...op.breakpoints], slopes: [...op.slopes], value0: op.value0 } }, s.args);
        return;
      case "onehot": {
        // x >= max(x): the entry equal to the maximum (the promise excludes ties).
        const x = s.args[0];
        const picks = Array.from({ length: n0 }, (_, i) => `${x}${i}`);
        picks.forEach((p, i) => this.stmt(f, { out: p, op: { kind: "pick", idx: [i] }, args: [x] }, types, body));
        emit(`${s.out}_max`, vec(1), { kind: "max", params: {} }, picks);
        emit(`${s.out}_negmax`, vec(1), { kind: "affine", params: { W: this.weight(f, `${s.out}.neg`, [1, 1], [-1]), b: this.weight(f, `${s.out}.negb`, [1], [0]) } }, [`${s.out}_max`]);
        emit(`${s.out}_d`, vec(n0), { kind: "add", params: {} }, [x, `${s.out}_negmax`]);
        emit(s.out, bits(n0), { kind: "threshold", params: { c: this.weight(f, `${s.out}.c`, [1], [0]), strict: false } }, [`${s.out}_d`], "onehot(argmax)");
        return;
      }
      case "call": {
        const callee = this.ref.functions.find((g) => g.name === op.fn);
        if (!callee) throw new Error(`${f.name}: calls unknown ${op.fn}`);
        const rt = this.returns.get(op.fn) ?? callee.returns.map(() => vec(callee.params[0]?.n ?? 1));
        const outs = [s.out].map((o, i) => ({ name: o, type: rt[i] }));
        body.push({ kind: "call", outs, args: s.args, fn: op.fn });
        outs.forEach((v) => types.set(v.name, v.type));
        return;
      }
    }
  }
}
