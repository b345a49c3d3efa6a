// Opaque parts as code: each Graph fragment becomes one function of straight-line calls into the emitted runtime
// (rt/*.ts, rt/*.py), one call per ONNX node, e.g. `const v3 = Gemm(v2, C["opaque_1.fc.weight"], undefined, { transB: 1 })`.
// Constants (initialisers, tensor attributes) go into one table C. The same plan renders as TypeScript or Python.
// A node the runtime cannot run (an op it lacks, an attribute it ignores) is reported, never silently skipped:
// the function then throws an error naming it, and the file header lists it.
import { topoSort, type Attr, type Graph, type Node } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { encodeValues } from "./json-tensor.ts";
import { runtimeOps } from "./rt-bundle.ts";
import type { OpaqueParams } from "./program.ts";

export type Lang = "ts" | "py";

/** One opaque part as code, ready to print. */
export interface FragmentCode {
  /** The function's name (the primitive's label, e.g. opaque_1). */
  name: string;
  /** Its body lines (without indentation) and parameters. */
  params: string[];
  body: string[];
  /** Constants it reads, by key in the C table. */
  consts: Map<string, Tensor>;
  /** The runtime ops it calls. */
  ops: Set<string>;
  /** What the runtime cannot run (empty when the part runs). */
  missing: string[];
}

/** The syntax of one target language. */
interface Syntax {
  none: string;
  obj(entries: [string, string][]): string;
  str(s: string): string;
  num(x: number): string;
  assign(names: string[], rhs: string, multi: boolean): string;
  ret(v: string): string;
  comment: string;
}

const SYNTAX: Record<Lang, Syntax> = {
  ts: {
    none: "undefined",
    obj: (e) => (e.length ? `{ ${e.map(([k, v]) => `${k}: ${v}`).join(", ")} }` : "{}"),
    str: (s) => JSON.stringify(s),
    num: (x) => (Number.isNaN(x) ? "NaN" : x === Infinity ? "Infinity" : x === -Infinity ? "-Infinity" : String(x)),
    assign: (ns, rhs, multi) => (multi ? `const [${ns.map((n) => (n === "_" ? "" : n)).join(", ")}] = ${rhs};` : `const ${ns[0]} = ${rhs};`),
    ret: (v) => `return ${v};`,
    comment: "//",
  },
  py: {
    none: "None",
    obj: (e) => `{${e.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(", ")}}`,
    str: (s) => JSON.stringify(s),
    num: (x) => (Number.isNaN(x) ? "float('nan')" : x === Infinity ? "float('inf')" : x === -Infinity ? "float('-inf')" : String(x)),
    assign: (ns, rhs, multi) => (multi ? `${ns.join(", ")}, *_ = ${rhs}` : `${ns[0]} = ${rhs}`),
    ret: (v) => `return ${v}`,
    comment: "#",
  },
};

/** Attribute names the emitter fills itself when an op's signature asks for them. */
const SYNTHETIC = new Set(["opset", "outputs"]);

/** The code of one opaque part. `name` is its function name; constants are keyed `${name}.${...}`. */
export function fragmentCode(name: string, params: OpaqueParams, lang: Lang): FragmentCode {
  const sx = SYNTAX[lang];
  const g: Graph = params.graph;
  const ops = runtimeOps();
  const opset = params.opset.get("") ?? params.opset.get("ai.onnx") ?? 1;
  const consts = new Map<string, Tensor>();
  const names = new Map<string, string>();
  const fparams = g.inputs.map((inp, i) => {
    names.set(inp.name, `x${i}`);
    return `x${i}`;
  });
  let k = 0;
  const ref = (v: string): string => {
    if (names.has(v)) return names.get(v)!;
    const init = g.initializers.get(v);
    if (!init) throw new Error(`${name}: value '${v}' is read before it is computed`);
    const key = `${name}.${v}`;
    consts.set(key, init);
    return `C[${JSON.stringify(key)}]`;
  };
  const used = new Set<string>();
  const missing: string[] = [];
  const body: string[] = [];
  // A node the runtime lacks still defines its outputs: later nodes read them, and every gap of the part is
  // collected (the body becomes one error naming them all, so these names are never printed).
  const skip = (node: Node, why: string): void => {
    missing.push(why);
    for (const o of node.outputs) if (o) names.set(o, "undefined");
  };
  for (const what of unsupportedValues(g)) missing.push(what);
  for (const node of topoSort(g)) {
    const sig = node.domain && node.domain !== "ai.onnx" ? undefined : ops.get(node.op);
    const label = `${node.op}${node.name ? ` (${node.name})` : ""}`;
    if (!sig) {
      skip(node, `no ${node.domain ? `${node.domain}.` : ""}${node.op}`);
      continue;
    }
    const problem = unsupportedUse(node, sig.attrs, sig.inputs, sig.variadic, sig.multi);
    if (problem) {
      skip(node, `${label}: ${problem}`);
      continue;
    }
    used.add(node.op);
    const inputs = sig.variadic
      ? [`[${node.inputs.map(ref).join(", ")}]`]
      : Array.from({ length: sig.inputs }, (_, i) => (node.inputs[i] ? ref(node.inputs[i]) : sx.none));
    const args = [...inputs];
    if (sig.attrs) args.push(sx.obj(attrEntries(node, sig.attrs, opset, sx, (t, attr) => {
      const key = `${name}.${node.name || node.outputs[0]}.${attr}`;
      consts.set(key, t);
      return `C[${JSON.stringify(key)}]`;
    })));
    const outs = node.outputs.map((o) => {
      if (!o) return "_";
      const local = `v${k++}`;
      names.set(o, local);
      return local;
    });
    body.push(`${sx.assign(outs, `${node.op}(${args.join(", ")})`, sig.multi)}${node.name ? `  ${sx.comment} ${node.name}` : ""}`);
  }
  if (missing.length) {
    const what = `${name} (${missing.join("; ")})`;
    const msg = `program.${lang} cannot run ${what}: its runtime has no code for that; run reconstructed.onnx instead`;
    return { name, params: fparams, body: [lang === "ts" ? `throw new Error(${JSON.stringify(msg)});` : `raise NotImplementedError(${JSON.stringify(msg)})`], consts: new Map(), ops: new Set(), missing };
  }
  body.push(sx.ret(ref(g.outputs[0].name)));
  return { name, params: fparams, body, consts, ops: used, missing };
}

/** The dtypes the runtimes hold (rt/core.ts newData, rt/core.py NP_TYPES): no strings, float16, bfloat16, complex. */
const RUNTIME_DTYPES = new Set(["float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool"]);

/** ONNX TensorProto.DataType codes of those dtypes (what Cast's `to` may name). */
const RUNTIME_TYPE_CODES = new Set([1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 13]);

/** Values of the part whose dtype the runtimes cannot hold, as reasons (inputs, outputs, constants, typed values). */
function unsupportedValues(g: Graph): string[] {
  const bad = new Set<string>();
  const vals = [...g.inputs, ...g.outputs, ...g.valueInfo, ...[...g.initializers.values()]];
  for (const v of vals) if (v.dtype && !RUNTIME_DTYPES.has(v.dtype)) bad.add(v.dtype);
  for (const n of g.nodes) {
    const to = n.op === "Cast" ? n.attrs.to : undefined;
    if (to?.kind === "int" && !RUNTIME_TYPE_CODES.has(to.value)) bad.add(`ONNX type ${to.value}`);
    for (const a of Object.values(n.attrs)) if (a.kind === "tensor" && !RUNTIME_DTYPES.has(a.value.dtype)) bad.add(a.value.dtype);
  }
  return [...bad].map((d) => `${d} values (the runtime holds float32/64, integers and bool)`);
}

/** Why the runtime cannot run this node as written (undefined when it can). */
function unsupportedUse(node: Node, attrs: string[] | null, inputs: number, variadic: boolean, multi: boolean): string | undefined {
  for (const [a, v] of Object.entries(node.attrs)) {
    if (!attrs?.includes(a) || SYNTHETIC.has(a)) return `attribute '${a}' is not supported`;
    if (v.kind === "graph" || v.kind === "graphs" || v.kind === "tensors") return `attribute '${a}' holds ${v.kind}`;
  }
  if (!variadic && node.inputs.length > inputs) return `${node.inputs.length} inputs given, the runtime takes ${inputs}`;
  if (!multi && node.outputs.filter(Boolean).length > 1) return `only its first output is supported`;
  return undefined;
}

/** The attribute object entries of a call: the node's attributes plus the synthetic ones its signature reads. */
function attrEntries(node: Node, wanted: string[], opset: number, sx: Syntax, tensorRef: (t: Tensor, attr: string) => string): [string, string][] {
  const out: [string, string][] = [];
  for (const [a, v] of Object.entries(node.attrs)) out.push([a, attrValue(v, sx, (t) => tensorRef(t, a))]);
  if (wanted.includes("opset")) out.push(["opset", String(opset)]);
  if (wanted.includes("outputs")) out.push(["outputs", String(node.outputs.length)]);
  return out;
}

function attrValue(v: Attr, sx: Syntax, tensorRef: (t: Tensor) => string): string {
  switch (v.kind) {
    case "int": case "float": return sx.num(v.value);
    case "string": return sx.str(v.value);
    case "ints": case "floats": return `[${v.value.map(sx.num).join(", ")}]`;
    case "strings": return `[${v.value.map(sx.str).join(", ")}]`;
    case "tensor": return tensorRef(v.value);
    default: throw new Error(`attribute of kind ${v.kind} cannot be emitted`);
  }
}

/** Base64 of a constant's values in its own dtype (the runtimes hold no string tensors). */
export function constB64(t: Tensor): string {
  if (t.dtype === "string") throw new Error("string constants cannot be emitted");
  return encodeValues(t.dtype, t.data as ArrayLike<number>);
}
