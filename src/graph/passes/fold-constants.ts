// Constant folding: Constant nodes, nodes whose inputs are all initialisers, and shape plumbing whose
// value shape inference already knows become initialisers. Shapes are inferred with the batch dim
// symbolic, so nothing that depends on the batch size is baked in.
import { topoSort, type Graph, type Model, type Node } from "../graph.ts";
import { sizeOf, type Tensor } from "../tensor.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { runNode } from "../../run/interp.ts";
import { cloneModel, consumerMap, hasSubgraphs, isGraphOutput, removeDead } from "./edit.ts";
import { valueShapes } from "./shapes.ts";
import type { ShapeInfo } from "../../ops/op.ts";

/** Ops whose output is not a function of their inputs: never folded. */
const RANDOM = new Set(["RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli"]);

/** Folding may not grow the model past this many elements per output, unless the inputs were already that large. */
export const MAX_FOLDED = 1 << 20;

/** A parameter too big for MAX_FOLDED still folds when the model builds it anyway (ConstantOfShape weights), up to this. */
export const MAX_FOLDED_WEIGHT = 1 << 28;

/** Inputs that are a layer's parameters (weights, biases, statistics), by op: index -> true. */
const PARAM_INPUTS: Record<string, (i: number) => boolean> = {
  Conv: (i) => i >= 1, ConvTranspose: (i) => i >= 1, Gemm: (i) => i >= 1, MatMul: (i) => i === 1,
  BatchNormalization: (i) => i >= 1, InstanceNormalization: (i) => i >= 1, LayerNormalization: (i) => i >= 1, PRelu: (i) => i === 1,
};

/** Every reader of v takes it as a layer parameter: folding it turns the layer's weights into real initialisers
 *  (the ONNX "light" models build all their weights with ConstantOfShape; left as nodes, the convs are opaque). */
function onlyParameter(readers: readonly Node[] | undefined, v: string): boolean {
  return !!readers?.length && readers.every((r) => r.inputs.every((x, i) => x !== v || (PARAM_INPUTS[r.op]?.(i) ?? false)));
}

/** Values of a node computed from constants, or undefined when it cannot or should not fold. */
function evaluate(model: Model, n: Node, readers: Map<string, Node[]>, shapes: Map<string, ShapeInfo>): Tensor[] | undefined {
  const g = model.graph;
  const inputs = n.inputs.map((v) => (v === "" ? undefined : g.initializers.get(v)));
  if (n.inputs.some((v, i) => v !== "" && !inputs[i])) return undefined;
  const inSize = inputs.reduce((a, t) => a + (t ? sizeOf(t.shape) : 0), 0);
  const limit = (k: number) => (onlyParameter(readers.get(n.outputs[k]), n.outputs[k]) ? MAX_FOLDED_WEIGHT : Math.max(MAX_FOLDED, inSize));
  // Known too big before it is computed: never allocate it (a model may declare a tensor far larger than itself).
  const declared = n.outputs.map((o) => shapes.get(o)?.shape);
  if (declared.some((s, k) => s?.every((d) => typeof d === "number") && sizeOf(s as number[]) > limit(k))) return undefined;
  try {
    const outs = runNode(n, model.opset, inputs);
    if (outs.some((t, k) => sizeOf(t.shape) > limit(k))) return undefined;
    return outs;
  } catch {
    return undefined; // no kernel, or the kernel rejects these inputs: leave the node for the interpreter to report
  }
}

/** Turn node outputs into initialisers (the caller drops the node). */
function setConstants(g: Graph, n: Node, values: (Tensor | undefined)[]): void {
  n.outputs.forEach((o, k) => {
    if (o !== "" && values[k]) g.initializers.set(o, values[k]!);
  });
}

/** Fold constants; see the file comment. */
export const foldConstants: Pass<Model, Model> = {
  name: "fold-constants",
  doc: "evaluate Constant nodes, nodes of constant inputs and static shape plumbing once, as initialisers (exact)",
  run(input) {
    const model = cloneModel(input);
    const g = model.graph;
    const shapes = valueShapes(model, { symbolicBatch: true });
    const counts = new Map<string, number>();
    const details: string[] = [];
    const folded = new Set<Node>();
    const readers = consumerMap(g);
    for (const n of topoSort(g)) {
      // Graph outputs stay node outputs: an initialiser as a graph output is not portable across runtimes.
      if (RANDOM.has(n.op) || hasSubgraphs(n) || n.outputs.some((o) => isGraphOutput(g, o))) continue;
      let values: (Tensor | undefined)[] | undefined = evaluate(model, n, readers, shapes);
      if (!values) {
        const known = n.outputs.map((o) => (o === "" ? undefined : shapes.get(o)?.value));
        if (n.outputs.every((o, k) => o === "" || known[k])) values = known;
      }
      if (!values) continue;
      setConstants(g, n, values);
      folded.add(n);
      counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
    }
    g.nodes = g.nodes.filter((n) => !folded.has(n));
    const dead = removeDead(g);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    for (const [op, k] of [...counts].sort()) details.push(`folded ${k} ${op}`);
    if (dead.nodes || dead.initializers) details.push(`removed ${dead.nodes} dead nodes, ${dead.initializers} unused initializers`);
    return {
      out: model,
      report: {
        pass: "fold-constants",
        summary: total ? `folded ${total} nodes into constants (${[...counts].map(([o, k]) => `${k} ${o}`).join(", ")})` : "nothing to fold",
        details,
      },
    };
  },
};
