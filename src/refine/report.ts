// refine's report: the per-epoch table and the before/after figures, as Markdown and JSON.
import type { RefineResult } from "./refine.ts";

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const num = (x: number | undefined, d = 3) => (x === undefined ? "-" : x.toFixed(d));

/** The JSON form of the report (numbers as measured). */
export function reportJson(r: RefineResult, source: string): object {
  return {
    format: "pseudonet.refine-report", version: 1, source, objectives: r.options.objectives, floor: r.floor, classifier: r.classifier,
    data: r.dataNote, chosen: r.chosen ?? null, before: r.before, after: r.after, msPerEpoch: Math.round(r.msPerEpoch),
    options: { ...r.options, objectives: undefined }, epochs: r.rows,
  };
}

/** report.md-style text: what was kept, before and after, and every epoch. */
export function reportMarkdown(r: RefineResult, source: string): string {
  const floor = r.classifier ? `top-1 agreement with the original >= ${pct(r.floor.minAgreement!)}` : `max abs error vs the original <= ${r.floor.tolerance!.toExponential(2)}`;
  const shuf = (f: RefineResult["before"]) => (f.shuffled ? `${f.shuffled.mean.toFixed(3)} +- ${f.shuffled.sd.toFixed(3)}` : "-");
  const lines = [
    `# pseudonet refine: ${source}`, "",
    `Objectives: ${r.options.objectives.join(", ")}. Floor: ${floor} (on the validation rows, which choose; the held-out rows are only reported). ${r.dataNote}.`,
    r.chosen ? `Kept: round ${r.chosen.round}, epoch ${r.chosen.epoch} (${r.rows.some((e) => e.finish && e.round === r.chosen!.round) ? "from the clusterability finish: it holds the floor on the validation rows with no more weights and a lower n-cut than the smallest net the rounds kept" : "the smallest net holding the floor on the validation rows"}).` : "No refined net held the floor: the original is kept.",
    "",
    "| | weights | hidden units | n-cut (k = 12) | n-cut of shuffled copies | validation agreement | held-out agreement | held-out max abs err (logits) |",
    "|---|---|---|---|---|---|---|---|",
    ...(["before", "after"] as const).map((k) => {
      const f = r[k];
      return `| ${k} | ${f.weights} | ${f.units} | ${num(f.ncut)} | ${shuf(f)} | ${pct(f.validationAgreement)} | ${pct(f.heldOutAgreement)} | ${f.heldOutMaxAbsErr.toExponential(2)} |`;
    }),
    "",
    `Mean time per epoch: ${(r.msPerEpoch / 1000).toFixed(2)} s.`, "",
    "| round | epoch | loss | weights | units | n-cut | validation agreement | held-out agreement | held-out max abs err | holds floor |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...r.rows.map((e) => `| ${e.round}${e.finish ? " (finish)" : ""} | ${e.epoch} | ${e.loss.toExponential(2)} | ${e.weights} | ${e.units} | ${num(e.ncut)} | ${pct(e.validationAgreement)} | ${pct(e.heldOutAgreement)} | ${e.heldOutMaxAbsErr.toExponential(2)} | ${e.passes ? "yes" : "no"} |`),
  ];
  return lines.join("\n") + "\n";
}
