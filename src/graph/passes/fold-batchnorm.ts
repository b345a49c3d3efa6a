// Inference-mode BatchNormalization is y = s*x + t per channel (s = scale/sqrt(var+eps), t = B - mean*s).
// Folded into the Conv or canonical Gemm that feeds it when nothing else reads that producer; otherwise
// rewritten as an affine node of its own: a 1x1 depthwise Conv on NC... input, a diagonal Gemm on [N, C].
import type { Graph, Model, Node } from "../graph.ts";
import type { Tensor } from "../tensor.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { attrFloat, attrInt } from "../../ops/op.ts";
import { cloneModel, consumerMap, isGraphOutput, NameAllocator, producerMap, removeDead } from "./edit.ts";
import { floats, floatTensor } from "./consts.ts";
import { CANONICAL_GEMM, isCanonicalGemm } from "./canonical-affine.ts";
import { rankOf, valueShapes } from "./shapes.ts";

/** Largest channel count rewritten as a diagonal Gemm (its weight is C x C). */
export const MAX_DIAGONAL = 1024;

interface ScaleShift {
  s: Float64Array;
  t: Float64Array;
  c: number;
}

/** The per-channel scale and shift of an inference-mode BatchNormalization with constant parameters. */
function scaleShift(g: Graph, n: Node, used: Set<string>): ScaleShift | undefined {
  if (attrInt(n, "training_mode", 0) !== 0 || attrInt(n, "spatial", 1) !== 1) return undefined;
  if (n.outputs.slice(1).some((o) => o !== "" && used.has(o))) return undefined;
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => floats(g.initializers.get(n.inputs[i] ?? "")));
  if (!scale || !bias || !mean || !variance) return undefined;
  const c = scale.length;
  if ([bias, mean, variance].some((v) => v.length !== c)) return undefined;
  const eps = attrFloat(n, "epsilon", 1e-5);
  const s = new Float64Array(c);
  const t = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    s[i] = scale[i] / Math.sqrt(variance[i] + eps);
    t[i] = bias[i] - mean[i] * s[i];
  }
  return { s, t, c };
}

/** Scale each output channel (leading axis) of a weight tensor, and fold the shift into its bias. */
function scaled(W: Tensor, b: Float64Array, st: ScaleShift): { W: Tensor; b: Tensor } {
  const w = floats(W)!;
  const per = w.length / st.c;
  for (let i = 0; i < w.length; i++) w[i] *= st.s[Math.floor(i / per)];
  const nb = b.map((v, o) => v * st.s[o] + st.t[o]);
  return { W: floatTensor(W.dtype, W.shape, w), b: floatTensor(W.dtype, [st.c], nb) };
}

/** The producer a BatchNormalization can fold into: a Conv or canonical Gemm with constant weights read only by it. */
function foldTarget(g: Graph, bn: Node, producers: Map<string, Node>, readers: Map<string, Node[]>, c: number): Node | undefined {
  const x = bn.inputs[0];
  const p = producers.get(x);
  if (!p || p.domain !== "" || (readers.get(x) ?? []).length !== 1 || isGraphOutput(g, x)) return undefined;
  const W = g.initializers.get(p.inputs[1] ?? "");
  if (!W || W.shape[0] !== c || !floats(W)) return undefined;
  if (p.op === "Conv") return !p.inputs[2] || g.initializers.has(p.inputs[2]) ? p : undefined;
  return isCanonicalGemm(g, p) ? p : undefined;
}

/** Fold or rewrite every inference-mode BatchNormalization; see the file comment. */
export const foldBatchNorm: Pass<Model, Model> = {
  name: "fold-batchnorm",
  doc: "fold BatchNormalization into the preceding Conv/Gemm, or rewrite it as a per-channel affine node (exact up to float rounding)",
  run(input) {
    const model = cloneModel(input);
    const g = model.graph;
    const shapes = valueShapes(model);
    const names = new NameAllocator(g);
    const details: string[] = [];
    let folded = 0;
    let standalone = 0;
    for (const bn of [...g.nodes]) {
      if (bn.op !== "BatchNormalization" || bn.domain !== "") continue;
      const readers = consumerMap(g);
      const st = scaleShift(g, bn, new Set([...readers.keys(), ...g.outputs.map((o) => o.name)]));
      if (!st) {
        details.push(`kept BatchNormalization '${bn.name}': not inference mode, or its parameters are not constants`);
        continue;
      }
      const y = bn.outputs[0];
      const p = foldTarget(g, bn, producerMap(g), readers, st.c);
      if (p) {
        const bOld = p.inputs[2] ? floats(g.initializers.get(p.inputs[2]))! : new Float64Array(st.c);
        const { W, b } = scaled(g.initializers.get(p.inputs[1])!, bOld, st);
        const wName = names.fresh(`${p.inputs[1]}_bn`);
        const bName = names.fresh(`${p.inputs[2] || `${p.name}.bias`}_bn`);
        g.initializers.set(wName, W);
        g.initializers.set(bName, b);
        const q: Node = { ...p, inputs: [p.inputs[0], wName, bName], outputs: [y], attrs: { ...p.attrs } };
        g.nodes[g.nodes.indexOf(p)] = q;
        g.nodes = g.nodes.filter((m) => m !== bn);
        details.push(`BatchNormalization '${bn.name}' folded into ${p.op} '${p.name}'`);
        folded++;
        continue;
      }
      const rank = rankOf(shapes, bn.inputs[0]);
      const dtype = g.initializers.get(bn.inputs[1])!.dtype;
      let node: Node | undefined;
      if (rank === 2 && st.c <= MAX_DIAGONAL) {
        const W = new Float64Array(st.c * st.c);
        for (let i = 0; i < st.c; i++) W[i * st.c + i] = st.s[i];
        const wName = names.fresh(`${bn.name}.W`);
        const bName = names.fresh(`${bn.name}.b`);
        g.initializers.set(wName, floatTensor(dtype, [st.c, st.c], W));
        g.initializers.set(bName, floatTensor(dtype, [st.c], st.t));
        node = { name: bn.name, op: "Gemm", domain: "", inputs: [bn.inputs[0], wName, bName], outputs: [y], attrs: { ...CANONICAL_GEMM } };
      } else if (rank !== undefined && rank >= 3) {
        const ones = new Array<number>(rank - 2).fill(1);
        const wName = names.fresh(`${bn.name}.weight`);
        const bName = names.fresh(`${bn.name}.bias`);
        g.initializers.set(wName, floatTensor(dtype, [st.c, 1, ...ones], st.s));
        g.initializers.set(bName, floatTensor(dtype, [st.c], st.t));
        node = {
          name: bn.name, op: "Conv", domain: "", inputs: [bn.inputs[0], wName, bName], outputs: [y],
          attrs: {
            group: { kind: "int", value: st.c }, kernel_shape: { kind: "ints", value: ones },
            strides: { kind: "ints", value: ones }, dilations: { kind: "ints", value: ones },
            pads: { kind: "ints", value: [...ones, ...ones].map(() => 0) },
          },
        };
      }
      if (!node) {
        details.push(`kept BatchNormalization '${bn.name}': input rank ${rank ?? "unknown"}, ${st.c} channels`);
        continue;
      }
      g.nodes[g.nodes.indexOf(bn)] = node;
      details.push(`BatchNormalization '${bn.name}' rewritten as ${node.op} (per-channel scale and shift)`);
      standalone++;
    }
    removeDead(g);
    const parts = [folded && `folded ${folded} BatchNormalization`, standalone && `rewrote ${standalone} as affine`].filter(Boolean);
    return {
      out: model,
      report: { pass: "fold-batchnorm", summary: parts.length ? parts.join(", ") : "no BatchNormalization", details },
    };
  },
};
