// The recogniser registries (contracts in recogniser.ts). Adding a recogniser = adding a file in src/recover/
// and one line here (more specific ones first).
import type { Recogniser, SliceRecogniser } from "./recogniser.ts";
import { pairRecogniser } from "./rules-pair.ts";
import { clampRecogniser, maxMinRecogniser, rangeRecogniser } from "./rules-maxmin.ts";
import { onehotRecogniser, sortRecogniser } from "./rules-order.ts";
import { thresholdRecogniser } from "./threshold-rule.ts";
import { logicRecogniser } from "./logic.ts";
import { piecewiseRecogniser } from "./piecewise-rule.ts";
import { fitRecogniser } from "./rules-fit.ts";
import { fitSortRecogniser } from "./rules-fit-sort.ts";
import { argmaxRecogniser, opaqueRecogniser } from "./opaque.ts";
import { affineRecogniser } from "./affine.ts";
import { convRecogniser } from "./conv.ts";
import { residualAddRecogniser, seqBlockRecogniser } from "./seq.ts";
import { actRecogniser, addRecogniser, concatRecogniser, poolRecogniser, reshapeRecogniser, softmaxRecogniser } from "./simple.ts";

export type { Recogniser, Recognised, RecogniseCtx, SliceRecogniser, SliceCtx } from "./recogniser.ts";

/** Rewrite rules over the symbolic view of ReLU slices, tried in this order at every form, to a fixed point. */
export const sliceRecognisers: readonly SliceRecogniser[] = [
  pairRecogniser,
  maxMinRecogniser,
  clampRecogniser,
  rangeRecogniser,
  sortRecogniser,
  onehotRecogniser,
  thresholdRecogniser,
  logicRecogniser,
  piecewiseRecogniser,
  fitSortRecogniser,
  fitRecogniser,
];

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
