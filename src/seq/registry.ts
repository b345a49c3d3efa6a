// Every block kind, by kind and by node op.
import type { SeqDef, SeqKind } from "./defs.ts";
import { SEQ_KINDS } from "./defs.ts";
import { layerNormDef } from "./ops/layer-norm.ts";
import { geluDef } from "./ops/gelu.ts";
import { embedDef } from "./ops/embed.ts";
import { linearDef } from "./ops/linear.ts";
import { mergeHeadsDef, splitHeadsDef } from "./ops/heads.ts";
import { attendDef } from "./ops/attend.ts";
import { sliceDef } from "./ops/slice.ts";
import { addWeightDef, concatDef, castDef, notDef, positionsDef, squeezeDef, transposeDef, unsqueezeDef, zerosDef } from "./ops/plumbing.ts";
import { pointwiseDef } from "./ops/pointwise.ts";
import { maskWindowDef } from "./ops/mask-window.ts";
import { gruDef, lstmDef, rnnDef } from "./ops/recurrent.ts";

export const SEQ_DEFS: readonly SeqDef[] = [embedDef, layerNormDef, geluDef, linearDef, splitHeadsDef, mergeHeadsDef, attendDef, sliceDef, lstmDef, gruDef, rnnDef, transposeDef, castDef, zerosDef, positionsDef, pointwiseDef, unsqueezeDef, squeezeDef, addWeightDef, concatDef, maskWindowDef, notDef];

const byKind = new Map<string, SeqDef>(SEQ_DEFS.map((d) => [d.kind, d]));
const byOp = new Map<string, SeqDef>(SEQ_DEFS.map((d) => [d.op, d]));

/** Is this Program primitive kind a block kind? */
export function isSeqKind(kind: string): kind is SeqKind {
  return (SEQ_KINDS as readonly string[]).includes(kind);
}

/** The definition of a block kind. */
export function seqDef(kind: SeqKind): SeqDef {
  return byKind.get(kind)!;
}

/** The definition whose node op this is (in SEQ_DOMAIN), if any. */
export function seqDefOfOp(op: string): SeqDef | undefined {
  return byOp.get(op);
}
