// The shape of the Net a model lowers to after normalize: one entry per layer (kind, per-sample shape, and an affine
// layer's in -> out features), for tests that check an exporter's rewrite lowers to the same Net as the original.
import type { Model } from "../../src/graph/graph.ts";
import { normalize } from "../../src/graph/passes/index.ts";
import { lower } from "../../src/net/lower.ts";

/** Layer kinds and shapes of lower(normalize(model)), e.g. ["affine 3->5 [5]", "act relu [5]", ...]. */
export function netShape(model: Model): string[] {
  const { net } = lower(normalize(model).model);
  return net.layers.map((l) => {
    const detail = l.kind === "affine" ? ` ${l.inFeatures}->${l.outFeatures}` : l.kind === "act" ? ` ${l.fn}` : l.kind === "conv" ? ` ${l.inChannels}->${l.outChannels} k${l.kernel.join("x")}` : "";
    return `${l.kind}${detail} [${l.shape.join(",")}]`;
  });
}
