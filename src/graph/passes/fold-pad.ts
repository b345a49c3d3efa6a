// A zero Pad in front of a window op becomes that op's own pads (PyTorch exports AvgPool2d(padding=p) and some
// padded convs as Pad + AveragePool / Conv), so the window op lowers with its padding instead of staying opaque:
//   Conv(Pad0(x, p), pads q)                          -> Conv(x, pads p + q)               (both pad with zeros)
//   AveragePool(Pad0(x, p), pads 0)                   -> AveragePool(x, pads p, count_include_pad 1)
//   AveragePool(Pad0(x, p), pads q, count_include_pad 1) -> AveragePool(x, pads p + q, count_include_pad 1)
//   MaxPool(Pad0(x, p), pads q) with x >= 0            -> MaxPool(x, pads p + q)   when every window keeps an x value
// MaxPool pads with -inf, so the zeros Pad adds only vanish in the max when x is non-negative (after Relu, Sigmoid, ...)
// and no window lies wholly in the padding. ceil_mode sizes windows from the pads, so a ceil_mode op is left alone.
import type { Graph, Model, Node } from "../graph.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { attrFloat, attrInt, attrInts, attrString } from "../../ops/op.ts";
import { cloneModel, consumerMap, isGraphOutput, producerMap, removeDead } from "./edit.ts";
import { rankOf, valueShapes } from "./shapes.ts";

/** Ops whose outputs are never negative: after them, MaxPool's -inf padding and a zero Pad give the same maxima. */
const NON_NEGATIVE = new Set(["Relu", "Sigmoid", "Softmax", "Abs", "Exp", "Softplus", "HardSigmoid"]);

/** The spatial begin/end pads of a constant-zero Pad on an N, C, spatial... value, or undefined. */
function zeroPadSpatial(g: Graph, pad: Node, rank: number, opset: number): { begin: number[]; end: number[] } | undefined {
  if (attrString(pad, "mode", "constant") !== "constant") return undefined;
  let pads: number[] | undefined;
  if (opset < 11) {
    if (attrFloat(pad, "value", 0) !== 0) return undefined;
    pads = attrInts(pad, "pads");
  } else {
    const p = g.initializers.get(pad.inputs[1] ?? "");
    const v = pad.inputs[2] ? g.initializers.get(pad.inputs[2]) : undefined;
    if (!p || (pad.inputs[2] && (!v || v.data.length > 1 || Number(v.data[0] ?? 0) !== 0))) return undefined;
    pads = Array.from(p.data as ArrayLike<number>, Number);
    const axesT = pad.inputs[3] ? g.initializers.get(pad.inputs[3]) : undefined;
    if (pad.inputs[3] && !axesT) return undefined;
    if (axesT) {
      // Spread pads on the listed axes into the full begin/end layout.
      const axes = Array.from(axesT.data as ArrayLike<number>, (a) => (Number(a) + rank) % rank);
      const full = new Array<number>(2 * rank).fill(0);
      axes.forEach((a, k) => { full[a] = pads![k]; full[a + rank] = pads![k + axes.length]; });
      pads = full;
    }
  }
  if (!pads || pads.length !== 2 * rank || pads.some((v) => v < 0)) return undefined;
  if (pads[0] || pads[1] || pads[rank] || pads[rank + 1]) return undefined; // batch and channel axes untouched
  return { begin: pads.slice(2, rank), end: pads.slice(rank + 2) };
}

/** Why the window op cannot absorb the pads (undefined when it can), and its new attributes. */
function absorb(g: Graph, op: Node, x: string, add: { begin: number[]; end: number[] }, producers: Map<string, Node>): Record<string, Node["attrs"][string]> | string {
  const n = add.begin.length;
  if (attrString(op, "auto_pad", "NOTSET") !== "NOTSET") return "auto_pad is set";
  if (op.op !== "Conv" && attrInt(op, "ceil_mode", 0) !== 0) return "ceil_mode sizes windows from the pads";
  const old = attrInts(op, "pads", new Array<number>(2 * n).fill(0));
  const pads = old.map((v, i) => v + (i < n ? add.begin[i] : add.end[i - n]));
  const attrs: Record<string, Node["attrs"][string]> = { pads: { kind: "ints", value: pads } };
  const kernel = attrInts(op, "kernel_shape", []), dil = attrInts(op, "dilations", new Array<number>(n).fill(1));
  const extent = (i: number) => (kernel[i] - 1) * (dil[i] ?? 1) + 1;
  // The pooling ops require pads smaller than the window (onnxruntime refuses the model otherwise).
  if (op.op !== "Conv" && pads.some((v, i) => v >= extent(i % n))) return "a window would lie wholly in the padding";
  if (op.op === "AveragePool") {
    const include = attrInt(op, "count_include_pad", 0) !== 0;
    if (!include && old.some((v) => v !== 0)) return "its own pads are left out of the average, the Pad's zeros are not";
    attrs.count_include_pad = { kind: "int", value: 1 };
  }
  if (op.op === "MaxPool") {
    const p = producers.get(x);
    const clipLo = p?.op === "Clip" ? (p.inputs[1] ? Number(g.initializers.get(p.inputs[1])?.data[0] ?? -1) : attrFloat(p, "min", -1)) : -1;
    if (!p || !(NON_NEGATIVE.has(p.op) || clipLo >= 0)) return "MaxPool pads with -inf and its input may be negative";
    if (op.outputs.length > 1 && op.outputs[1]) return "its argmax indices would count the padding";
  }
  return attrs;
}

/** Fold zero Pads into the Conv / AveragePool / MaxPool nodes that read them; see the file comment. */
export const foldPad: Pass<Model, Model> = {
  name: "fold-pad",
  doc: "fold a constant-zero Pad into the pads of the Conv/AveragePool/MaxPool reading it (exact)",
  run(input) {
    const model = cloneModel(input);
    const g = model.graph;
    const opset = model.opset.get("") ?? model.opset.get("ai.onnx") ?? 1;
    const shapes = valueShapes(model);
    const details: string[] = [];
    let folded = 0;
    for (const pad of [...g.nodes]) {
      if (pad.op !== "Pad" || pad.domain !== "") continue;
      const y = pad.outputs[0];
      const rank = rankOf(shapes, pad.inputs[0]);
      const readers = consumerMap(g).get(y) ?? [];
      if (rank === undefined || rank < 3 || isGraphOutput(g, y) || readers.length === 0) continue;
      if (!readers.every((r) => ["Conv", "AveragePool", "MaxPool"].includes(r.op) && r.domain === "" && r.inputs[0] === y && !r.inputs.slice(1).includes(y))) continue;
      const add = zeroPadSpatial(g, pad, rank, opset);
      if (!add) {
        details.push(`kept Pad '${pad.name}': not a constant-zero pad of the spatial axes`);
        continue;
      }
      const producers = producerMap(g);
      const plans = readers.map((r) => absorb(g, r, pad.inputs[0], add, producers));
      const refusal = plans.find((p): p is string => typeof p === "string");
      if (refusal !== undefined) {
        details.push(`kept Pad '${pad.name}': ${refusal}`);
        continue;
      }
      readers.forEach((r, k) => {
        const q: Node = { ...r, inputs: [pad.inputs[0], ...r.inputs.slice(1)], attrs: { ...r.attrs, ...(plans[k] as Node["attrs"]) } };
        g.nodes[g.nodes.indexOf(r)] = q;
        details.push(`Pad '${pad.name}' folded into ${r.op} '${r.name}'`);
      });
      g.nodes = g.nodes.filter((m) => m !== pad);
      folded++;
    }
    removeDead(g);
    return { out: model, report: { pass: "fold-pad", summary: folded ? `folded ${folded} Pad into window ops` : "no foldable Pad", details } };
  },
};
