// Gemm(transA=1) of a transposed matrix reads the matrix itself (a batch-last exporter writes x^T, then Gemm
// transposes it back):
//   Gemm(Transpose(x, perm=[1, 0]), B, C, transA=1) -> Gemm(x, B, C, transA=0)      ((x^T)^T = x)
// so canonical-affine, which needs the batch on A's rows, can read the layer. Exact. The Transpose goes when
// nothing else reads it.
import type { Model } from "../graph.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { attrInt, attrInts } from "../../ops/op.ts";
import { cloneModel, producerMap, removeDead } from "./edit.ts";
import { rankOf, valueShapes } from "./shapes.ts";

/** Undo Transpose + Gemm(transA=1) pairs; see the file comment. */
export const gemmTransA: Pass<Model, Model> = {
  name: "gemm-trans-a",
  doc: "Gemm(Transpose(x), transA=1) -> Gemm(x) (exact)",
  run(input) {
    const model = cloneModel(input);
    const g = model.graph;
    const shapes = valueShapes(model);
    const producers = producerMap(g);
    const details: string[] = [];
    for (const n of g.nodes) {
      if (n.op !== "Gemm" || n.domain !== "" || attrInt(n, "transA", 0) === 0) continue;
      const t = producers.get(n.inputs[0]);
      if (!t || t.op !== "Transpose" || t.domain !== "" || rankOf(shapes, t.inputs[0]) !== 2) continue;
      const perm = attrInts(t, "perm", [1, 0]);
      if (perm.length !== 2 || perm[0] !== 1 || perm[1] !== 0) continue;
      n.inputs = [t.inputs[0], ...n.inputs.slice(1)];
      n.attrs = { ...n.attrs, transA: { kind: "int", value: 0 } };
      details.push(`Transpose '${t.name}' + Gemm '${n.name}' (transA=1) -> Gemm '${n.name}'`);
    }
    removeDead(g);
    return {
      out: model,
      report: { pass: "gemm-trans-a", summary: details.length ? `undid ${details.length} transposed Gemm input${details.length > 1 ? "s" : ""}` : "no Gemm with transA", details },
    };
  },
};
