// Affine layers as `h = act(W @ x + b)`: the weights keep their Net layout ([out, in]); an activation that
// alone reads the affine layer is fused into the same statement (exact: it is the same computation).
import { fusableAct, actSpec } from "./layer-act.ts";
import { unitNote } from "./notes.ts";
import { weight, type Recogniser } from "./recogniser.ts";

export const affineRecogniser: Recogniser = {
  name: "affine",
  doc: "an affine layer, with the activation that follows it fused in: h = act(W @ x + b)",
  match(l, ctx) {
    if (l.kind !== "affine") return undefined;
    const k = ctx.weightIndex();
    const W = weight(`W${k}`, [l.outFeatures, l.inFeatures], l.W);
    const b = weight(`b${k}`, [l.outFeatures], l.b);
    const act = fusableAct(l, ctx);
    const layers = act ? [l.id, act.id] : [l.id];
    return {
      op: { kind: "affine", params: act ? { W, b, act: actSpec(act) } : { W, b } },
      layers,
      args: [...l.inputs],
      slice: { layers: layers.map((id) => ({ id, units: null })), weights: [W, b] },
      comment: unitNote(`${l.outFeatures} unit${l.outFeatures === 1 ? "" : "s"}`, layers[layers.length - 1], ctx, l.id),
    };
  },
};
