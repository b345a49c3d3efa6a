// Gemm (any alpha/beta/transB) and MatMul(+Add) with constant weights become one canonical affine
// node: Gemm(x, W[out,in], b[out], transB=1, alpha=beta=1), the form the Net lowering reads. A Conv
// followed by an Add of a constant per-channel vector gets that vector folded into its bias.
import type { Graph, Model, Node } from "../graph.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { attrFloat, attrInt } from "../../ops/op.ts";
import { cloneModel, isGraphOutput, NameAllocator, readersOf, removeDead, renameValue } from "./edit.ts";
import { asChannelVector, asRowVector, floats, floatTensor } from "./consts.ts";
import { rankOf, valueShapes } from "./shapes.ts";

/** The canonical Gemm attributes. */
export const CANONICAL_GEMM = {
  alpha: { kind: "float", value: 1 },
  beta: { kind: "float", value: 1 },
  transA: { kind: "int", value: 0 },
  transB: { kind: "int", value: 1 },
} as const;

/** Is this node a Gemm in canonical form (constant W [out,in], constant b [out], transB=1, alpha=beta=1)? */
export function isCanonicalGemm(g: Graph, n: Node): boolean {
  if (n.op !== "Gemm" || n.domain !== "") return false;
  const W = g.initializers.get(n.inputs[1]);
  const b = g.initializers.get(n.inputs[2] ?? "");
  return attrInt(n, "transA", 0) === 0 && attrInt(n, "transB", 0) === 1 && attrFloat(n, "alpha", 1) === 1 &&
    attrFloat(n, "beta", 1) === 1 && !!W && W.shape.length === 2 && !!b && b.shape.length === 1 && b.shape[0] === W.shape[0] &&
    W.dtype === b.dtype;
}

/** An affine map in float64: W is [out, in], row-major. */
export interface Affine {
  W: Float64Array; // [out, in]
  b: Float64Array;
  out: number;
  inF: number;
}

/** The affine map of a Gemm with constant B and C, or undefined (transA, non-constant weights, per-row C). */
export function gemmAffine(g: Graph, n: Node): Affine | undefined {
  if (attrInt(n, "transA", 0) !== 0) return undefined;
  const B = g.initializers.get(n.inputs[1]);
  const Bv = floats(B);
  if (!B || !Bv || B.shape.length !== 2) return undefined;
  const transB = attrInt(n, "transB", 0) !== 0;
  const alpha = attrFloat(n, "alpha", 1);
  const beta = attrFloat(n, "beta", 1);
  const [out, inF] = transB ? B.shape : [B.shape[1], B.shape[0]];
  const W = new Float64Array(out * inF);
  for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) W[o * inF + i] = alpha * (transB ? Bv[o * inF + i] : Bv[i * out + o]);
  let b = new Float64Array(out);
  if (n.inputs[2]) {
    const c = asRowVector(g.initializers.get(n.inputs[2]), out);
    if (!c) return undefined;
    b = c.map((v) => beta * v);
  }
  return { W, b, out, inF };
}

/** The affine map of MatMul(x, B) with B a constant matrix, as [out, in] (over x's last axis). */
export function matmulAffine(g: Graph, n: Node): Affine | undefined {
  const B = g.initializers.get(n.inputs[1]);
  const Bv = floats(B);
  if (!B || !Bv || B.shape.length !== 2) return undefined;
  const [inF, out] = B.shape;
  const W = new Float64Array(out * inF);
  for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) W[o * inF + i] = Bv[i * out + o];
  return { W, b: new Float64Array(out), out, inF };
}

/** Fold a following Add of a constant row vector into the bias; returns the Add's output name, or undefined. */
export function absorbAdd(g: Graph, y: string, a: Affine, readers: (v: string) => Node[]): { add: Node; out: string } | undefined {
  const users = readers(y);
  if (users.length !== 1 || isGraphOutput(g, y)) return undefined;
  const add = users[0];
  if (add.op !== "Add" || add.domain !== "" || add.inputs.length !== 2) return undefined;
  const other = add.inputs[0] === y ? add.inputs[1] : add.inputs[0];
  if (other === y) return undefined;
  const t = g.initializers.get(other);
  // A [1, out] constant keeps the result rank 2 here: Gemm output is 2-D already.
  if (!t || t.shape.length > 2) return undefined;
  const c = asRowVector(t, a.out);
  if (!c) return undefined;
  for (let o = 0; o < a.out; o++) a.b[o] += c[o];
  return { add, out: add.outputs[0] };
}

/** Fold an Add of a constant per-channel vector after a Conv (CNTK and Keras write conv biases this way) into
 *  the Conv's bias; returns the Add's name when done. */
function foldConvBiasAdd(g: Graph, conv: Node, names: NameAllocator): string | undefined {
  const W = g.initializers.get(conv.inputs[1] ?? "");
  if (!W || W.shape.length < 3 || !floats(W)) return undefined;
  const c = W.shape[0];
  const b0 = conv.inputs[2] ? floats(g.initializers.get(conv.inputs[2])) : new Float64Array(c);
  const y = conv.outputs[0];
  const users = readersOf(g, y);
  if (!b0 || users.length !== 1 || isGraphOutput(g, y)) return undefined;
  const add = users[0];
  if (add.op !== "Add" || add.domain !== "" || add.inputs.length !== 2 || add.inputs[0] === add.inputs[1]) return undefined;
  const v = asChannelVector(g.initializers.get(add.inputs[0] === y ? add.inputs[1] : add.inputs[0]), c, W.shape.length);
  if (!v) return undefined;
  const bName = names.fresh(`${conv.name}.bias`);
  g.initializers.set(bName, floatTensor(W.dtype, [c], b0.map((x, i) => x + v[i])));
  conv.inputs = [conv.inputs[0], conv.inputs[1], bName];
  g.nodes = g.nodes.filter((m) => m !== add);
  renameValue(g, y, add.outputs[0]);
  return add.name;
}

/** Canonicalise affine nodes; see the file comment. */
export const canonicalAffine: Pass<Model, Model> = {
  name: "canonical-affine",
  doc: "rewrite Gemm and MatMul+Add with constant weights as Gemm(x, W[out,in], b, transB=1) (exact up to float rounding)",
  run(input) {
    const model = cloneModel(input);
    const g = model.graph;
    const opset = model.opset.get("") ?? 1;
    const shapes = valueShapes(model);
    const names = new NameAllocator(g);
    const details: string[] = [];
    let gemms = 0;
    let matmuls = 0;
    let adds = 0;
    let convs = 0;
    for (const n of [...g.nodes]) {
      if (n.op === "Conv" && n.domain === "") {
        const add = foldConvBiasAdd(g, n, names);
        if (add) {
          details.push(`Add '${add}' folded into the bias of Conv '${n.name}'`);
          convs++;
        }
        continue;
      }
      if (n.domain !== "" || opset < 7 || (n.op !== "Gemm" && n.op !== "MatMul") || !g.nodes.includes(n)) continue;
      let a: Affine | undefined;
      if (n.op === "Gemm") a = gemmAffine(g, n);
      else if (n.op === "MatMul" && rankOf(shapes, n.inputs[0]) === 2) a = matmulAffine(g, n);
      if (!a) continue;
      const dtype = g.initializers.get(n.inputs[1])!.dtype;
      const absorbed = absorbAdd(g, n.outputs[0], a, (v) => readersOf(g, v));
      if (n.op === "Gemm" && isCanonicalGemm(g, n) && !absorbed) continue;
      const base = n.name.replace(/\/(Gemm|MatMul)$/, "") || n.name;
      const W = names.fresh(`${base}.W`);
      const b = names.fresh(`${base}.b`);
      g.initializers.set(W, floatTensor(dtype, [a.out, a.inF], a.W));
      g.initializers.set(b, floatTensor(dtype, [a.out], a.b));
      const gemm: Node = { name: n.op === "Gemm" ? n.name : names.fresh(`${base}/Gemm`), op: "Gemm", domain: "", inputs: [n.inputs[0], W, b], outputs: [n.outputs[0]], attrs: { ...CANONICAL_GEMM } };
      g.nodes[g.nodes.indexOf(n)] = gemm;
      if (n.op === "Gemm") gemms++;
      else matmuls++;
      if (absorbed) {
        g.nodes = g.nodes.filter((m) => m !== absorbed.add);
        renameValue(g, n.outputs[0], absorbed.out);
        adds++;
        details.push(`${n.op} '${n.name}' + Add '${absorbed.add.name}' -> Gemm '${gemm.name}'`);
      } else details.push(`${n.op} '${n.name}' -> Gemm '${gemm.name}'`);
    }
    removeDead(g);
    const parts = [gemms && `${gemms} Gemm`, matmuls && `${matmuls} MatMul`, adds && `${adds} bias Add folded`, convs && `${convs} Conv bias Add folded`].filter(Boolean);
    return {
      out: model,
      report: {
        pass: "canonical-affine",
        summary: parts.length ? `canonicalised ${parts.join(", ")}` : "all affine nodes already canonical",
        details,
      },
    };
  },
};
