// The seq-blocks pass: rewrite the normalized Graph's exporter op soup into the tensor-level blocks of sequence
// models (embeddings, layer norms, GELUs, linear maps, attention heads, recurrent loops), one pattern file each,
// in an order where each pattern sees the blocks of the ones before it. Every rewrite is exact: the block's
// expansion is the same computation in the same float32 arithmetic up to rounding (the tests compare with onnxruntime).
import type { Model } from "../graph/graph.ts";
import type { Pass } from "../pipeline/pass.ts";
import { bypassNode, cloneModel } from "../graph/passes/edit.ts";
import { topoSort } from "../graph/graph.ts";
import { GraphView } from "./patterns/graph-view.ts";
import type { SeqPattern } from "./patterns/pattern.ts";
import { embedPattern } from "./patterns/embed.ts";
import { layerNormPattern } from "./patterns/layer-norm.ts";
import { geluPattern } from "./patterns/gelu.ts";
import { linearPattern } from "./patterns/linear.ts";
import { mergeHeadsPattern, splitHeadsPattern } from "./patterns/heads.ts";
import { attendPattern } from "./patterns/attend.ts";
import { recurrentPattern } from "./patterns/recurrent.ts";
import { slicePattern } from "./patterns/slice.ts";
import { plumbingPattern } from "./patterns/plumbing.ts";
import { pointwisePattern } from "./patterns/pointwise.ts";
import { maskWindowPattern } from "./patterns/mask-window.ts";
import { positionsCachePattern } from "./patterns/positions-cache.ts";

/** The patterns in the order they run. */
export const seqPatterns: readonly SeqPattern[] = [
  embedPattern, layerNormPattern, geluPattern, linearPattern, splitHeadsPattern, attendPattern, maskWindowPattern, mergeHeadsPattern, slicePattern, recurrentPattern, pointwisePattern, plumbingPattern,
  // last: its block has sharper shapes than the Range it replaces, which would turn the sequence values after it static
  positionsCachePattern,
];

const DTYPE_OF_TO: Record<number, string> = { 1: "float32", 6: "int32", 7: "int64", 9: "bool", 11: "float64" };

/** Cast to the dtype the value already has is the identity (exporters write them around LayerNorm and softmax). */
function removeNoopCasts(gv: GraphView): number {
  let k = 0;
  for (const n of [...gv.g.nodes]) {
    if (n.op !== "Cast" || n.domain !== "" || n.attrs.to?.kind !== "int") continue;
    const to = DTYPE_OF_TO[n.attrs.to.value];
    if (to && gv.dtype(n.inputs[0]) === to && bypassNode(gv.g, n)) k++;
  }
  return k;
}

/** Run every pattern over a model; returns the rewritten model and one note per rewrite. */
export function recoverBlocks(input: Model): { model: Model; notes: string[]; counts: Map<string, number> } {
  const model = cloneModel(input);
  const gv = new GraphView(model);
  const notes: string[] = [];
  const counts = new Map<string, number>();
  const casts = removeNoopCasts(gv);
  if (casts) {
    notes.push(`${casts} Cast nodes to the dtype their input already has removed`);
    gv.refresh();
  }
  for (const pat of seqPatterns) {
    // A phase runs again when it rewrote something: blocks have sharper shapes than the op soup they replace (a
    // linear map's batch dim is known where a flattening reshape lost it), so later matches of the same kind appear.
    for (let round = 0; round < 4; round++) {
      let found = 0;
      for (const n of topoSort(gv.g)) {
        if (!gv.g.nodes.includes(n)) continue;
        for (const v of n.outputs) {
          if (!v || gv.producers.get(v) !== n) continue;
          const note = pat.at(gv, v);
          if (!note) continue;
          notes.push(`${pat.name}: ${note}`);
          counts.set(pat.name, (counts.get(pat.name) ?? 0) + 1);
          found++;
          gv.refresh(false);
        }
      }
      if (!found) break;
      gv.refresh();
    }
  }
  return { model, notes, counts };
}

/** recoverBlocks as a pipeline pass over Models. */
export const seqBlocksPass: Pass<Model, Model> = {
  name: "seq-blocks",
  doc: "name the blocks of sequence models in the normalized Graph: embed, layer_norm, gelu, linear, heads, attend, lstm/gru/rnn (exact)",
  run(model) {
    const r = recoverBlocks(model);
    const found = [...r.counts].map(([k, n]) => `${n} ${k}`).join(", ");
    return { out: r.model, report: { pass: "seq-blocks", summary: found ? `blocks: ${found}` : "no sequence blocks", details: r.notes } };
  },
};
