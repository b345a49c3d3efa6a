// Opaque layers (Graph fragments lower could not give a neuron-level meaning): a lone ArgMax becomes a named
// argmax; anything else stays one `opaque_k(...)` call that names the ONNX ops inside and runs them as they are.
import type { Layer, OpaqueLayer } from "../net/net.ts";
import type { Recogniser, RecogniseCtx } from "./recogniser.ts";

/** Per-sample rank of a layer's input (a layer or a Net input), when known. */
function inputRank(id: string, ctx: RecogniseCtx): number | undefined {
  const l = ctx.layers.get(id);
  if (l) return l.shape.length;
  return ctx.net.inputs.find((i) => i.name === id)?.shape.length;
}

function attrNum(l: OpaqueLayer, name: string, dflt: number): number {
  const a = l.graph.nodes[0].attrs[name];
  return a && (a.kind === "int" || a.kind === "float") ? a.value : dflt;
}

export const argmaxRecogniser: Recogniser = {
  name: "argmax",
  doc: "a lone ONNX ArgMax over a per-sample axis: argmax(x), the index of the largest entry",
  match(l: Layer, ctx) {
    if (l.kind !== "opaque" || l.graph.nodes.length !== 1 || l.graph.nodes[0].op !== "ArgMax" || l.inputs.length !== 1) return undefined;
    const rank = inputRank(l.inputs[0], ctx);
    if (rank === undefined) return undefined;
    let axis = attrNum(l, "axis", 0);
    if (axis < 0) axis += rank + 1;
    if (axis < 1 || axis > rank) return undefined; // over the batch axis: not a per-sample argmax
    return {
      op: { kind: "argmax", params: { axis: axis - 1, keepdims: attrNum(l, "keepdims", 1) !== 0, selectLastIndex: attrNum(l, "select_last_index", 0) !== 0 } },
      layers: [l.id],
      args: [...l.inputs],
      slice: { layers: [{ id: l.id, units: null }], weights: [] },
      comment: "predicted class",
    };
  },
};

export const opaqueRecogniser: Recogniser = {
  name: "opaque",
  doc: "any other Graph fragment: one opaque_k(...) call naming its ONNX ops, run as is",
  match(l: Layer, ctx) {
    if (l.kind !== "opaque") return undefined;
    const ops = [...new Set(l.graph.nodes.map((n) => (n.domain ? `${n.domain}.${n.op}` : n.op)))];
    const label = `opaque_${ctx.nextIndex("opaque")}`;
    return {
      op: { kind: "opaque", params: { graph: l.graph, opset: l.opset, ops, reason: l.reason, perSample: l.perSample } },
      layers: [l.id],
      args: [...l.inputs],
      slice: { layers: [{ id: l.id, units: null }], weights: [] },
      label,
      // The reason is in report.md and `show`; the line keeps to the ops.
      comment: `ONNX ops: ${ops.length > 6 ? `${ops.slice(0, 6).join(", ")}, +${ops.length - 6} more` : ops.join(", ")}`,
    };
  },
};
