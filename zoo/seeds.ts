// The compiled cases at other seeds and widths: runs zoo/each.ts (every case, each obfuscation alone and all at once)
// per seed, at the default budget and under --exact, at the zoo's widths and wider (more split copies and dead
// units), and writes one summary line per run to bench/results/zoo-seeds.json: cells with primitive recall 1.00,
// cells whose held-out error is within the run's budget (rounding level under --exact), the cells that are not,
// the hidden units of the generated nets, and cells within 1.5x of the reference's size.
//   node --import tsx zoo/seeds.ts [--seeds 1,2,3,4] [--wide-seeds 2,3,4] [--results FILE]
// (each run's full table is kept in tmp/zoo-seeds/; about 20 s of CPU per run)
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

/** One each.ts run, summarised. */
interface Run {
  seed: number;
  mode: "default budget" | "exact";
  /** The obfuscation levels when wider than the zoo's. */
  levels?: { splitFraction: number; deadFraction: number };
  cells: number;
  recallOne: number;
  withinBudget: number;
  /** Cells below recall 1.00 or over the budget: case/obfuscations. */
  failing: string[];
  /** Hidden units over all cases, with no obfuscation and with all of them. */
  hiddenUnits: { none: number; all: number };
  withinOneAndAHalf: number;
}

/** What each.ts writes, as far as read here. */
interface EachFile {
  cases: { case: string; cells: { obfuscations: string; recall: number; withinBudget?: boolean; hiddenUnits: number; sizeVsRef: number | null }[] }[];
}

/** The obfuscation levels of the wide runs (the zoo's: 0.3 of the hidden units split, 0.25 more dead units). */
const WIDE = { splitFraction: 0.7, deadFraction: 0.6 };

const { values } = parseArgs({ options: { seeds: { type: "string", default: "1,2,3,4" }, "wide-seeds": { type: "string", default: "2,3,4" }, results: { type: "string", default: "bench/results/zoo-seeds.json" } } });
const seeds = values.seeds!.split(",").map(Number), wide = values["wide-seeds"]!.split(",").filter(Boolean).map(Number);
const plan = [
  ...seeds.flatMap((seed) => [{ seed, exact: false, wide: false }, { seed, exact: true, wide: false }]),
  ...wide.flatMap((seed) => [{ seed, exact: false, wide: true }, ...(seed === wide[0] ? [{ seed, exact: true, wide: true }] : [])]),
];
const dir = "tmp/zoo-seeds";
mkdirSync(dir, { recursive: true });
const runs: Run[] = [];
for (const p of plan) {
  const file = join(dir, `each-s${p.seed}${p.exact ? "-exact" : ""}${p.wide ? "-wide" : ""}.json`);
  const args = ["--import", "tsx", "zoo/each.ts", "--seed", String(p.seed), "--results", file, ...(p.exact ? ["--exact"] : []),
    ...(p.wide ? ["--split-fraction", String(WIDE.splitFraction), "--dead-fraction", String(WIDE.deadFraction)] : [])];
  execFileSync(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
  const d = JSON.parse(readFileSync(file, "utf8")) as EachFile;
  const cells = d.cases.flatMap((r) => r.cells.map((c) => ({ ...c, case: r.case })));
  const run: Run = {
    seed: p.seed, mode: p.exact ? "exact" : "default budget", ...(p.wide ? { levels: WIDE } : {}), cells: cells.length,
    recallOne: cells.filter((c) => c.recall === 1).length, withinBudget: cells.filter((c) => c.withinBudget !== false).length,
    failing: cells.filter((c) => c.recall < 1 || c.withinBudget === false).map((c) => `${c.case}/${c.obfuscations}`),
    hiddenUnits: { none: sum(cells.filter((c) => c.obfuscations === "none").map((c) => c.hiddenUnits)), all: sum(cells.filter((c) => c.obfuscations === "all").map((c) => c.hiddenUnits)) },
    withinOneAndAHalf: cells.filter((c) => c.sizeVsRef !== null && c.sizeVsRef <= 1.5).length,
  };
  runs.push(run);
  process.stdout.write(`seed ${run.seed} ${run.mode}${p.wide ? " wide" : ""}: recall 1.00 in ${run.recallOne}/${run.cells}, within the budget ${run.withinBudget}/${run.cells}, hidden units ${run.hiddenUnits.none} -> ${run.hiddenUnits.all} (all)${run.failing.length ? `; not: ${run.failing.join(", ")}` : ""}\n`);
}
mkdirSync(dirname(values.results!), { recursive: true });
writeFileSync(values.results!, JSON.stringify({ runs }, null, 1) + "\n");
process.stdout.write(`wrote ${values.results}\n`);

function sum(a: number[]): number {
  return a.reduce((s, v) => s + v, 0);
}
