// The ways exporters write ReLU, rewritten as Relu so the Net sees one activation (tf.maximum(x, 0) through
// tf2onnx, ReLU6-style Clip with no upper bound, Keras's ReLU(negative_slope=0)):
//   Max(x, 0)          -> Relu(x)      (max(x, 0) = relu(x); the 0 a constant of zeros that does not broadcast x up)
//   Clip(x, 0[, +inf]) -> Relu(x)      (min(max(x, 0), inf) = relu(x))
//   LeakyRelu(x, 0)    -> Relu(x)      (x >= 0 ? x : 0 * x = relu(x))
// Exact (the same value for every finite x). NaN inputs differ only in which NaN comes out.
import type { Graph, Model, Node } from "../graph.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { attrFloat } from "../../ops/op.ts";
import { cloneModel, removeDead } from "./edit.ts";
import { floats } from "./consts.ts";
import { rankOf, valueShapes } from "./shapes.ts";
import type { ShapeInfo } from "../../ops/op.ts";

/** A constant whose every entry is `v`, of rank at most `rank` and no dim above 1 (broadcasts without growing x). */
function isScalarConst(g: Graph, name: string | undefined, v: number, rank: number | undefined): boolean {
  const t = g.initializers.get(name ?? "");
  const a = floats(t);
  if (!t || !a || rank === undefined || t.shape.length > rank || t.shape.some((d) => d !== 1)) return false;
  return a.every((x) => x === v);
}

/** The data input of a node that is ReLU in disguise, or undefined. */
function reluInput(g: Graph, n: Node, opset: number, shapes: Map<string, ShapeInfo>): string | undefined {
  if (n.domain !== "") return undefined;
  if (n.op === "LeakyRelu") return attrFloat(n, "alpha", 0.01) === 0 ? n.inputs[0] : undefined;
  if (n.op === "Max" && n.inputs.length === 2) {
    for (const k of [0, 1]) {
      const x = n.inputs[1 - k];
      if (!g.initializers.has(x) && isScalarConst(g, n.inputs[k], 0, rankOf(shapes, x))) return x;
    }
    return undefined;
  }
  if (n.op === "Clip") {
    if (opset < 11) return attrFloat(n, "min", -Infinity) === 0 && attrFloat(n, "max", Infinity) === Infinity ? n.inputs[0] : undefined;
    const lo = n.inputs[1] ? floats(g.initializers.get(n.inputs[1])) : undefined;
    const hi = n.inputs[2] ? floats(g.initializers.get(n.inputs[2])) : new Float64Array([Infinity]);
    return lo?.length === 1 && lo[0] === 0 && hi?.length === 1 && hi[0] === Infinity ? n.inputs[0] : undefined;
  }
  return undefined;
}

/** Rewrite ReLU in disguise as Relu; see the file comment. */
export const canonicalRelu: Pass<Model, Model> = {
  name: "canonical-relu",
  doc: "rewrite Max(x, 0), Clip(x, 0, +inf) and LeakyRelu(x, alpha=0) as Relu(x) (exact)",
  run(input) {
    const model = cloneModel(input);
    const g = model.graph;
    const opset = model.opset.get("") ?? 1;
    const shapes = valueShapes(model);
    const counts = new Map<string, number>();
    const details: string[] = [];
    g.nodes = g.nodes.map((n) => {
      const x = reluInput(g, n, opset, shapes);
      if (x === undefined) return n;
      counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
      details.push(`${n.op} '${n.name}' -> Relu`);
      return { ...n, op: "Relu", inputs: [x], outputs: [n.outputs[0]], attrs: {} };
    });
    removeDead(g);
    const parts = [...counts].map(([op, k]) => `${k} ${op}`);
    return {
      out: model,
      report: { pass: "canonical-relu", summary: parts.length ? `rewrote ${parts.join(", ")} as Relu` : "no ReLU in disguise", details },
    };
  },
};
