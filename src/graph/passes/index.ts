// The normalize passes, in the order the pipeline runs them: models of opsets 1-6 moved to 7, constants first (so shapes are known and
// Constant weights are initialisers), then pass-through nodes, zero Pads into window ops, reshapes, affine canonical form, and
// BatchNorm last (it folds into the canonical Gemm).
import type { Model } from "../graph.ts";
import { runPasses, type Pass, type PassReport } from "../../pipeline/pass.ts";
import { foldConstants } from "./fold-constants.ts";
import { upgradeOpset } from "./upgrade-opset.ts";
import { removeIdentity } from "./remove-identity.ts";
import { foldPad } from "./fold-pad.ts";
import { reshapeChains } from "./reshape-chains.ts";
import { canonicalAffine } from "./canonical-affine.ts";
import { foldBatchNorm } from "./fold-batchnorm.ts";
import { foldChannelAffine } from "./fold-channel-affine.ts";
import { canonicalRelu } from "./canonical-relu.ts";
import { gemmTransA } from "./gemm-trans-a.ts";
import { foldElementwiseAffine } from "./fold-elementwise-affine.ts";
import { sinkTranspose } from "./sink-transpose.ts";
import { transposeIntoDense } from "./transpose-into-dense.ts";

export { upgradeOpset, foldConstants, removeIdentity, foldPad, reshapeChains, canonicalAffine, foldBatchNorm, foldChannelAffine, canonicalRelu, gemmTransA, foldElementwiseAffine, sinkTranspose, transposeIntoDense };

/** The normalize passes in pipeline order. */
export const normalizePasses: readonly Pass<Model, Model>[] = [
  upgradeOpset,
  foldConstants,
  removeIdentity,
  foldPad,
  sinkTranspose, // before reshape-chains: NHWC exporters' Transpose pairs meet across the activations between them
  reshapeChains,
  canonicalRelu, // Max(x, 0), Clip(x, 0, inf), LeakyRelu(alpha=0) -> Relu
  gemmTransA, // before canonical-affine: Gemm(Transpose(x), transA=1) -> Gemm(x)
  canonicalAffine,
  transposeIntoDense, // after canonical-affine: Keras's NHWC flatten before a Dense becomes the NCHW one
  foldBatchNorm,
  foldChannelAffine, // after fold-batchnorm: the Mul/Add a Caffe2 batch norm leaves after the Conv it became
  foldElementwiseAffine, // after both: input normalisation and output scales into the canonical Gemm / Conv beside them
];

/** Run every normalize pass; returns the normalized model and one report per pass. */
export function normalize(model: Model): { model: Model; reports: PassReport[] } {
  const r = runPasses(model, normalizePasses);
  return { model: r.out, reports: r.reports };
}
