// A dense layer reading a flattened transpose reads the untransposed value with its columns permuted. Keras conv
// nets through tf2onnx flatten NHWC feature maps (Transpose(0, 2, 3, 1), then Reshape to [N, H*W*C]) before their
// first Dense; PyTorch flattens NCHW. Permuting the weight's columns makes them the same layer:
//   Gemm(Reshape(Transpose(x, p), [N, F]), W) -> Gemm(Reshape(x, [N, F]), W P)    (column j of W moves to the
//                                                                                   flat index in x it reads)
// Exact (the same products, summed in another order). Runs after canonical-affine: the Gemm is canonical, and the
// Transpose and the Reshape each have no other reader.
import type { Model, Node } from "../graph.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { attrInt, attrInts } from "../../ops/op.ts";
import { cloneModel, isGraphOutput, NameAllocator, producerMap, readersOf, removeDead } from "./edit.ts";
import { floatTensor, floats } from "./consts.ts";
import { isCanonicalGemm } from "./canonical-affine.ts";
import { BATCH, batchShapes } from "./shapes.ts";

/** Is v read by exactly one node and not a graph output? */
const onlyRead = (m: Model, v: string) => readersOf(m.graph, v).length === 1 && !isGraphOutput(m.graph, v);

/** For each flat index of Transpose(x, perm)'s per-sample value, the flat index of x it holds. */
function sourceIndex(dims: number[], perm: number[]): Int32Array {
  const outDims = perm.map((p) => dims[p]);
  const strides = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const n = dims.reduce((a, b) => a * b, 1);
  const src = new Int32Array(n);
  const idx = new Array<number>(outDims.length).fill(0);
  for (let j = 0; j < n; j++) {
    src[j] = idx.reduce((a, v, k) => a + v * strides[perm[k]], 0);
    for (let d = outDims.length - 1; d >= 0 && ++idx[d] === outDims[d]; d--) idx[d] = 0;
  }
  return src;
}

/** Fold flattened transposes into the dense layers reading them; see the file comment. */
export const transposeIntoDense: Pass<Model, Model> = {
  name: "transpose-into-dense",
  doc: "Gemm of a flattened Transpose -> Gemm of the flattened input with its weight columns permuted (exact)",
  run(input) {
    const model = cloneModel(input);
    const g = model.graph;
    const { shapes } = batchShapes(model);
    const producers = producerMap(g);
    const names = new NameAllocator(g);
    const details: string[] = [];
    for (const gemm of g.nodes) {
      if (!isCanonicalGemm(g, gemm)) continue;
      const r = producers.get(gemm.inputs[0]);
      if (!r || r.domain !== "" || !["Reshape", "Flatten"].includes(r.op) || !onlyRead(model, r.outputs[0])) continue;
      if (r.op === "Flatten" && attrInt(r, "axis", 1) !== 1) continue;
      // Per sample: the batch axis stays axis 0 (not merged with a sequence axis, as attention blocks reshape).
      const ys = shapes.get(r.outputs[0])?.shape;
      if (ys?.length !== 2 || ys[0] !== BATCH) continue;
      const t = producers.get(r.inputs[0]);
      if (!t || t.op !== "Transpose" || t.domain !== "" || !onlyRead(model, t.outputs[0])) continue;
      const xs = shapes.get(t.inputs[0])?.shape;
      const perm = attrInts(t, "perm");
      const dims = xs?.slice(1);
      // The batch stays axis 0; the rest are static.
      if (!perm || perm[0] !== 0 || xs?.[0] !== BATCH || !dims || !dims.every((d): d is number => typeof d === "number")) continue;
      const rest = perm.slice(1).map((p) => p - 1);
      const src = sourceIndex(dims, rest);
      const Wt = g.initializers.get(gemm.inputs[1])!;
      const W = floats(Wt)!;
      const [out, inF] = Wt.shape;
      if (inF !== src.length) continue;
      const P = new Float64Array(W.length);
      for (let o = 0; o < out; o++) for (let j = 0; j < inF; j++) P[o * inF + src[j]] = W[o * inF + j];
      const wName = names.fresh(`${gemm.inputs[1]}_untransposed`);
      g.initializers.set(wName, floatTensor(Wt.dtype, Wt.shape, P));
      gemm.inputs = [gemm.inputs[0], wName, ...gemm.inputs.slice(2)];
      r.inputs = [t.inputs[0], ...r.inputs.slice(1)];
      g.nodes = g.nodes.filter((n: Node) => n !== t);
      details.push(`Transpose '${t.name}' before ${r.op} '${r.name}' folded into the columns of Gemm '${gemm.name}'`);
    }
    removeDead(g);
    return {
      out: model,
      report: { pass: "transpose-into-dense", summary: details.length ? `folded ${details.length} flattened Transpose into dense weights` : "no flattened Transpose before a dense layer", details },
    };
  },
};
