// The scorer's outputs: a plain-text table for people and a JSON summary for bench/results/zoo.json.
import { table } from "../src/cli/table.ts";
import type { CaseScore } from "./score.ts";

const num = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined ? "-" : Number.isFinite(v) ? (v + 0).toFixed(digits).replace(/^-(0\.0+)$/, "$1") : String(v));
const sci = (v: number | null | undefined): string => (v === null || v === undefined ? "-" : v === 0 ? "0" : v.toExponential(1));

/** One row per case: primitives, modules, conv, repeats, fidelity and size. */
export function formatScores(scores: readonly CaseScore[]): string {
  const head = ["case", "family", "prims", "extra", "ARI", "cover", "conv", "repeat", "maxErr", "size/ref", "size/dump", "note"];
  const rows = scores.map((s) => {
    if (s.error) return [s.case, s.family, "-", "-", "-", "-", "-", "-", "-", "-", "-", s.error];
    const p = s.primitives!;
    const conv = s.conv ? (s.conv.found ? `${num(s.conv.kernelMaxErr)}${s.conv.strideOk ? "" : " stride!"}${s.conv.paddingOk ? "" : " pad!"}` : "missed") : "-";
    const rep = s.repeats ? `${s.repeats.bestCalls}/${s.repeats.times}` : "-";
    return [
      s.case, s.family,
      p.recall === null ? "-" : `${p.matched.length}/${p.required.length}`,
      p.extra.length ? p.extra.join(",") : "-",
      num(s.modules?.ari), num(s.modules?.coverage),
      conv, rep, sci(s.fidelity?.maxAbsErr),
      num(s.size!.vsReference), num(s.size!.vsDump), noteOf(s),
    ];
  });
  return table([head, ...rows], new Set([4, 5, 8, 9, 10])).join("\n") + "\n" + summaryLine(scores) + "\n";
}

/** The note column: a recurrent case's machine (states found/truth, held-out agreement), a transformer's heads. */
function noteOf(s: CaseScore): string {
  const parts: string[] = [];
  const m = s.machine;
  if (m) parts.push(m.states === null ? `fsm missed (truth ${m.truthStates} states)` : `fsm ${m.states}/${m.truthStates} states, ${(100 * (m.heldOutAgreement ?? 0)).toFixed(1)}%${m.implemented ? "" : " (cell kept)"}${m.recovered ? "" : " MISSED"}`);
  const h = s.heads;
  if (h) parts.push(`heads ${h.matched}/${h.truth.length}${h.ok ? "" : ` (found ${h.found.join(",") || "none"})`}`);
  return parts.join("; ");
}

/** Averages over the cases where each measure applies. */
export interface ScoreSummary {
  cases: number;
  scored: number;
  primitiveRecall: number | null;
  ari: number | null;
  convFound: number | null;
  repeatsOk: number | null;
  medianSizeVsReference: number | null;
  medianSizeVsDump: number | null;
  /** Recurrent cases whose state machine was recovered, of those with one in the truth. */
  machinesRecovered: number | null;
  machineCases: number;
  /** Transformer cases whose head kinds all match the truth, of those with heads in the truth. */
  headsOk: number | null;
  headCases: number;
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Summary of a set of case scores. */
export function summarize(scores: readonly CaseScore[]): ScoreSummary {
  const ok = scores.filter((s) => !s.error);
  const vals = <T>(f: (s: CaseScore) => T | null | undefined) => ok.map(f).filter((v): v is T => v !== null && v !== undefined);
  return {
    cases: scores.length,
    scored: ok.length,
    primitiveRecall: mean(vals((s) => s.primitives?.recall)),
    ari: mean(vals((s) => s.modules?.ari)),
    convFound: mean(vals((s) => (s.conv ? (s.conv.found && (s.conv.kernelMaxErr ?? Infinity) < 0.05 ? 1 : 0) : null))),
    repeatsOk: mean(vals((s) => (s.repeats ? (s.repeats.ok ? 1 : 0) : null))),
    medianSizeVsReference: median(vals((s) => s.size?.vsReference)),
    medianSizeVsDump: median(vals((s) => s.size?.vsDump)),
    machinesRecovered: ok.some((s) => s.machine) ? ok.filter((s) => s.machine?.recovered).length : null,
    machineCases: ok.filter((s) => s.machine).length,
    headsOk: ok.some((s) => s.heads) ? ok.filter((s) => s.heads?.ok).length : null,
    headCases: ok.filter((s) => s.heads).length,
  };
}

function summaryLine(scores: readonly CaseScore[]): string {
  const s = summarize(scores);
  return `${s.scored}/${s.cases} explained; mean primitive recall ${num(s.primitiveRecall)}, mean ARI ${num(s.ari)}, convs found ${num(s.convFound)}, repeats found ${num(s.repeatsOk)}, median size vs reference ${num(s.medianSizeVsReference)}, vs weight dump ${num(s.medianSizeVsDump)}${s.machineCases ? `; state machines recovered ${s.machinesRecovered}/${s.machineCases}` : ""}${s.headCases ? `, head kinds right ${s.headsOk}/${s.headCases}` : ""}`;
}
