// What refine reports about a net: weights (non-zero parameters, as simplify counts them), live hidden units.
import type { Net } from "../net/net.ts";
import { nonzeroWeights } from "../passes/net-edit.ts";
import { hiddenLayerIds } from "./sparsity.ts";

export { nonzeroWeights };

/** Hidden units (affine rows / conv filters feeding an activation) with a non-zero incoming weight and, when an
 *  affine layer reads them directly through the activation, a non-zero outgoing weight. */
export function liveUnits(net: Net): number {
  const hidden = hiddenLayerIds(net);
  let n = 0;
  for (const l of net.layers) {
    if (!hidden.has(l.id) || (l.kind !== "affine" && l.kind !== "conv")) continue;
    const w = l.kind === "affine" ? l.W : l.weight;
    const units = l.kind === "affine" ? l.outFeatures : l.outChannels;
    const per = w.length / units;
    const act = net.layers.find((x) => x.kind === "act" && x.inputs[0] === l.id);
    const readers = act ? net.layers.filter((x) => x.inputs.includes(act.id)) : [];
    const next = readers.length === 1 && readers[0].kind === "affine" && readers[0].inFeatures === units && l.kind === "affine" ? readers[0] : undefined;
    for (let j = 0; j < units; j++) {
      let inZ = true;
      for (let k = 0; k < per && inZ; k++) if (w[j * per + k] !== 0) inZ = false;
      if (inZ) continue;
      if (next && next.kind === "affine") {
        let outZ = true;
        for (let o = 0; o < next.outFeatures && outZ; o++) if (next.W[o * units + j] !== 0) outZ = false;
        if (outZ) continue;
      }
      n++;
    }
  }
  return n;
}
