// The normalize passes, in the order the pipeline runs them: constants first (so shapes are known and
// Constant weights are initialisers), then pass-through nodes, reshapes, affine canonical form, and
// BatchNorm last (it folds into the canonical Gemm).
import type { Model } from "../graph.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { foldConstants } from "./fold-constants.ts";
import { removeIdentity } from "./remove-identity.ts";
import { reshapeChains } from "./reshape-chains.ts";
import { canonicalAffine } from "./canonical-affine.ts";
import { foldBatchNorm } from "./fold-batchnorm.ts";

export { foldConstants, removeIdentity, reshapeChains, canonicalAffine, foldBatchNorm };

/** The normalize passes in pipeline order. */
export const normalizePasses: readonly Pass<Model, Model>[] = [
  foldConstants,
  removeIdentity,
  reshapeChains,
  canonicalAffine,
  foldBatchNorm,
];
