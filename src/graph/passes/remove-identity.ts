// Remove Identity and inference-mode Dropout: their output is their input. Consumers are rewired;
// when the removed node produced a graph output, its input is renamed so the output name survives.
import type { Graph, Model, Node } from "../graph.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { bypassNode, cloneModel, consumerMap, removeDead } from "./edit.ts";

/** Is this Dropout the identity at inference (its mask unused, training_mode absent or constant false)? */
function dropoutIsIdentity(g: Graph, n: Node, used: Set<string>): boolean {
  if (n.outputs[1] && used.has(n.outputs[1])) return false;
  const mode = n.inputs[2];
  if (!mode) return true;
  const t = g.initializers.get(mode);
  return t !== undefined && t.dtype !== "string" && (t.data as ArrayLike<number>)[0] === 0;
}

/** Identity and inference-mode Dropout removed; graph output names kept. */
export const removeIdentity: Pass<Model, Model> = {
  name: "remove-identity",
  doc: "remove Identity and inference-mode Dropout nodes (exact: they pass their input through)",
  run(input) {
    const model = cloneModel(input);
    const g = model.graph;
    const used = new Set(consumerMap(g).keys());
    for (const o of g.outputs) used.add(o.name);
    const counts = { Identity: 0, Dropout: 0 };
    const kept: string[] = [];
    for (const n of [...g.nodes]) {
      if (n.domain !== "" || (n.op !== "Identity" && n.op !== "Dropout")) continue;
      if (n.op === "Dropout" && !dropoutIsIdentity(g, n, used)) {
        kept.push(`kept Dropout '${n.name}': its mask is used or it runs in training mode`);
        continue;
      }
      if (bypassNode(g, n)) counts[n.op]++;
      else kept.push(`kept ${n.op} '${n.name}': it copies a graph input, initializer or output to the graph output '${n.outputs[0]}'`);
    }
    removeDead(g);
    const total = counts.Identity + counts.Dropout;
    return {
      out: model,
      report: {
        pass: "remove-identity",
        summary: total ? `removed ${counts.Identity} Identity, ${counts.Dropout} Dropout` : "no Identity or Dropout to remove",
        details: kept,
      },
    };
  },
};
