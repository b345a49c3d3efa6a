// Block primitives (src/seq: embed, layer_norm, gelu, linear, split/merge_heads, attend, lstm/gru/rnn) in the
// Program: their graph (the block's standard-ONNX expansion with its weights as initialisers) is what the
// interpreter runs, what reconstructed.onnx holds and what the emitted code calls; plus printing and JSON.
import type { Graph } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { runGraph } from "../run/interp.ts";
import { expansionGraph, type SeqAttrs, type SeqKind } from "../seq/defs.ts";
import { isSeqKind, seqDef } from "../seq/registry.ts";
import { FormatError, arr, int, numJson, obj, str, type JsonObj } from "./json-check.ts";
import type { PrimOp, PrimStmt, SeqParams, Weight } from "./program.ts";
import { ATTR_TYPE_WORDS, hasAttrType, SEQ_ATTR_TYPES, SEQ_REQUIRED_ATTRS } from "./seq-attr-types.ts";

export { isSeqKind };

/** The opset block expansions are written at when the program has no other (LayerNormalization-free ops: any >= 13). */
export const SEQ_OPSET = 13;

/** The data inputs of a block statement in slot order ("" where absent). */
export function seqDataNames(p: SeqParams, kind: SeqKind, args: readonly string[]): string[] {
  const data = new Array<string>(seqDef(kind).data).fill("");
  p.slots.forEach((slot, i) => (data[slot] = args[i]));
  return data;
}

/** The block as a Graph: inputs are its args (in order), weights initialisers named by their program names. */
export function seqGraph(kind: SeqKind, p: SeqParams, argNames: readonly string[], out: string, opset: number, name: string): Graph {
  const def = seqDef(kind);
  const ws = def.weights.map((r) => p.weights[r]?.name ?? "");
  const g = expansionGraph(def, p.attrs, [...seqDataNames(p, kind, argNames), ...ws], out, opset, name);
  const inits = new Map(g.initializers);
  for (const r of def.weights) {
    const w = p.weights[r];
    if (w) inits.set(w.name, { dtype: "float32", shape: [...w.shape], data: w.data });
  }
  const wset = new Set(ws.filter(Boolean));
  return { ...g, inputs: g.inputs.filter((i) => !wset.has(i.name)), initializers: inits };
}

const graphs = new WeakMap<SeqParams, Graph>();

/** Run a block statement on its argument values (batch first). */
export function runSeqPrim(s: PrimStmt & { prim: { kind: SeqKind; params: SeqParams } }, vals: Tensor[]): Tensor {
  let g = graphs.get(s.prim.params);
  const names = s.args.map((_, i) => `a${i}`);
  if (!g) {
    g = seqGraph(s.prim.kind, s.prim.params, names, "y", SEQ_OPSET, s.prim.id);
    graphs.set(s.prim.params, g);
  }
  const feeds: Record<string, Tensor> = {};
  names.forEach((n, i) => (feeds[n] = vals[i]));
  return runGraph(g, new Map([["", SEQ_OPSET]]), feeds, { outputs: ["y"] }).y;
}

/** The right-hand side of a block statement in program.txt. */
export function seqText(kind: SeqKind, p: SeqParams, args: readonly string[]): string {
  const w: Record<string, string> = {};
  for (const [r, x] of Object.entries(p.weights)) w[r] = x.name;
  return seqDef(kind).print(seqDataNames(p, kind, args), p.attrs, w);
}

/** Block params as JSON: attributes, weights by role (names), data slots of the args. */
export function seqParamsToJson(p: SeqParams): JsonObj {
  const weights: JsonObj = {};
  for (const [r, x] of Object.entries(p.weights)) weights[r] = x.name;
  const attrs: JsonObj = {};
  for (const [k, a] of Object.entries(p.attrs)) attrs[k] = typeof a === "number" ? numJson(a) : Array.isArray(a) ? a.map((x) => (typeof x === "number" ? numJson(x) : x)) : a;
  return { attrs, weights, slots: [...p.slots] };
}

/** Non-finite numbers as program.json writes them. */
const SPECIAL = new Map([["Infinity", Infinity], ["-Infinity", -Infinity], ["NaN", NaN]]);

/** Parse block params; `weight` resolves a weight name. */
export function seqParamsFromJson(kind: SeqKind, v: unknown, path: string, weight: (x: unknown, path: string) => Weight): PrimOp {
  const o = obj(v, path);
  const def = seqDef(kind);
  const attrs: SeqAttrs = {};
  for (const [k, a] of Object.entries(obj(o.attrs ?? {}, `${path}.attrs`))) {
    if (typeof a === "string" && SPECIAL.has(a)) attrs[k] = SPECIAL.get(a)!;
    else if (typeof a === "number" || typeof a === "string") attrs[k] = a;
    else if (Array.isArray(a) && a.every((x) => typeof x === "number")) attrs[k] = a as number[];
    else if (Array.isArray(a) && a.every((x) => typeof x === "string")) attrs[k] = a as string[];
    else throw new FormatError(`${path}.attrs.${k}`, "expected a number, a string or a list of them");
    const t = SEQ_ATTR_TYPES[k];
    if (t && !hasAttrType(attrs[k], t)) throw new FormatError(`${path}.attrs.${k}`, `expected ${ATTR_TYPE_WORDS[t]} (${kind} attribute '${k}')`);
  }
  for (const k of SEQ_REQUIRED_ATTRS[kind] ?? []) {
    if (!(k in attrs)) throw new FormatError(`${path}.attrs`, `${kind} needs attribute '${k}' (${ATTR_TYPE_WORDS[SEQ_ATTR_TYPES[k] ?? "int"]})`);
  }
  const weights: Record<string, Weight> = {};
  for (const [r, name] of Object.entries(obj(o.weights ?? {}, `${path}.weights`))) {
    if (!def.weights.includes(r)) throw new FormatError(`${path}.weights.${r}`, `${kind} has no weight '${r}' (it has ${def.weights.join(", ") || "none"})`);
    weights[r] = weight(str(name, `${path}.weights.${r}`), `${path}.weights.${r}`);
  }
  const slots = arr(o.slots ?? [], `${path}.slots`).map((s, i) => int(s, `${path}.slots[${i}]`, 0));
  if (slots.some((s) => s >= def.data)) throw new FormatError(`${path}.slots`, `${kind} has ${def.data} data input slot(s)`);
  return { kind, params: { attrs, weights, slots } } as PrimOp;
}

/** The weights a block primitive holds. */
export function seqWeights(p: SeqParams): Weight[] {
  return Object.values(p.weights);
}
