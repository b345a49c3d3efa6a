// (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) * gamma + beta -> layer_norm(x, gamma, beta, eps)
// Also ONNX LayerNormalization over the last axis. The two Sub nodes exporters write may be one node or two.
import type { Node } from "../../graph/graph.ts";
import { layerNormDef } from "../ops/layer-norm.ts";
import type { GraphView } from "./graph-view.ts";
import { ordered } from "./graph-view.ts";
import type { SeqPattern } from "./pattern.ts";

/** The mean over the last axis (keepdims) of the value m, as x: ReduceMean(x, axes=[-1] or [rank-1]). */
function meanOf(gv: GraphView, m: string): string | undefined {
  const n = gv.prod(m, "ReduceMean");
  if (!n) return undefined;
  const axes = n.attrs.axes?.kind === "ints" ? n.attrs.axes.value : undefined;
  const rank = gv.shape(n.inputs[0])?.length;
  const last = axes?.length === 1 && (axes[0] === -1 || axes[0] === (rank ?? 0) - 1);
  const keep = n.attrs.keepdims?.kind !== "int" || n.attrs.keepdims.value === 1;
  return last && keep && n.inputs.length === 1 ? n.inputs[0] : undefined;
}

/** d = x - mean(x): returns x. */
function centred(gv: GraphView, d: string): string | undefined {
  const s = gv.prod(d, "Sub");
  if (!s) return undefined;
  return meanOf(gv, s.inputs[1]) === s.inputs[0] ? s.inputs[0] : undefined;
}

/** d*d or d^2 with d = x - mean(x): returns x. */
function squaredCentred(gv: GraphView, v: string): string | undefined {
  const p = gv.prod(v, "Pow", "Mul");
  if (!p) return undefined;
  if (p.op === "Pow" && !gv.isScalar(p.inputs[1], 2, 0)) return undefined;
  if (p.op === "Mul" && p.inputs[0] !== p.inputs[1]) return undefined;
  return centred(gv, p.inputs[0]);
}

/** A per-feature constant of the last dim d (shape [d] or [1..., d]). */
function featureVec(gv: GraphView, v: string, d: number | undefined): boolean {
  const t = gv.init(v);
  return !!t && t.dtype === "float32" && t.shape.length >= 1 && t.shape[t.shape.length - 1] === d && t.shape.slice(0, -1).every((k) => k === 1);
}

/** TensorFlow's form: x * m + (beta - mean * m) with m = gamma / sqrt(var + eps) (as Reciprocal(Sqrt) or Div). */
function tfForm(gv: GraphView, v: string, add: Node): string | undefined {
  const [xm, rest] = ordered(add, (u) => !!gv.prod(u, "Mul")) ?? [];
  const sub = rest ? gv.prod(rest, "Sub") : undefined;
  if (!xm || !sub) return undefined;
  const beta = sub.inputs[0];
  const mm = gv.prod(sub.inputs[1], "Mul");
  const xmul = gv.prod(xm, "Mul")!;
  if (!mm) return undefined;
  // The shared factor m appears in both products.
  const m = xmul.inputs.find((u) => mm.inputs.includes(u));
  if (!m) return undefined;
  const x = xmul.inputs.find((u) => u !== m)!;
  const mean = mm.inputs.find((u) => u !== m)!;
  if (meanOf(gv, mean) !== x) return undefined;
  const mg = gv.prod(m, "Mul");
  const [r, gamma] = mg ? ordered(mg, (u) => !!gv.prod(u, "Reciprocal", "Div")) ?? [] : [];
  if (!r || !gamma) return undefined;
  const rn = gv.prod(r)!;
  const sqrtV = rn.op === "Reciprocal" ? rn.inputs[0] : gv.isScalar(rn.inputs[0], 1, 0) ? rn.inputs[1] : undefined;
  const addEps = gv.prod(gv.prod(sqrtV, "Sqrt")?.inputs[0], "Add");
  if (!addEps) return undefined;
  const [variance, eps] = ordered(addEps, (u) => gv.scalar(u) === undefined) ?? [];
  if (!variance || gv.scalar(eps) === undefined) return undefined;
  const vx = meanOf(gv, variance);
  if (!vx || squaredCentred(gv, vx) !== x) return undefined;
  const d = gv.shape(x)?.at(-1);
  if (typeof d !== "number" || !featureVec(gv, gamma, d) || !featureVec(gv, beta, d)) return undefined;
  gv.replace(layerNormDef, v, [x, gamma, beta], { epsilon: gv.scalar(eps)! }, add.name);
  return `${v}: layer_norm (TensorFlow form) over ${d} features (eps ${gv.scalar(eps)})`;
}

export const layerNormPattern: SeqPattern = {
  name: "layer_norm",
  doc: "(x - mean x) / sqrt(mean (x - mean x)^2 + eps) * gamma + beta -> layer_norm(x, gamma, beta, eps)",
  at(gv, v) {
    const add = gv.prod(v, "Add", "LayerNormalization");
    if (!add) return undefined;
    if (add.op === "LayerNormalization") return fromOnnxOp(gv, add, v);
    const tf = tfForm(gv, v, add);
    if (tf) return tf;
    const [scaled, beta] = ordered(add, (u) => !!gv.prod(u, "Mul")) ?? [];
    if (!scaled || !beta) return undefined;
    const mul = gv.prod(scaled, "Mul")!;
    const [normed, gamma] = ordered(mul, (u) => !!gv.prod(u, "Div")) ?? [];
    if (!normed || !gamma) return undefined;
    const div = gv.prod(normed, "Div")!;
    const x = centred(gv, div.inputs[0]);
    const sqrt = gv.prod(div.inputs[1], "Sqrt");
    const addEps = sqrt && gv.prod(sqrt.inputs[0], "Add");
    if (!x || !addEps) return undefined;
    const [variance, eps] = ordered(addEps, (u) => gv.scalar(u) === undefined) ?? [];
    if (!variance || gv.scalar(eps) === undefined) return undefined;
    const vx = meanOf(gv, variance);
    if (!vx || squaredCentred(gv, vx) !== x) return undefined;
    const d = gv.shape(x)?.at(-1);
    if (typeof d !== "number" || !featureVec(gv, gamma, d) || !featureVec(gv, beta, d)) return undefined;
    gv.replace(layerNormDef, v, [x, gamma, beta], { epsilon: gv.scalar(eps)! }, add.name);
    return `${v}: layer_norm over ${d} features (eps ${gv.scalar(eps)})`;
  },
};

/** ONNX LayerNormalization over the last axis with scale and bias, its extra outputs unused. */
function fromOnnxOp(gv: GraphView, n: Node, v: string): string | undefined {
  const axis = n.attrs.axis?.kind === "int" ? n.attrs.axis.value : -1;
  const rank = gv.shape(n.inputs[0])?.length;
  if (!(axis === -1 || axis === (rank ?? 0) - 1) || n.outputs[0] !== v || n.outputs.slice(1).some((o) => o && gv.uses(o))) return undefined;
  const d = gv.shape(n.inputs[0])?.at(-1);
  if (typeof d !== "number" || !featureVec(gv, n.inputs[1], d) || !n.inputs[2] || !featureVec(gv, n.inputs[2], d)) return undefined;
  const eps = n.attrs.epsilon?.kind === "float" ? n.attrs.epsilon.value : 1e-5;
  gv.replace(layerNormDef, v, [n.inputs[0], n.inputs[1], n.inputs[2]], { epsilon: eps }, n.name);
  return `${v}: LayerNormalization over ${d} features`;
}
