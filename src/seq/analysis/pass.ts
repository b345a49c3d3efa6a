// The heads pass of explain: after build, the attention heads and MLPs of a sequence model analysed on the analysis
// rows (heads.ts); the findings go to program.json ("heads") and, one line per attend, to program.txt as comments.
import type { ExplainPass } from "../../pipeline/explain.ts";
import { need } from "../../pipeline/explain.ts";
import type { PrimStmt } from "../../program/program.ts";
import { entryFn } from "../../program/program.ts";
import { analyseHeads } from "./heads.ts";
import type { HeadReport } from "./types.ts";

/** One attend statement's comment: each head's kind and score, circuit ranks and direct effect. */
function comment(hs: HeadReport[]): string {
  return hs.map((h) => {
    const score = h.kind === "previous-token" ? h.previous : h.kind === "first-token" ? h.first : h.kind === "self" ? h.self : h.entropy;
    const parts = [`head ${h.head}: ${h.kind} ${score.toFixed(2)}`];
    if (h.qk) parts.push(`QK rank ${h.qk.rank} s1 ${h.qk.singular[0].toPrecision(2)}`);
    if (h.ov) parts.push(`OV rank ${h.ov.rank} s1 ${h.ov.singular[0].toPrecision(2)}`);
    if (h.directLogit !== undefined && Number.isFinite(h.directLogit)) parts.push(`logits ${h.directLogit.toPrecision(2)}`);
    return parts.join(", ");
  }).join("; ");
}

export const headsPass: ExplainPass = {
  name: "heads",
  doc: "per attention head on the analysis rows: pattern type, QK/OV circuits as low-rank factors, direct effect on the logits",
  run(s) {
    const program = need(s, "program", "heads", "build");
    const data = need(s, "data", "heads", "read");
    let a;
    try {
      a = analyseHeads(program, data.analysis);
    } catch (e) {
      // The analysis is a reading aid: a failure is reported, never fatal to the explanation.
      return { out: s, report: { pass: "heads", summary: `head analysis failed: ${e instanceof Error ? e.message : String(e)}`, details: [] } };
    }
    if (!a) return { out: s, report: { pass: "heads", summary: "no attention heads", details: [] } };
    const f = entryFn(program);
    const byStmt = new Map<string, HeadReport[]>();
    for (const h of a.heads) byStmt.set(h.stmt, [...(byStmt.get(h.stmt) ?? []), h]);
    const body = f.body.map((st) => (st.kind === "prim" && byStmt.has(st.out.name) ? ({ ...st, comment: comment(byStmt.get(st.out.name)!) } as PrimStmt) : st));
    const out = { ...program, functions: program.functions.map((g) => (g === f ? { ...g, body } : g)), seqAnalysis: a };
    const kinds = new Map<string, number>();
    for (const h of a.heads) kinds.set(h.kind, (kinds.get(h.kind) ?? 0) + 1);
    return {
      out: { ...s, program: out },
      report: {
        pass: "heads",
        summary: `${a.heads.length} heads on ${a.rows} rows: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}`,
        details: [...a.notes, ...a.heads.map((h) => `${h.stmt} head ${h.head}: ${h.kind} (previous ${h.previous}, first ${h.first}, self ${h.self}, entropy ${h.entropy})`), ...a.mlps.map((m) => `${m.stmt} (MLP): direct effect on the logits ${m.directLogit}`)],
      },
    };
  },
};
