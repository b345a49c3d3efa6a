// Tensor-level blocks of sequence models (transformers, recurrent nets): the vocabulary the seq patterns rewrite
// exporters' op soup into. Each block is one node of the SEQ_DOMAIN ONNX domain in the Graph (so lower, probe and
// the interpreter treat it as one value), and one primitive in the Program (kind = the block's kind). Its meaning is
// its expansion into standard ONNX ops (expand): that is what the interpreter runs, what reconstructed.onnx holds
// and what the emitted code calls, so the four backends agree by construction.
import type { Attr, Graph, Node } from "../graph/graph.ts";
import { tensor, type Tensor } from "../graph/tensor.ts";

/** The ONNX domain of block nodes in a normalized Graph (never written to reconstructed.onnx). */
export const SEQ_DOMAIN = "pseudonet.seq";

/** The block kinds (Program primitive kinds). */
export const SEQ_KINDS = [
  "embed", "layer_norm", "gelu", "linear", "split_heads", "merge_heads", "attend", "slice", "lstm", "gru", "rnn", "transpose", "cast", "zeros", "positions", "pointwise", "unsqueeze", "squeeze", "add_const", "concat_axis", "mask_window", "not",
] as const;
export type SeqKind = (typeof SEQ_KINDS)[number];

/** A block attribute: a number, a list of numbers or a string (as ONNX attributes). */
export type SeqAttr = number | number[] | string | string[];

/** Everything a block needs besides its data inputs. */
export interface SeqAttrs {
  [name: string]: SeqAttr;
}

/** Builds an expansion: standard ONNX nodes appended in order, fresh value names. */
export class Expander {
  nodes: Node[] = [];
  inits = new Map<string, Tensor>();
  private k = 0;
  constructor(readonly prefix: string, readonly opset: number) {}
  /** Append a node; returns its first output (more outputs with `outs`). */
  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}, outs = 1): string[] {
    const outputs = Array.from({ length: outs }, () => `${this.prefix}_t${this.k++}`);
    this.nodes.push({ name: `${this.prefix}_${op}_${this.k}`, op, domain: "", inputs, outputs, attrs });
    return outputs;
  }
  one(op: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.node(op, inputs, attrs)[0];
  }
  constant(t: Tensor): string {
    const name = `${this.prefix}_c${this.inits.size}`;
    this.inits.set(name, t);
    return name;
  }
  /** x[start:end] along one axis (Slice took attributes before opset 10). */
  slice(x: string, axis: number, start: number, end: number): string {
    const ints = (v: number[]): Attr => ({ kind: "ints", value: v });
    if (this.opset < 10) return this.one("Slice", [x], { axes: ints([axis]), starts: ints([start]), ends: ints([end]) });
    const c = (v: number) => this.constant(tensor("int64", [1], [v]));
    return this.one("Slice", [x, c(start), c(end), c(axis)]);
  }
  /** Drop one size-1 axis (axes became an input at opset 13). */
  squeeze(x: string, axis: number): string {
    if (this.opset < 13) return this.one("Squeeze", [x], { axes: { kind: "ints", value: [axis] } });
    return this.one("Squeeze", [x, this.constant(tensor("int64", [1], [axis]))]);
  }
  /** Add a size-1 axis (axes became an input at opset 13). */
  unsqueeze(x: string, axis: number): string {
    if (this.opset < 13) return this.one("Unsqueeze", [x], { axes: { kind: "ints", value: [axis] } });
    return this.one("Unsqueeze", [x, this.constant(tensor("int64", [1], [axis]))]);
  }
  /** ReduceMean over the last axis, keeping it (axes moved from attribute to input at opset 18). */
  meanLast(x: string): string {
    if (this.opset >= 18) return this.one("ReduceMean", [x, this.constant(tensor("int64", [1], [-1]))], { keepdims: { kind: "int", value: 1 } });
    return this.one("ReduceMean", [x], { axes: { kind: "ints", value: [-1] }, keepdims: { kind: "int", value: 1 } });
  }
}

/** One block kind: its node op, inputs, expansion and how it prints. */
export interface SeqDef {
  kind: SeqKind;
  /** The node's op type in SEQ_DOMAIN. */
  op: string;
  /** What it computes, one line (report and legend). */
  doc: string;
  /** Data inputs first (count; optional ones may be ""), then one weight per role, in this order. */
  data: number;
  weights: readonly string[];
  /** Number of outputs (the Program uses the first). */
  outputs?: number;
  /** Append the standard-ONNX expansion reading `ins` (data then weights); returns the output value(s). */
  expand(e: Expander, ins: string[], a: SeqAttrs): string[];
  /** The call as program.txt prints it, given argument names and weight names by role. */
  print(args: string[], a: SeqAttrs, w: Record<string, string>): string;
}

/** A node's attributes as block attributes. */
export function seqAttrsOf(n: Node): SeqAttrs {
  const a: SeqAttrs = {};
  for (const [k, v] of Object.entries(n.attrs)) {
    if (v.kind === "int" || v.kind === "float" || v.kind === "string") a[k] = v.value;
    else if (v.kind === "ints" || v.kind === "floats" || v.kind === "strings") a[k] = [...v.value] as number[] | string[];
  }
  return a;
}

/** Block attributes as ONNX node attributes (integers stay ints unless listed as floats). */
export function nodeAttrs(a: SeqAttrs, floatsNamed: readonly string[] = ["epsilon", "scale", "fill", "clip", "activation_alpha", "activation_beta"]): Record<string, Attr> {
  const out: Record<string, Attr> = {};
  for (const [k, v] of Object.entries(a)) {
    if (typeof v === "string") out[k] = { kind: "string", value: v };
    else if (Array.isArray(v) && v.some((x) => typeof x === "string")) out[k] = { kind: "strings", value: v as string[] };
    else if (Array.isArray(v)) out[k] = floatsNamed.includes(k) || (v as number[]).some((x) => !Number.isInteger(x)) ? { kind: "floats", value: v as number[] } : { kind: "ints", value: v as number[] };
    else out[k] = floatsNamed.includes(k) || !Number.isInteger(v) ? { kind: "float", value: v } : { kind: "int", value: v };
  }
  return out;
}

/** The expansion of one block as a Graph whose inputs are `inputNames` (data then weights). */
export function expansionGraph(def: SeqDef, a: SeqAttrs, inputNames: string[], outputName: string, opset: number, name: string = def.kind): Graph {
  const e = new Expander(name, opset);
  const present = inputNames.filter(Boolean);
  const outs = def.expand(e, inputNames, a);
  const nodes = e.nodes.map((n) => ({ ...n, outputs: n.outputs.map((o) => (o === outs[0] ? outputName : o)), inputs: n.inputs.map((v) => (v === outs[0] ? outputName : v)) }));
  return {
    name,
    inputs: present.map((v) => ({ name: v, dtype: "float32", shape: null })),
    outputs: [{ name: outputName, dtype: "float32", shape: null }],
    nodes,
    initializers: e.inits,
    valueInfo: [],
  };
}
