// report.md: fidelity, data, what each pass did and cost, how the Net's layers became statements, opaque parts.
import { droppedText } from "../program/drop-residual.ts";
import { budgetLines } from "./ledger.ts";
import { featuresMarkdown } from "./features-report.ts";
import os from "node:os";
import path from "node:path";
import type { PassReport } from "./pass.ts";
import type { ExplainState } from "./explain.ts";
import { allPrimStmts, weightCounts, weightCountText, type RefinedInfo } from "../program/program.ts";
import { stmtCode } from "../program/printer.ts";
import { pct, sci, type Fidelity } from "../verify/metrics.ts";
import { simplifyRows } from "./simplify-report.ts";

const esc = (s: string) => s.replace(/\|/g, "\\|");

/** timings.json: how long each pass took. It is the one output file that changes from run to run, so it is kept
 *  apart from report.md: the same model, data, options and seed give byte-identical files otherwise. */
export function timingsJson(reports: readonly PassReport[], simplify: readonly PassReport[] = []): string {
  // The emit pass writes this before its own time is known; it is left out. Simplify's sub-passes follow it
  // (named simplify/<pass>; their time is part of simplify's, so the total counts them once).
  // cpuMs: the process's CPU time in the pass (every thread), which the machine's load does not inflate.
  const round = (v: number) => Math.round(v * 10) / 10;
  const row = (r: PassReport, pass = r.pass) => ({ pass, ms: round(r.ms!), ...(r.cpuMs !== undefined ? { cpuMs: round(r.cpuMs) } : {}) });
  const top = reports.filter((r) => r.ms !== undefined).map((r) => row(r));
  const total = round(top.reduce((a, p) => a + p.ms, 0));
  const cpu = round(top.reduce((a, p) => a + (p.cpuMs ?? 0), 0));
  const passes = top.flatMap((p) => (p.pass === "simplify" ? [p, ...simplify.filter((r) => r.ms !== undefined).map((r) => row(r, `simplify/${r.pass}`))] : [p]));
  return `{\n "passes": [\n${passes.map((p) => `  ${JSON.stringify(p)}`).join(",\n")}\n ],\n "totalMs": ${total},\n "totalCpuMs": ${cpu},\n "loadAverage": ${JSON.stringify(os.loadavg().map((v) => round(v)))}\n}\n`;
}

/** The report.md text for a pipeline state and the reports of the passes run so far. */
export function reportMarkdown(s: ExplainState, reports: readonly PassReport[]): string {
  const p = s.program;
  const out: string[] = [`# pseudonet report: ${p?.name ?? s.source}`, ""];
  out.push(`Model: \`${path.basename(s.source)}\``);
  if (p) {
    const stmts = allPrimStmts(p);
    out.push(`Program: ${stmts.length} statement${stmts.length === 1 ? "" : "s"} in ${p.functions.length} function(s), ${weightCountText(weightCounts(p))} (see program.txt).`);
  }
  out.push("", "## Fidelity", "");
  const f = p?.fidelity;
  if (f) {
    out.push(`Program (pseudonet's interpreter) vs the ${p?.refined ? "refined network it describes" : "original model"} (onnxruntime) on ${f.samples} ${f.data} samples.`, "");
    out.push("| output | maxAbsErr | meanAbsErr | relErr | top-1 agreement |", "|---|---|---|---|---|");
    for (const o of f.outputs) out.push(`| ${esc(o.name)} | ${sci(o.maxAbsErr)} | ${sci(o.meanAbsErr)} | ${sci(o.relErr)} | ${o.top1Agreement === undefined ? "-" : pct(o.top1Agreement)} |`);
    if (f.certifiedMaxErr !== undefined) out.push("", `Over the whole box domain: max |simplified Net - original Net| <= ${sci(f.certifiedMaxErr)}, certified (${f.certifiedMethod ?? "bound propagation"}).`);
    if (p?.droppedResiduals?.length) {
      out.push("", "Residuals dropped within --tolerance (the fidelity above includes their cost; a certificate over the box covers simplify's changes, not these, which are measured):", "");
      for (const d of p.droppedResiduals) out.push(`- ${esc(droppedText(d))}`);
    }
    if (p?.budget) out.push("", "### Budget", "", ...budgetLines(p.budget).map(esc));
    out.push("", "relErr = maxAbsErr / max|original output|. `pseudonet verify DIR model.onnx --data x.npy` also checks reconstructed.onnx, program.ts and program.py.");
    if (p?.refined) out.push("", ...refinedFidelity(p.refined, f));
  } else out.push("Not measured (the verify pass did not run).");
  if (s.data) out.push("", "## Data", "", s.data.note);
  out.push("", "## Passes", "", "How long each took is in timings.json (kept out of this report, so that it is identical from run to run).", "");
  out.push("| pass | what it did |", "|---|---|");
  for (const r of reports) {
    out.push(`| ${r.pass} | ${esc(r.summary)} |`);
    if (r.pass === "simplify" && s.simplify) out.push(...simplifyRows(s.simplify.reports, esc));
  }
  for (const r of reports) {
    if (!r.details.length) continue;
    out.push("", `### ${r.pass}`, "");
    for (const d of r.details.slice(0, 200)) out.push(`- ${d}`);
    if (r.details.length > 200) out.push(`- ... ${r.details.length - 200} more`);
  }
  if (p) {
    out.push("", "## Statements", "", "| statement | Net layers | recogniser | local error |", "|---|---|---|---|");
    const byOut = new Map((s.build?.statements ?? []).map((st) => [st.out, st]));
    for (const { stmt } of allPrimStmts(p)) {
      const b = byOut.get(stmt.out.name);
      const layers = stmt.prim.slice.layers.map((l) => l.id).join(", ");
      out.push(`| \`${esc(stmtCode(stmt))}\` | ${esc(layers)} | ${b?.recogniser ?? stmt.prim.kind} | ${sci(stmt.prim.error)} |`);
    }
    out.push("", "## Opaque parts", "");
    const opaque = allPrimStmts(p).filter(({ stmt }) => stmt.prim.kind === "opaque");
    if (!opaque.length) out.push("None: every layer became a readable statement.");
    for (const { stmt } of opaque) {
      if (stmt.prim.kind !== "opaque") continue;
      const q = stmt.prim.params;
      out.push(`- \`${stmt.prim.label ?? stmt.prim.id}\` (${q.graph.nodes.length} ONNX nodes: ${q.ops.join(", ")}): ${q.reason || "no recogniser matched"}`);
    }
    out.push(...featuresMarkdown(p.features));
  }
  return out.join("\n") + "\n";
}

/** explain --refine: the program against the refined network it describes and against the original, side by side. */
function refinedFidelity(r: RefinedInfo, f: Fidelity): string[] {
  const rows = ["| output | vs the refined network: maxAbsErr | top-1 | vs the original (cost of refining): maxAbsErr | top-1 |", "|---|---|---|---|---|"];
  for (const o of f.outputs) {
    const v = r.vsOriginal.outputs.find((x) => x.name === o.name);
    const t = (a?: number) => (a === undefined ? "-" : pct(a));
    rows.push(`| ${esc(o.name)} | ${sci(o.maxAbsErr)} | ${t(o.top1Agreement)} | ${v ? sci(v.maxAbsErr) : "-"} | ${t(v?.top1Agreement)} |`);
  }
  return [
    `The model was refined first (\`pseudonet refine\`, ${r.objectives.join(", ")}: ${r.weightsAfter.toLocaleString("en-US")} of ${r.weightsBefore.toLocaleString("en-US")} weights; refine.md has every epoch), and the program describes the refined network. Fidelity on the same held-out rows:`,
    "", ...rows,
  ];
}
