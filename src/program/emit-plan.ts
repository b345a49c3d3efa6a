// What the code emitters share: each primitive statement as one kernel call with typed arguments,
// rendered by emit-ts.ts and emit-py.ts in their own syntax. Kernel names are the TypeScript ones
// (src/program/kernels.ts); the Python runtime (kernels.py) has the same kernels in snake_case.
import type { DType } from "../graph/tensor.ts";
import { fragmentCode, type FragmentCode, type Lang } from "./emit-opaque.ts";
import type { ActSpec, Fn, PrimStmt, Program } from "./program.ts";
import { allPrimStmts, dtypeOfType, programWeights } from "./program.ts";
import { runtimeNames } from "./rt-bundle.ts";
import { isSeqKind, SEQ_OPSET, seqGraph } from "./seq-prim.ts";
import type { SeqParams } from "./program.ts";

export type PlanArg =
  | { k: "var"; name: string }
  | { k: "vars"; names: string[] }
  | { k: "weight"; name: string }
  | { k: "num"; value: number }
  | { k: "bool"; value: boolean }
  | { k: "str"; value: string }
  | { k: "nums"; value: number[] }
  | { k: "act"; value: ActSpec | undefined };

export type KernelCall = { fn: string; args: PlanArg[] } | { fn: "opaque"; label: string; ops: string[] };

const v = (name: string): PlanArg => ({ k: "var", name });
const w = (name: string): PlanArg => ({ k: "weight", name });
const n = (value: number): PlanArg => ({ k: "num", value });
const b = (value: boolean): PlanArg => ({ k: "bool", value });
const ns = (value: number[]): PlanArg => ({ k: "nums", value });
const s = (value: string): PlanArg => ({ k: "str", value });

/** The kernel call that computes a primitive statement. */
export function planPrim(st: PrimStmt): KernelCall {
  const a = st.args;
  const p = st.prim;
  if (isSeqKind(p.kind)) return { fn: "opaque", label: seqFnName(st), ops: [p.kind] };
  switch (p.kind) {
    case "affine": return { fn: "affine", args: [v(a[0]), w(p.params.W.name), w(p.params.b.name), n(p.params.W.shape[0]), { k: "act", value: p.params.act }] };
    case "conv": {
      const c = p.params;
      return {
        fn: "conv",
        args: [v(a[0]), w(c.weight.name), w(c.bias.name), n(c.weight.shape[0]), ns(c.kernel), ns(c.strides), ns(c.pads), ns(c.dilations), n(c.groups), { k: "act", value: c.act }],
      };
    }
    case "act": return { fn: "activation", args: [v(a[0]), { k: "act", value: p.params }] };
    case "maxpool": case "avgpool": case "global_maxpool": case "global_avgpool": {
      const q = p.params;
      return { fn: "pool", args: [s(p.kind), v(a[0]), ns(q.kernel), ns(q.strides), ns(q.pads), ns(q.dilations), b(q.ceilMode), b(q.countIncludePad)] };
    }
    case "softmax": case "log_softmax": return { fn: "softmax", args: [v(a[0]), n(p.params.axis), b(p.kind === "log_softmax")] };
    case "argmax": return { fn: "argmax", args: [v(a[0]), n(p.params.axis), b(p.params.keepdims), b(p.params.selectLastIndex)] };
    case "reshape": return { fn: "reshape", args: [v(a[0]), ns(p.params.shape)] };
    case "add": return { fn: "add", args: [{ k: "vars", names: a }] };
    case "concat": return { fn: "concat", args: [{ k: "vars", names: a }, n(p.params.axis)] };
    case "max": case "min": return { fn: "maxMin", args: [{ k: "vars", names: a }, s(p.kind)] };
    case "sort": return a.length === 1 ? { fn: "sortLast", args: [v(a[0]), b(p.params.descending)] } : { fn: "sortAll", args: [{ k: "vars", names: a }, b(p.params.descending)] };
    case "threshold": return { fn: "threshold", args: [v(a[0]), w(p.params.c.name), b(p.params.strict)] };
    case "logic": return { fn: "logic", args: [{ k: "vars", names: a }, s(p.params.op)] };
    case "piecewise": return { fn: "piecewise", args: [v(a[0]), ns(p.params.breakpoints), ns(p.params.slopes), n(p.params.value0)] };
    case "pick": return { fn: "pick", args: [v(a[0]), ns(p.params.indices)] };
    case "lincomb": return { fn: "linear", args: [{ k: "vars", names: a }, ns(p.params.coefs), n(p.params.bias)] };
    case "onehot": return { fn: "onehot", args: [v(a[0]), n(p.params.n)] };
    case "machine": {
      const q = p.params;
      return { fn: "machine", args: [v(a[0]), ns(q.alphabet.flat()), n(q.alphabet[0].length), ns(q.next.flat()), w(q.out.name), n(q.out.shape[1]), b(q.emit === "last")] };
    }
    case "opaque": return { fn: "opaque", label: p.label ?? p.id, ops: p.params.ops };
  }
}

/** The emitted function of a block statement: its kind and id, e.g. layer_norm_p3. */
function seqFnName(st: PrimStmt): string {
  return safeName(`${st.prim.kind}_${st.prim.id}`);
}

/** The weights an emitted file must embed: those the kernel calls use (not slice-only weights). */
export function usedWeights(p: Program): Map<string, { shape: number[]; data: Float32Array }> {
  const all = programWeights(p);
  const used = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const f of p.functions) {
    for (const st of f.body) {
      if (st.kind !== "prim") continue;
      const call = planPrim(st);
      if (!("args" in call)) continue;
      for (const arg of call.args) if (arg.k === "weight") used.set(arg.name, all.get(arg.name)!);
    }
  }
  return used;
}

/** Every opaque part of a program as code in one language, by primitive id (function names: the labels, made safe). */
export function opaqueCode(p: Program, lang: Lang): Map<string, FragmentCode> {
  const out = new Map<string, FragmentCode>();
  for (const { stmt } of allPrimStmts(p)) {
    if (isSeqKind(stmt.prim.kind)) {
      const q = stmt.prim.params as SeqParams;
      const graph = seqGraph(stmt.prim.kind, q, stmt.args.map((_, i) => `a${i}`), "y", SEQ_OPSET, stmt.prim.id);
      out.set(stmt.prim.id, fragmentCode(seqFnName(stmt), { graph, opset: new Map([["", SEQ_OPSET]]), ops: [stmt.prim.kind], reason: "", perSample: true }, lang));
      continue;
    }
    if (stmt.prim.kind !== "opaque") continue;
    out.set(stmt.prim.id, fragmentCode(safeName(stmt.prim.label ?? stmt.prim.id), stmt.prim.params, lang));
  }
  return out;
}

/** The opaque parts emitted code cannot run, each with what its runtime lacks (empty when everything runs). */
export function unrunnableParts(p: Program, lang: Lang): string[] {
  return [...opaqueCode(p, lang).values()].filter((c) => c.missing.length).map((c) => `${c.name} (${c.missing.join("; ")})`);
}

/** The dtype of every variable of a function (parameters and statement results). */
export function varDtypes(f: Fn): Map<string, DType> {
  const m = new Map<string, DType>(f.params.map((v) => [v.name, dtypeOfType(v.type)]));
  for (const st of f.body) for (const o of st.kind === "prim" ? [st.out] : st.outs) m.set(o.name, dtypeOfType(o.type));
  return m;
}

/** A variable name made safe for both TypeScript and Python, and not shadowing a kernel. */
export function safeName(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (/^[0-9]/.test(s)) s = `_${s}`;
  return RESERVED.has(s) || RUNTIME.has(s) ? `${s}_` : s;
}

/** Names the emitted runtimes declare (ops and helpers of both languages). */
const RUNTIME = new Set([...runtimeNames("ts"), ...runtimeNames("py")]);

const RESERVED = new Set([
  // kernels and runtime helpers
  "affine", "conv", "activation", "applyAct", "pool", "softmax", "argmax", "reshape", "add", "concat", "maxMin", "max_min",
  "sortLast", "sort_last", "sortAll", "sort_all", "pick", "linear", "onehot", "machine", "threshold", "logic", "piecewise", "erf", "fromBase64", "from_base64", "sizeOfShape", "broadcast2",
  "fold", "np", "base64", "math", "W", "C", "run", "main", "Arr", "ActArgs", "INPUTS", "ENTRY", "OUTPUT_DTYPES",
  // TypeScript / JavaScript
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum", "export",
  "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null", "return", "super",
  "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "let", "static", "yield", "await",
  "arguments", "eval", "undefined", "NaN", "Infinity",
  // Python
  "and", "as", "assert", "async", "def", "del", "elif", "except", "from", "global", "is", "lambda", "nonlocal", "not",
  "or", "pass", "raise", "None", "True", "False", "print", "len", "range", "list", "tuple", "float", "int",
]);
