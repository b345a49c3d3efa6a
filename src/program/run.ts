// The Program interpreter: runs a Program on a batch, inputs and outputs in the model's own layout.
import type { DType, NumericArray, Tensor } from "../graph/tensor.ts";
import { allocData, sizeOf } from "../graph/tensor.ts";
import { runGraph } from "../run/interp.ts";
import { UserError } from "../errors.ts";
import * as K0 from "./kernels.ts";
import * as K1 from "./kernels-more.ts";
import { affineInterp } from "./affine-sparse.ts";
import { dtypeOfType, entryFn, fixedBatchOf, type Fn, type PrimStmt, type Program } from "./program.ts";
import { concatRows, sliceRows } from "../data/batch.ts";
import { isSeqKind, runSeqPrim } from "./seq-prim.ts";

const K = { ...K0, ...K1 };

/** Run a program's entry function on batch-first inputs (one tensor per model input, in order). */
export function runProgram(p: Program, inputs: readonly Tensor[]): Tensor[] {
  if (inputs.length !== p.inputs.length) {
    throw new UserError(`the program takes ${p.inputs.length} input(s) (${p.inputs.map((i) => i.name).join(", ")}), got ${inputs.length}`);
  }
  const args = inputs.map((t, i) => {
    const spec = p.inputs[i];
    const per = t.shape.slice(1);
    if (t.shape.length !== spec.shape.length + 1 || per.some((d, k) => spec.shape[k] !== -1 && d !== spec.shape[k])) {
      throw new UserError(
        `input '${spec.name}' should have shape [batch, ${spec.shape.join(", ")}], got [${t.shape.join(", ")}]`,
      );
    }
    return castTo(t, spec.dtype);
  });
  const fns = new Map(p.functions.map((f) => [f.name, f]));
  // A fixed-batch export (reshapes baked for that many rows) runs that many rows at a time, as the emitted code does;
  // inputs whose row counts differ share no batch axis and run whole.
  const size = fixedBatchOf(p), n = args[0]?.shape[0] ?? 0;
  if (!size || n <= size || args.some((t) => t.shape[0] !== n)) return runFn(entryFn(p), args, fns);
  const parts: Tensor[][] = [];
  for (let a = 0; a < n; a += size) parts.push(runFn(entryFn(p), args.map((t) => sliceRows(t, a, Math.min(n, a + size))), fns));
  return parts[0].map((_, k) => concatRows(parts.map((q) => q[k]), `output ${k}`));
}

/** Run one function on batch-first argument values. */
export function runFn(fn: Fn, args: readonly Tensor[], fns: ReadonlyMap<string, Fn>): Tensor[] {
  const env = new Map<string, Tensor>();
  fn.params.forEach((v, i) => env.set(v.name, args[i]));
  const get = (name: string): Tensor => {
    const t = env.get(name);
    if (!t) throw new Error(`${fn.name}: variable '${name}' is used before it is set`);
    return t;
  };
  for (const s of fn.body) {
    const vals = s.args.map(get);
    if (s.kind === "call") {
      const callee = fns.get(s.fn);
      if (!callee) throw new Error(`${fn.name}: call to unknown function '${s.fn}'`);
      const outs = runFn(callee, vals, fns);
      s.outs.forEach((v, i) => env.set(v.name, outs[i]));
    } else {
      env.set(s.out.name, castTo(runPrim(s, vals), dtypeOfType(s.out.type)));
    }
  }
  return fn.returns.map(get);
}

/** Evaluate one primitive statement on its argument values. */
export function runPrim(s: PrimStmt, vals: Tensor[]): Tensor {
  const prim = s.prim;
  if (prim.kind === "opaque") {
    const g = prim.params.graph;
    const feeds: Record<string, Tensor> = {};
    g.inputs.forEach((inp, i) => (feeds[inp.name] = vals[i]));
    const out = runGraph(g, prim.params.opset, feeds, { outputs: [g.outputs[0].name] });
    return out[g.outputs[0].name];
  }
  if (isSeqKind(prim.kind)) return runSeqPrim(s as Parameters<typeof runSeqPrim>[0], vals);
  const xs = vals.map(toArr);
  const x = xs[0];
  let r: K0.Arr;
  switch (prim.kind) {
    case "affine": {
      const { W, b, act } = prim.params;
      r = affineInterp(x, W.data, b.data, W.shape[0], act, K.affine); // K.affine's values, over non-zero weights

      break;
    }
    case "conv": {
      const c = prim.params;
      r = K.conv(x, c.weight.data, c.bias.data, c.weight.shape[0], c.kernel, c.strides, c.pads, c.dilations, c.groups, c.act);
      break;
    }
    case "act": r = K.activation(x, prim.params); break;
    case "maxpool": case "avgpool": case "global_maxpool": case "global_avgpool": {
      const q = prim.params;
      r = K.pool(prim.kind, x, q.kernel, q.strides, q.pads, q.dilations, q.ceilMode, q.countIncludePad);
      break;
    }
    case "softmax": case "log_softmax": r = K.softmax(x, prim.params.axis, prim.kind === "log_softmax"); break;
    case "argmax": r = K.argmax(x, prim.params.axis, prim.params.keepdims, prim.params.selectLastIndex); break;
    case "reshape": r = K.reshape(x, prim.params.shape); break;
    case "add": r = K.add(xs); break;
    case "concat": r = K.concat(xs, prim.params.axis); break;
    case "max": case "min": r = K.maxMin(xs, prim.kind); break;
    case "sort": r = K.sortAll(xs, prim.params.descending); break;
    case "threshold": r = K.threshold(x, prim.params.c.data, prim.params.strict); break;
    case "logic": r = K.logic(xs, prim.params.op); break;
    case "piecewise": r = K.piecewise(x, prim.params.breakpoints, prim.params.slopes, prim.params.value0); break;
    case "pick": r = K.pick(x, prim.params.indices); break;
    case "lincomb": r = K.linear(xs, prim.params.coefs, prim.params.bias); break;
    case "onehot": r = K.onehot(x, prim.params.n); break;
    case "machine": {
      const q = prim.params;
      r = K.machine(x, q.alphabet.flat(), q.alphabet[0].length, q.next.flat(), q.out.data, q.out.shape[1], q.emit === "last");
      break;
    }
  }
  return { dtype: "float32", shape: r.shape, data: r.data };
}

/** View a numeric tensor as float32 kernel input (shared when already float32). */
export function toArr(t: Tensor): K0.Arr {
  if (t.dtype === "string") throw new UserError("a primitive received a string tensor; only numbers are supported");
  const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as NumericArray);
  return { data, shape: t.shape };
}

/** Convert a tensor to a dtype (no copy when it already has it). */
export function castTo(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  if (t.dtype === "string" || dtype === "string") {
    throw new UserError(`cannot convert a ${t.dtype} tensor to ${dtype}`);
  }
  const data = allocData(dtype, sizeOf(t.shape)) as NumericArray;
  const src = t.data as NumericArray;
  const isInt = dtype !== "float32" && dtype !== "float64" && dtype !== "float16";
  for (let i = 0; i < data.length; i++) data[i] = dtype === "bool" ? (src[i] ? 1 : 0) : isInt ? Math.trunc(src[i]) : src[i];
  return { dtype, shape: [...t.shape], data };
}
