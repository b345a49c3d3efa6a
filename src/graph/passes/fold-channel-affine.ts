// Per-channel scales and shifts after a Conv fold into its weights and bias. Caffe2 exports (the ONNX "light"
// ImageNet models: DenseNet-121, Inception v2) write each batch norm as BatchNormalization followed by Mul and Add of
// per-channel constants; fold-batchnorm turns the BatchNormalization into the Conv (or a 1x1 depthwise Conv of its
// own), and this pass takes the Mul and Add after it, so the convolution is not left beside an opaque Mul:
//   conv(x, W, b) * s   -> conv(x, W * s[o], b * s)      conv(x, W, b) / s -> conv(x, W / s[o], b / s)
//   conv(x, W, b) + t   -> conv(x, W, b + t)             conv(x, W, b) - t -> conv(x, W, b - t)
// s and t are constants per output channel ([C, 1, ..., 1], [1, C, 1, ...]) or scalars. Exact up to float rounding
// (the product is formed once in float64, then stored in the weights' dtype).
import type { Graph, Model, Node } from "../graph.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { cloneModel, isGraphOutput, NameAllocator, readersOf, removeDead, renameValue } from "./edit.ts";
import { asChannelVector, floats, floatTensor } from "./consts.ts";

/** The elementwise ops folded, and how each combines the conv's weights (w) and bias (b) with the constant v. */
const FOLD: Record<string, { scale: boolean; apply: (x: number, v: number) => number }> = {
  Mul: { scale: true, apply: (x, v) => x * v },
  Div: { scale: true, apply: (x, v) => x / v },
  Add: { scale: false, apply: (x, v) => x + v },
  Sub: { scale: false, apply: (x, v) => x - v },
};

/** The per-channel constant of the one node reading the Conv's output, when that node can fold; else undefined. */
function foldable(g: Graph, conv: Node, c: number, rank: number): { node: Node; v: Float64Array } | undefined {
  const y = conv.outputs[0];
  const users = readersOf(g, y);
  if (users.length !== 1 || isGraphOutput(g, y)) return undefined;
  const n = users[0];
  if (n.domain !== "" || !FOLD[n.op] || n.inputs.length !== 2 || n.inputs[0] === n.inputs[1]) return undefined;
  // Div and Sub fold only with the conv on the left (x / s, x - t); Mul and Add commute.
  const k = n.inputs.indexOf(y);
  if (k < 0 || ((n.op === "Div" || n.op === "Sub") && k !== 0)) return undefined;
  const t = g.initializers.get(n.inputs[1 - k]);
  if (!t || t.shape.length > rank) return undefined; // a constant of higher rank broadcasts the output up
  const v = asChannelVector(t, c, rank);
  if (!v || (n.op === "Div" && v.some((x) => x === 0))) return undefined;
  return { node: n, v };
}

/** Fold every Mul/Div/Add/Sub of a per-channel constant after `conv`; returns the names of the nodes folded. */
function foldInto(g: Graph, conv: Node, names: NameAllocator): string[] {
  const Wt = g.initializers.get(conv.inputs[1] ?? "");
  const Wv = floats(Wt);
  if (!Wt || !Wv || Wt.shape.length < 3) return [];
  const c = Wt.shape[0], per = Wv.length / c;
  const b = conv.inputs[2] ? floats(g.initializers.get(conv.inputs[2])) : new Float64Array(c);
  if (!b || b.length !== c) return [];
  const done: string[] = [];
  let W = Wv;
  for (let f = foldable(g, conv, c, Wt.shape.length); f; f = foldable(g, conv, c, Wt.shape.length)) {
    const op = FOLD[f.node.op];
    if (op.scale) {
      if (W === Wv) W = new Float64Array(Wv); // the initialiser may be shared: write a new one
      for (let o = 0; o < c; o++) for (let i = o * per; i < (o + 1) * per; i++) W[i] = op.apply(W[i], f.v[o]);
    }
    for (let o = 0; o < c; o++) b[o] = op.apply(b[o], f.v[o]);
    g.nodes = g.nodes.filter((m) => m !== f.node);
    renameValue(g, conv.outputs[0], f.node.outputs[0]);
    done.push(f.node.name || f.node.op);
  }
  if (!done.length) return done;
  const wName = W === Wv ? conv.inputs[1] : names.fresh(`${conv.name}.W`);
  if (W !== Wv) g.initializers.set(wName, floatTensor(Wt.dtype, Wt.shape, W));
  const bName = names.fresh(`${conv.name}.bias`);
  g.initializers.set(bName, floatTensor(Wt.dtype, [c], b));
  conv.inputs = [conv.inputs[0], wName, bName];
  return done;
}

/** Fold per-channel affine ops into the Conv before them; see the file comment. */
export const foldChannelAffine: Pass<Model, Model> = {
  name: "fold-channel-affine",
  doc: "fold Mul/Div/Add/Sub of a per-channel constant after a Conv into its weights and bias (exact up to float rounding)",
  run(input) {
    const model = cloneModel(input);
    const g = model.graph;
    const names = new NameAllocator(g);
    const details: string[] = [];
    let folded = 0, convs = 0;
    for (const n of [...g.nodes]) {
      if (n.op !== "Conv" || n.domain !== "" || !g.nodes.includes(n)) continue;
      const done = foldInto(g, n, names);
      if (!done.length) continue;
      convs++;
      folded += done.length;
      details.push(`${done.join(", ")} folded into Conv '${n.name}'`);
    }
    removeDead(g);
    return {
      out: model,
      report: {
        pass: "fold-channel-affine",
        summary: folded ? `folded ${folded} per-channel Mul/Div/Add/Sub into ${convs} Conv` : "no per-channel affine op after a Conv",
        details,
      },
    };
  },
};
