// Block nodes (SEQ_DOMAIN) for the ONNX interpreter and shape inference: each runs its expansion into standard ops
// (defs.ts), so a block computes exactly what reconstructed.onnx and the emitted code compute.
import type { Graph, Node } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import type { Op, ShapeInfo } from "../ops/op.ts";
import { inferShapes } from "../graph/infer.ts";
import { runGraph } from "../run/interp.ts";
import { expansionGraph, SEQ_DOMAIN, seqAttrsOf, type SeqDef } from "./defs.ts";
import { SEQ_DEFS } from "./registry.ts";

/** The default-domain opset expansions are written at when run inside the interpreter. */
const RUN_OPSET = 17;

const cache = new WeakMap<Node, Graph>();

/** A node's expansion, its inputs named i0, i1, ... (absent optional inputs stay ""). */
function expansionOf(def: SeqDef, node: Node): Graph {
  let g = cache.get(node);
  if (!g) {
    g = expansionGraph(def, seqAttrsOf(node), node.inputs.map((v, i) => (v ? `i${i}` : "")), "y", RUN_OPSET, node.name || def.kind);
    cache.set(node, g);
  }
  return g;
}

function blockOp(def: SeqDef): Op {
  return {
    name: def.op,
    domain: SEQ_DOMAIN,
    shape(inputs, { node }) {
      const g = expansionOf(def, node);
      const given: Record<string, ShapeInfo> = {};
      node.inputs.forEach((v, i) => { if (v && inputs[i]) given[`i${i}`] = inputs[i]!; });
      const env = inferShapes({ graph: g, opset: new Map([["", RUN_OPSET]]) } as never, { inputs: given });
      return [env.get("y") ?? { dtype: "float32", shape: null }];
    },
    run(inputs, { node }) {
      const g = expansionOf(def, node);
      const feeds: Record<string, Tensor> = {};
      node.inputs.forEach((v, i) => { if (v && inputs[i]) feeds[`i${i}`] = inputs[i]!; });
      return [runGraph(g, new Map([["", RUN_OPSET]]), feeds, { outputs: ["y"] }).y];
    },
  };
}

/** One interpreter op per block kind. */
export const seqOps: Op[] = SEQ_DEFS.map(blockOp);
