// Each obfuscation alone: explain compiled zoo cases under no obfuscation, each obfuscation by itself and all
// at once (seed 1), and print primitive recall, the program's max error, module ARI and size vs the reference per cell; writes
// bench/results/zoo-each.json.
//   node --import tsx zoo/each.ts [CASE...] [--seed N] [--exact] [--tolerance E|reference] [--results FILE]
// (--tolerance: the absolute budget of the budgeted passes and of dropping residuals, as explain's flag; `reference`:
// per cell, the budget the reference program itself meets on that net (zoo/budget.ts), to compare sizes at equal fidelity)
//   [--split-fraction F] [--dead-fraction F]: wider nets than the zoo's (its levels: 0.3 of the hidden units split into
// 2-3 copies, 0.25 more dead units per layer), for recognisers at other widths (recorded in truth.json's obfuscations)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { f32 } from "../src/graph/tensor.ts";
import { runExplain } from "../src/pipeline/explain.ts";
import { allPrimStmts } from "../src/program/program.ts";
import { domainFlag } from "./case.ts";
import { CASES, findCase } from "./cases/index.ts";
import { generateCase } from "./generate.ts";
import { LEVELS, ORDER, type ObfuscationName } from "./obfuscate.ts";
import { programTokens, satisfied, scoreModules, signatures } from "./score.ts";
import { programFromJson } from "../src/program/json.ts";
import { referenceTolerance } from "./budget.ts";

interface Cell {
  obfuscations: string; recall: number; maxAbsErr: number;
  /** Module partition ARI (null: the truth has < 2 modules). */ ari: number | null;
  /** Program tokens (code of program.txt + non-zero weights) over the reference program's, as the scorer's size/ref (null: no reference). */
  sizeVsRef: number | null;
  /** The absolute --tolerance the cell ran with (undefined: explain's default, or --exact). */
  tolerance?: number;
  /** The run's budget as explain states it (program.json budget.tolerance, absolute) and whether the held-out max
   *  error is within it; under --exact, whether it is at rounding level (relErr <= 1e-5). */
  budget?: number; withinBudget?: boolean;
  /** Hidden units of the generated net (truth.json size): its width under these obfuscations at this seed. */
  hiddenUnits: number;
}

/** Recall and max error of one case under one set of obfuscations. */
async function cell(name: string, seed: number, obf: readonly ObfuscationName[], exact = false, tol?: number | "reference"): Promise<Cell> {
  const def = findCase(name)!;
  const g = generateCase(def, seed, obf);
  const tolerance = tol === "reference" ? referenceTolerance(g, seed) : tol;
  const flag = domainFlag(def.domain);
  const data = f32([g.points.length, ...def.inputShape], g.points.flat());
  const s = await runExplain({ model: g.model, name, ...(exact ? { exact: true } : {}), ...(tolerance !== undefined ? { tolerance } : {}), ...(flag ? { domain: flag } : { data: [data], dataLabel: "points" }) }, { until: "verify" });
  const counts = new Map<string, number>();
  for (const { stmt } of allPrimStmts(s.program!)) for (const sig of signatures(stmt.prim)) counts.set(sig, (counts.get(sig) ?? 0) + 1);
  const req = g.truth.primitives;
  const ref = g.truth.program ? programTokens(programFromJson(g.truth.program, "truth.program")) : 0;
  return {
    obfuscations: obf.length === ORDER.length ? "all" : obf.join(",") || "none", recall: req.filter((r) => satisfied(r, counts)).length / req.length, maxAbsErr: s.fidelity!.maxAbsErr,
    ari: scoreModules(g.truth, s.program!)?.ari ?? null, sizeVsRef: ref ? programTokens(s.program!) / ref : null,
    ...(tolerance !== undefined ? { tolerance } : {}),
    ...(s.program!.budget ? { budget: s.program!.budget.tolerance } : {}), hiddenUnits: g.truth.size.hiddenUnits,
    withinBudget: exact ? s.fidelity!.relErr <= 1e-5 : s.program!.budget ? s.fidelity!.maxAbsErr <= s.program!.budget.tolerance : true,
  };
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { exact: { type: "boolean", default: false }, tolerance: { type: "string" }, seed: { type: "string", default: "1" }, results: { type: "string", default: "bench/results/zoo-each.json" }, "split-fraction": { type: "string" }, "dead-fraction": { type: "string" } } });
for (const [flag, key] of [["split-fraction", "splitFraction"], ["dead-fraction", "deadFraction"]] as const) {
  const v = values[flag];
  if (v === undefined) continue;
  if (!(Number(v) >= 0 && Number(v) <= 1)) throw new Error(`--${flag} must be a fraction in [0, 1], got '${v}'`);
  LEVELS[key] = Number(v);
}
const names = positionals.length ? positionals : CASES.map((c) => c.name);
const seed = Number(values.seed);
const tolFlag = values.tolerance === undefined ? undefined : values.tolerance === "reference" ? "reference" as const : Number(values.tolerance);
if (typeof tolFlag === "number" && !(tolFlag > 0)) throw new Error(`--tolerance must be a positive number or 'reference', got '${values.tolerance}'`);
const sets: ObfuscationName[][] = [[], ...ORDER.map((o) => [o]), [...ORDER]];
const rows: { case: string; cells: Cell[] }[] = [];
for (const name of names) {
  if (!findCase(name)) throw new Error(`no compiled zoo case '${name}'`);
  const cells: Cell[] = [];
  for (const obf of sets) cells.push(await cell(name, seed, obf, values.exact, tolFlag));
  rows.push({ case: name, cells });
}
const head = ["none", ...ORDER, "all"];
process.stdout.write(`recall / max |program - model| per obfuscation (seed ${seed})\n${"case".padEnd(10)} ${head.map((h) => h.padEnd(13)).join(" ")}\n`);
for (const r of rows) process.stdout.write(`${r.case.padEnd(10)} ${r.cells.map((c) => `${c.recall.toFixed(2)} ${c.maxAbsErr.toExponential(1)}`.padEnd(13)).join(" ")}\n`);
if (rows.some((r) => r.cells.some((c) => c.ari !== null))) {
  process.stdout.write(`\nmodule partition ARI per obfuscation (seed ${seed})\n${"case".padEnd(10)} ${head.map((h) => h.padEnd(10)).join(" ")}\n`);
  for (const r of rows) if (r.cells.some((c) => c.ari !== null)) process.stdout.write(`${r.case.padEnd(10)} ${r.cells.map((c) => (c.ari === null ? "-" : c.ari.toFixed(2)).padEnd(10)).join(" ")}\n`);
}
process.stdout.write(`\nsize vs the reference program (code tokens of program.txt + non-zero weights; seed ${seed}${values.exact ? ", --exact" : ""}${values.tolerance !== undefined ? `, --tolerance ${values.tolerance}` : ""})\n${"case".padEnd(10)} ${head.map((h) => h.padEnd(10)).join(" ")}\n`);
for (const r of rows) process.stdout.write(`${r.case.padEnd(10)} ${r.cells.map((c) => (c.sizeVsRef === null ? "-" : c.sizeVsRef.toFixed(2)).padEnd(10)).join(" ")}\n`);
const sized = rows.flatMap((r) => r.cells).filter((c) => c.sizeVsRef !== null);
const within = { cells: sized.filter((c) => c.sizeVsRef! <= 1.5).length, of: sized.length };
const recallOne = rows.flatMap((r) => r.cells).filter((c) => c.recall === 1).length;
process.stdout.write(`\n${within.cells} of ${within.of} cells within 1.5x of the reference's size; recall 1.00 in ${recallOne} of ${rows.length * head.length}\n`);
const over = rows.flatMap((r) => r.cells.filter((c) => c.withinBudget === false).map((c) => `${r.case}/${c.obfuscations}`));
process.stdout.write(`fidelity within the budget${values.exact ? " (rounding level, relErr <= 1e-5)" : ""} in ${rows.length * head.length - over.length} of ${rows.length * head.length}${over.length ? ` (not: ${over.join(", ")})` : ""}\n`);
mkdirSync(dirname(values.results!), { recursive: true });
writeFileSync(values.results!, JSON.stringify({ seed, ...(values.exact ? { exact: true } : {}), ...(values.tolerance !== undefined ? { tolerance: values.tolerance } : {}), ...(values["split-fraction"] !== undefined || values["dead-fraction"] !== undefined ? { levels: { splitFraction: LEVELS.splitFraction, deadFraction: LEVELS.deadFraction } } : {}), obfuscations: head, withinOneAndAHalf: within, cases: rows }, null, 1) + "\n");
process.stdout.write(`wrote ${values.results}\n`);
