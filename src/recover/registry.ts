// The recogniser registry: the builder tries these in order at each layer, first match wins.
// Adding a recogniser = adding a file in src/recover/ and one line here (more specific ones first).
import type { Recogniser } from "./recogniser.ts";
import { argmaxRecogniser, opaqueRecogniser } from "./opaque.ts";
import { affineRecogniser } from "./affine.ts";
import { convRecogniser } from "./conv.ts";
import { residualAddRecogniser, seqBlockRecogniser } from "./seq.ts";
import { actRecogniser, addRecogniser, concatRecogniser, poolRecogniser, reshapeRecogniser, softmaxRecogniser } from "./simple.ts";

export type { Recogniser, Recognised, RecogniseCtx } from "./recogniser.ts";

/** Every recogniser, in the order the builder tries them. */
export const recognisers: readonly Recogniser[] = [
  argmaxRecogniser,
  affineRecogniser,
  convRecogniser,
  actRecogniser,
  poolRecogniser,
  softmaxRecogniser,
  reshapeRecogniser,
  addRecogniser,
  concatRecogniser,
  seqBlockRecogniser,
  residualAddRecogniser,
  opaqueRecogniser,
];
