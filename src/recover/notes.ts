// Comments for layer statements: the size, plus what the probe saw of the units (when it ran).
import { statsFor } from "../passes/stats.ts";
import type { RecogniseCtx } from "./recogniser.ts";

/** Notes the passes left on the layers (`first`, the statement's main layer, and `layerId`), `base`, then probe observations about a layer's units: how many were constant and, after a ReLU, how many
 *  never fired (elsewhere "never > 0" says nothing interesting, so it is not shown). */
export function unitNote(base: string, layerId: string, ctx: RecogniseCtx, first?: string): string {
  // What the passes that made the statement's layers said of them (first its main layer, then the fused one).
  for (const id of new Set([first ?? layerId, layerId])) {
    const made = ctx.layers.get(id)?.note;
    if (made) base = `${made}; ${base}`;
  }
  const s = ctx.stats && statsFor(ctx.stats, layerId);
  if (!s) return base;
  const l = ctx.layers.get(layerId);
  const afterRelu = l?.kind === "act" && l.fn === "relu";
  let dead = 0, constant = 0;
  for (let i = 0; i < s.units; i++) {
    if (afterRelu && s.neverActive[i]) dead++;
    else if (s.constant[i]) constant++;
  }
  const parts = [base];
  if (dead) parts.push(`${dead} never active`);
  if (constant) parts.push(`${constant} constant`);
  return parts.join(", ");
}
