// Unit ids in the model's own layers: the Net layer ids `pseudonet explain` uses, found by normalizing
// and lowering the exported model exactly as the pipeline does, then matching layers to ONNX nodes.
import type { Model } from "../src/graph/graph.ts";
import { normalizePasses } from "../src/graph/passes/index.ts";
import { idFromNodeName } from "../src/net/ids.ts";
import { lower } from "../src/net/lower.ts";
import { runPasses } from "../src/pipeline/pass.ts";
import type { LayerNodes } from "./export.ts";

/** A function giving the Net layer ids (affine or conv layer, then its activation) of a zoo layer. */
export function netLayerIds(model: Model): (n: LayerNodes) => string[] {
  const net = lower(runPasses(model, normalizePasses).out).net;
  const byOrigin = new Map<string, string>();
  for (const l of net.layers) for (const o of l.origin) byOrigin.set(o, l.id);
  const ids = new Set(net.layers.map((l) => l.id));
  const find = (node: string): string | undefined => {
    const hit = byOrigin.get(node);
    if (hit) return hit;
    // Normalize may rename a node it rewrites (MatMul + Add -> Gemm); the layer id still comes from its scope.
    const op = node.slice(node.lastIndexOf("/") + 1);
    const id = idFromNodeName(node, op);
    return ids.has(id) ? id : undefined;
  };
  return (n) => {
    const out: string[] = [];
    for (const node of [n.affine, n.relu]) {
      if (!node) continue;
      const id = find(node);
      if (!id) throw new Error(`zoo: no Net layer comes from node '${node}'`);
      if (!out.includes(id)) out.push(id);
    }
    return out;
  };
}
