// report.md's "Feature groups" section: per grouped statement how k was chosen, then each group with its units,
// its share of the activation, its top inputs (rows of the data) and, for images, the picture of them.
import type { FeatureAnalysis, VisScore } from "../program/features.ts";

/** "2.1x the data's largest" */
function ratio(v: VisScore): string {
  return v.dataMax > 0 ? `${(v.objective / v.dataMax).toFixed(1)}x the data's largest` : `objective ${v.objective}`;
}

/** The section's lines (none when the program has no feature analysis). */
export function featuresMarkdown(a: FeatureAnalysis | undefined): string[] {
  if (!a || (!a.layers.length && !a.skipped.length)) return [];
  const out = ["", "## Feature groups", ""];
  out.push(
    "Wide layers no rule named, factored by NMF: activations (rows x units, non-negative after the ReLU) ~ W H. " +
      "A group's units are those it explains best (loading: the unit's weight in H, the group's largest is 1); " +
      "its share is the part of the layer's total activation W_k H_k accounts for; its top inputs are the data rows " +
      `with the largest W_k (row numbers index the data as given). Seed ${a.seed}.`,
  );
  for (const l of a.layers) {
    out.push("", `### ${l.fn}/${l.stmt}`, "");
    const how = l.chosenBy === "knee"
      ? `k = ${l.k}, the knee of the explained variance over k = 1..${l.explained.length}: ${l.explained.map((e) => e.toFixed(3)).join(", ")}`
      : `k = ${l.k} (the budget given), explained variance ${l.explained[0]?.toFixed(3)}`;
    out.push(`${l.units} of ${l.width} units vary on the data; fitted on ${l.fitRows} rows; ${how}.`, "");
    out.push("| group | share | units (loading) | top inputs (rows) | visualisation |", "|---|---|---|---|---|");
    for (const g of a.groups.filter((x) => x.fn === l.fn && x.stmt === l.stmt)) {
      const units = g.units.slice(0, 10).map((u) => `${u.index} (${u.loading.toFixed(2)})`).join(", ") + (g.units.length > 10 ? `, ... ${g.units.length} in all` : "");
      const rows = g.top.map((t) => t.row).join(", ");
      const pic = g.pictures?.top ? ` ![${g.name}: top inputs](${g.pictures.top})` : "";
      const vis = g.pictures?.vis ? `![${g.name}: visualisation](${g.pictures.vis})${g.vis ? ` ${ratio(g.vis)}` : ""}` : "-";
      out.push(`| \`${g.name}\` | ${(100 * g.share).toFixed(1)}% | ${units || "-"} | ${rows}${pic} | ${vis} |`);
    }
    const units = (a.units ?? []).filter((u) => u.fn === l.fn && u.stmt === l.stmt);
    if (units.length) {
      out.push("", "Each group's strongest unit, visualised:", "");
      for (const u of units) out.push(`- \`${l.stmt}[${u.index}]\`${u.origin ? ` (${u.origin.join(", ")})` : ""}: ![${l.stmt}[${u.index}]](${u.picture}) ${ratio(u.vis)}`);
    }
  }
  if (a.groups.some((g) => g.pictures?.vis)) {
    out.push("", "Visualisations: gradient ascent on the input through the Net to raise the group's loadings . activations (or one unit), " +
      "from the data's mean image, with random jitter and a blurred gradient each step and a pull back toward the mean (src/recover/feature-vis.ts). " +
      "The ratio is the objective the picture reaches over the largest any input of the data reaches.");
  }
  if (a.visNote) out.push("", a.visNote);
  if (a.skipped.length) {
    out.push("", "Left out:", "");
    for (const k of a.skipped) out.push(`- \`${k.fn}/${k.stmt}\`: ${k.reason}`);
  }
  return out;
}
