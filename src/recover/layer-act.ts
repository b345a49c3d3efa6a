// Activation helpers shared by the layer recognisers: an Act layer's spec, and fusing one into the layer before it.
import type { ActLayer, Layer } from "../net/net.ts";
import type { ActSpec } from "../program/program.ts";
import { soleConsumer, type RecogniseCtx } from "./recogniser.ts";

/** The ActSpec of an Act layer (alpha/min/max only when set). */
export function actSpec(l: ActLayer): ActSpec {
  const a: ActSpec = { fn: l.fn };
  if (l.alpha !== undefined) a.alpha = l.alpha;
  if (l.min !== undefined) a.min = l.min;
  if (l.max !== undefined) a.max = l.max;
  return a;
}

/** The Act layer that alone reads `l` (so fusing it hides no other use of l's value), if any. */
export function fusableAct(l: Layer, ctx: RecogniseCtx): (ActLayer & Layer) | undefined {
  const next = soleConsumer(l.id, ctx);
  return next && next.kind === "act" && next.inputs.length === 1 && !ctx.consumed.has(next.id) ? next : undefined;
}
