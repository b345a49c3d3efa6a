// Whether a whole-Net recogniser (logic-net.ts, piecewise-net.ts) reads the Net: then the builder names the
// whole function before trying to cut it into modules (a boolean function of a few bits, or one-variable
// functions, say more than any partition of their units would).
import type { Net } from "../net/net.ts";
import type { NetStats } from "../passes/stats.ts";
import { buildLogicNet } from "./logic-net.ts";
import { buildPiecewiseNet } from "./piecewise-net.ts";
import type { WholeNetCtx } from "./whole-net.ts";

/** True when the Net is read whole: a dry run of the whole-Net recognisers, its statements discarded. */
export function readsAsWhole(net: Net, o: { stats?: NetStats; bits: boolean; box?: { lo: number; hi: number } }): boolean {
  let k = 0;
  const ctx: WholeNetCtx = {
    net, bits: o.bits, ...(o.stats ? { stats: o.stats } : {}), ...(o.box ? { box: o.box } : {}),
    names: {
      source: (v) => ({ name: v, n: net.inputs.find((i) => i.name === v)?.shape[0] ?? 0 }),
      fresh: (want) => `${want}_${++k}`, primId: () => `d${++k}`, weightIndex: () => ++k,
    },
    layerStatements: () => ({ body: [], out: "x" }),
  };
  return !!(buildLogicNet(ctx, "y", () => ++k) ?? buildPiecewiseNet(ctx, "y", () => ++k));
}
