// `npm run zoo:score`: write the zoo, explain every case with today's `pseudonet explain --exact`, score every
// explanation against its truth, print the table and write bench/results/zoo.json.
//   node --import tsx zoo/bench.ts [--keep DIR] [--only NAME] [--seed N] [--obfuscate all|none|a,b] [--budgeted [--tolerance E|reference]] [--results FILE]
// (--budgeted: also run the budgeted steps, as plain `pseudonet explain`: simplify's budgeted passes and dropping
// named values' residuals, within --tolerance E, absolute, as explain's flag; `reference`: each compiled case gets
// the budget its reference program meets on the obfuscated net (zoo/budget.ts), trained cases explain's default)
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { loadData } from "../src/data/load.ts";
import { readModel } from "../src/onnx/read.ts";
import { runExplain } from "../src/pipeline/explain.ts";
import { writeOutputDir } from "../src/pipeline/output-dir.ts";
import { ORDER, parseObfuscations } from "./obfuscate.ts";
import { scoreAll } from "./score.ts";
import { formatScores, summarize } from "./score-table.ts";
import { readTruth } from "./truth.ts";
import { writeZoo } from "./zoo.ts";
import { referenceTolerance } from "./budget.ts";
import { findCase } from "./cases/index.ts";
import { generateCase } from "./generate.ts";

/** How each case was explained, for the results file (no timings: the file stays the same run to run). */
interface ExplainRun {
  case: string;
  input: string;
  /** The absolute --tolerance of a budgeted run (absent: explain's default, or --exact). */
  tolerance?: number;
  error?: string;
}

/** Explain one zoo case folder into `out`: with its domain flag when it has one, else with its data file. */
async function explainCase(caseDir: string, out: string, exact = true, tolerance?: number): Promise<Omit<ExplainRun, "case">> {
  const truth = readTruth(join(caseDir, "truth.json"));
  const file = join(caseDir, "model.onnx");
  const model = readModel(file);
  const useDomain = truth.family === "compiled" && truth.domainFlag;
  const input = useDomain ? `--domain ${truth.domainFlag}` : `--data ${truth.data}`;
  try {
    const data = useDomain || !truth.data ? undefined : [loadData(join(caseDir, truth.data), model.graph.inputs[0]).tensor];
    if (!useDomain && !data) return { input, error: "no domain flag and no data file" };
    // Exact by default: the score's fidelity column measures faithfulness; budgeted passes (which may trade up
    // to --tolerance of error for size) are measured by bench/simplify.ts, or here with --budgeted.
    const state = await runExplain({ model, source: file, outDir: out, exact, ...(tolerance !== undefined ? { tolerance } : {}), ...(data ? { data, dataLabel: truth.data! } : { domain: truth.domainFlag! }) });
    writeOutputDir(out, state.files!);
    return { input };
  } catch (e) {
    return { input, error: (e as Error).message.replace(/\s+/g, " ") };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      keep: { type: "string" }, only: { type: "string" }, budgeted: { type: "boolean", default: false }, tolerance: { type: "string" }, seed: { type: "string", default: "1" }, obfuscate: { type: "string", default: "all" },
      results: { type: "string", default: "bench/results/zoo.json" },
    },
  });
  const root = values.keep ?? mkdtempSync(join(tmpdir(), "pseudonet-zoo-"));
  const zooDir = join(root, "zoo");
  const explainedDir = join(root, "explained");
  const obfuscations = parseObfuscations(values.obfuscate!);
  const entries = writeZoo(zooDir, { seed: Number(values.seed), only: values.only, obfuscations });
  const runs: ExplainRun[] = [];
  const seed = Number(values.seed);
  if (values.tolerance !== undefined && values.tolerance !== "reference" && !(Number(values.tolerance) > 0)) throw new Error(`--tolerance must be a positive number or 'reference', got '${values.tolerance}'`);
  for (const e of entries) {
    const t0 = performance.now();
    const out = join(explainedDir, e.name);
    mkdirSync(out, { recursive: true });
    const def = e.family === "compiled" ? findCase(e.name) : undefined;
    const tolerance = values.tolerance === "reference" ? (def ? referenceTolerance(generateCase(def, seed, obfuscations), seed) : undefined)
      : values.tolerance !== undefined ? Number(values.tolerance) : undefined;
    const r = await explainCase(e.dir, out, !values.budgeted, tolerance);
    runs.push({ case: e.name, ...r, ...(values.budgeted && tolerance !== undefined ? { tolerance } : {}) });
    process.stderr.write(`explained ${e.name} (${r.input}) in ${Math.round(performance.now() - t0)} ms${r.error ? `: FAILED ${r.error}` : ""}\n`);
  }
  const scores = scoreAll(zooDir, explainedDir, entries.map((e) => e.name));
  process.stdout.write(formatScores(scores));
  const doc = { date: new Date().toISOString().slice(0, 10), seed: Number(values.seed), obfuscations, summary: summarize(scores), explain: runs, cases: scores };
  mkdirSync(dirname(values.results!), { recursive: true });
  writeFileSync(values.results!, JSON.stringify(doc, null, 1) + "\n");
  process.stdout.write(`wrote ${values.results}${values.keep ? `; zoo and explanations kept in ${root}` : ""}\n`);
  if (!values.keep) rmSync(root, { recursive: true, force: true });
}

await main();
