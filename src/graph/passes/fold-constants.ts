// Constant folding: Constant nodes, nodes whose inputs are all initialisers, and shape plumbing whose
// value shape inference already knows become initialisers. Shapes are inferred with the batch dim
// symbolic, so nothing that depends on the batch size is baked in.
import { topoSort, type Graph, type Model, type Node } from "../graph.ts";
import { sizeOf, type Tensor } from "../tensor.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { runNode } from "../../run/interp.ts";
import { cloneModel, hasSubgraphs, isGraphOutput, removeDead } from "./edit.ts";
import { valueShapes } from "./shapes.ts";

/** Ops whose output is not a function of their inputs: never folded. */
const RANDOM = new Set(["RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli"]);

/** Folding may not grow the model past this many elements per output, unless the inputs were already that large. */
export const MAX_FOLDED = 1 << 20;

/** Values of a node computed from constants, or undefined when it cannot or should not fold. */
function evaluate(model: Model, n: Node): Tensor[] | undefined {
  const g = model.graph;
  const inputs = n.inputs.map((v) => (v === "" ? undefined : g.initializers.get(v)));
  if (n.inputs.some((v, i) => v !== "" && !inputs[i])) return undefined;
  try {
    const outs = runNode(n, model.opset, inputs);
    const inSize = inputs.reduce((a, t) => a + (t ? sizeOf(t.shape) : 0), 0);
    if (outs.some((t) => sizeOf(t.shape) > Math.max(MAX_FOLDED, inSize))) return undefined;
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
    for (const n of topoSort(g)) {
      // Graph outputs stay node outputs: an initialiser as a graph output is not portable across runtimes.
      if (RANDOM.has(n.op) || hasSubgraphs(n) || n.outputs.some((o) => isGraphOutput(g, o))) continue;
      let values: (Tensor | undefined)[] | undefined = evaluate(model, n);
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
