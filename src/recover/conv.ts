// Convolution layers as `h = act(convNd(x, W, stride, pad) + b)`, the following activation fused in as for affine.
import { fusableAct, actSpec } from "./layer-act.ts";
import { unitNote } from "./notes.ts";
import { weight, type Recogniser } from "./recogniser.ts";

export const convRecogniser: Recogniser = {
  name: "conv",
  doc: "a convolution layer, with the activation that follows it fused in",
  match(l, ctx) {
    if (l.kind !== "conv") return undefined;
    const k = ctx.weightIndex();
    const W = weight(`W${k}`, [l.outChannels, l.inChannels / l.groups, ...l.kernel], l.weight);
    const b = weight(`b${k}`, [l.bias.length], l.bias);
    const act = fusableAct(l, ctx);
    const layers = act ? [l.id, act.id] : [l.id];
    const params = { weight: W, bias: b, kernel: [...l.kernel], strides: [...l.strides], pads: [...l.pads], dilations: [...l.dilations], groups: l.groups };
    return {
      op: { kind: "conv", params: act ? { ...params, act: actSpec(act) } : params },
      layers,
      args: [...l.inputs],
      slice: { layers: layers.map((id) => ({ id, units: null })), weights: [W, b] },
      comment: unitNote(`${l.outChannels} filter${l.outChannels === 1 ? "" : "s"} ${l.kernel.join("x")}`, layers[layers.length - 1], ctx, l.id),
    };
  },
};
