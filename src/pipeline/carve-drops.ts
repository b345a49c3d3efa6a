// carve's dropped fit residuals in the program, beside the residuals pass's (program.json `droppedResiduals`,
// report.md, program.txt's header). Its own file, with type imports only, so that explain-passes.ts can use it
// without loading the carve pass (whose imports lead back to explain.ts).
import type { DroppedResidual, Program } from "../program/program.ts";
import type { CarveOutcome } from "./carve-pass.ts";

/** The program with carve's dropped residuals recorded beside the residuals pass's (program.json
 *  `droppedResiduals`, report.md, program.txt's header): each at the statement its conv became. */
export function withCarveDrops(p: Program, carve: CarveOutcome | undefined): Program {
  const drops = carve?.decisions.filter((d) => d.dropped) ?? [];
  if (!drops.length) return p;
  const entry = p.functions.find((f) => f.name === p.entry);
  const at = (layer: string) => entry?.body.find((st) => st.kind === "prim" && st.prim.slice.layers.some((x) => x.id === layer || x.id.startsWith(`${layer}_`)));
  const records: DroppedResidual[] = drops.map((d) => {
    const st = at(d.layer);
    return {
      fn: p.entry, value: st?.kind === "prim" ? st.out.name : d.layer, residual: `conv ${d.layer}'s fit residual`,
      stated: `max |w| ${d.size.maxAbs.toExponential(1)}${d.certified !== undefined ? `; program vs original certified <= ${d.certified.toExponential(1)} over the box` : ""}`,
      units: 0, weights: d.size.nonzero, cost: { analysis: d.change, rows: carve!.rows }, budget: d.budget,
    };
  });
  return { ...p, droppedResiduals: [...(p.droppedResiduals ?? []), ...records] };
}
