// `npm run fuzz -- --n 5000 [--seed S] [--workers W] [--timeout MS] [--log FILE] [--fresh]`: a seeded fuzzing campaign (tests/fuzz/campaign.ts)
// over mutated models, data files and program.json fed to inspect, run, explain, verify and show. Writes
// bench/results/fuzz.json: counts by verdict, by target, command and mutator, exit codes, timings, and every
// failing case (its command, mutation and reason). Exit code 1 when any case crashed, hung or over-allocated.
// Resumable: each result is appended to a JSON-lines log (default tmp/fuzz-seedS-nN.jsonl) as it comes; a rerun with
// the same n and seed runs only the cases not in it (--fresh starts over). The mutants are regenerated from the seed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCampaign } from "../tests/fuzz/campaign.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};

const n = arg("n", 1000), seed = arg("seed", 1), workers = arg("workers", 2), timeoutMs = arg("timeout", 20_000);
const li = process.argv.indexOf("--log");
const resultsLog = li >= 0 ? path.resolve(process.argv[li + 1]) : path.join(here, "..", "tmp", `fuzz-seed${seed}-n${n}.jsonl`);
mkdirSync(path.dirname(resultsLog), { recursive: true });
if (process.argv.includes("--fresh") && existsSync(resultsLog)) rmSync(resultsLog);
let commit = process.env.PSEUDONET_COMMIT ?? "";
try {
  commit ||= execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: here, encoding: "utf8" }).trim();
} catch {
  // not a git checkout: the commit stays unknown
}
const t0 = performance.now();
const { jobs, results, resumed, work } = await runCampaign({ n, seed, timeoutMs, memLimitMiB: 1024, workers, resultsLog, log: (l) => process.stderr.write(`${l}\n`) });
const count = <K extends string | number>(keys: K[]) => Object.fromEntries([...keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<K, number>())].sort());
const verdicts = count(results.map((r) => r.verdict));
const failures = results.filter((r) => r.verdict !== "ok").map((r) => ({ ...jobs[r.id], argv: undefined, ...r }));
const ms = results.map((r) => r.ms ?? 0).sort((a, b) => a - b);
const summary = {
  date: new Date().toISOString(), command: `npm run fuzz -- ${process.argv.slice(2).join(" ")}`.trim(),
  commit, machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10) }, seed,
  mutants: jobs.length, hangLimit: `${timeoutMs / 1000} s of CPU time per case (wall ${(10 * timeoutMs) / 1000} s as a backstop)`,
  resumedCases: resumed, wallSecondsThisRun: Math.round((performance.now() - t0) / 1000),
  cpuSecondsInCases: Math.round(results.reduce((s, r) => s + (r.cpuMs ?? 0), 0) / 1000),
  crashes: verdicts.crash ?? 0, hangs: verdicts.hang ?? 0, overallocations: verdicts.overalloc ?? 0, verdicts,
  exitCodes: count(results.filter((r) => r.code !== undefined).map((r) => r.code!)),
  byTarget: count(jobs.map((j) => j.target)), byCommand: count(jobs.map((j) => j.command)), byMutator: count(jobs.map((j) => j.mutator)),
  caseMs: { median: ms[ms.length >> 1], p99: ms[Math.floor(ms.length * 0.99)], max: ms[ms.length - 1] },
  maxPeakGrowthMiB: Math.max(...results.map((r) => r.grewMiB ?? 0)),
  failures,
};
mkdirSync(path.join(here, "results"), { recursive: true });
const file = path.join(here, "results", "fuzz.json");
writeFileSync(`${file}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
renameSync(`${file}.tmp`, file);
rmSync(work, { recursive: true, force: true }); // the mutants (regenerated from the seed on a rerun)
console.log(`${jobs.length} mutants (${resumed} from the log) in ${summary.wallSecondsThisRun} s: ${summary.crashes} crashes, ${summary.hangs} hangs, ${summary.overallocations} over-allocations; wrote ${path.relative(process.cwd(), file)}`);
for (const f of failures.slice(0, 30)) console.log(`  #${f.id} ${f.verdict}: ${f.command} on ${f.target} of ${f.base} (${f.mutator}): ${f.why}`);
process.exitCode = failures.length ? 1 : 0;
