// Sequence blocks: an opaque layer holding one block node (src/seq, named by the seq-blocks pass) becomes that
// block's primitive (layer_norm, attend, lstm, ...); a lone Add of two run-time-shaped values is a residual add.
import type { Layer, OpaqueLayer } from "../net/net.ts";
import { SEQ_DOMAIN, seqAttrsOf } from "../seq/defs.ts";
import { seqDefOfOp } from "../seq/registry.ts";
import type { PrimOp, SeqParams, Weight } from "../program/program.ts";
import type { Recogniser } from "./recogniser.ts";
import { floats } from "../graph/passes/consts.ts";

function soleNode(l: Layer): OpaqueLayer["graph"]["nodes"][number] | undefined {
  return l.kind === "opaque" && l.graph.nodes.length === 1 ? l.graph.nodes[0] : undefined;
}

export const seqBlockRecogniser: Recogniser = {
  name: "seq-block",
  doc: "one block node of the seq-blocks pass (embed, layer_norm, gelu, linear, heads, attend, lstm/gru/rnn): its primitive, same expansion (exact)",
  match(l: Layer) {
    const n = soleNode(l);
    const def = n && n.domain === SEQ_DOMAIN ? seqDefOfOp(n.op) : undefined;
    if (!n || !def || l.kind !== "opaque") return undefined;
    const weights: Record<string, Weight> = {};
    for (const [i, role] of def.weights.entries()) {
      const v = n.inputs[def.data + i];
      if (!v) continue;
      const t = l.graph.initializers.get(v);
      const f = t && floats(t);
      if (!t || !f) return undefined;
      weights[role] = { name: v, shape: [...t.shape], data: Float32Array.from(f) };
    }
    const slots: number[] = [];
    const args: string[] = [];
    for (let i = 0; i < def.data; i++) {
      const v = n.inputs[i];
      if (!v) continue;
      const k = l.graph.inputs.findIndex((x) => x.name === v);
      if (k < 0) return undefined;
      slots.push(i);
      args.push(l.inputs[k]);
    }
    const params: SeqParams = { attrs: seqAttrsOf(n), weights, slots };
    return {
      op: { kind: def.kind, params } as PrimOp,
      layers: [l.id],
      args,
      slice: { layers: [{ id: l.id, units: null }], weights: Object.values(weights) },
    };
  },
};

export const residualAddRecogniser: Recogniser = {
  name: "residual-add",
  doc: "Adds of computed values only (no constants), a residual connection or a sum of embeddings: add(a, b, ...) in the same order (exact)",
  match(l: Layer) {
    if (l.kind !== "opaque" || l.graph.initializers.size || l.dtype !== "float32" || !l.graph.nodes.length) return undefined;
    if (l.graph.nodes.some((n) => n.domain !== "" || n.op !== "Add")) return undefined;
    // Leaves left to right: Add(Add(a, b), c) is ((a + b) + c), which the add kernel computes in that order.
    const producers = new Map(l.graph.nodes.map((n) => [n.outputs[0], n]));
    const leaves: string[] = [];
    const walk = (v: string): boolean => {
      const n = producers.get(v);
      if (!n) return leaves.push(v) > 0;
      return walk(n.inputs[0]) && (n.inputs[0] === n.inputs[1] ? false : walk(n.inputs[1])) && n.inputs[1] !== undefined;
    };
    if (!walk(l.graph.outputs[0].name) || leaves.length !== l.graph.nodes.length + 1) return undefined;
    const order = leaves.map((v) => l.graph.inputs.findIndex((x) => x.name === v));
    if (order.some((k) => k < 0) || new Set(order).size !== order.length) return undefined;
    return { op: { kind: "add", params: {} }, layers: [l.id], args: order.map((k) => l.inputs[k]), slice: { layers: [{ id: l.id, units: null }], weights: [] } };
  },
};
