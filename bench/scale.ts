// `npm run bench:scale`: explain on the ONNX project's "light" ImageNet models (../shared/corpus/onnx-backend-extra/
// light: real architectures with constant weights, 1.2M to 144M parameters), each in its own process
// (bench/scale-child.ts) so its peak memory is its own. Per model: explain's wall time and peak resident memory on
// `--samples` rows of the normal domain, its CPU time (load-independent on a shared machine; the fits use it), the
// ONNX ops left opaque, and onnxruntime's time on the same rows (the reference in the same run: explain /
// onnxruntime is the ratio). Then how explain's time grows with parameters x samples: extra runs of a few models at
// other sample counts, and least-squares fits of CPU time = a + b * params * samples and of the power law
// CPU time = c * (params * samples)^k (a line in log-log) over every run.
// Writes bench/results/scale.json after every run. Options: --models a,b (names without light_), --samples N (default 4),
// --points 2,16 (the extra sample counts; "" for none), --scaling-models squeezenet,shufflenet.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const LIGHT = path.join(here, "..", "..", "shared", "corpus", "onnx-backend-extra", "light");

interface Run {
  model: string;
  samples: number;
  explainMs?: number;
  /** explain's CPU time (user + system, every thread of the child). */
  explainCpuMs?: number;
  ortMs?: number;
  /** Why onnxruntime gave no reference time (it cannot load the file): no ratio then. */
  ortError?: string;
  /** explainMs / ortMs: explain's cost in units of one onnxruntime pass over the same rows. */
  ratio?: number;
  peakRssMiB?: number;
  params?: number;
  statements?: number;
  opaque?: number;
  /** The ONNX op types inside the opaque statements (ConstantOfShape must not be among them: weights are folded). */
  opaqueOps?: string[];
  relErr?: number;
  passMs?: Record<string, number>;
  error?: string;
}

function option(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? "" : dflt;
}

/** One child process: explain MODEL on `samples` rows. */
function measure(model: string, samples: number): Run {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), "pseudonet-scale-")), "explained");
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(here, "scale-child.ts"), path.join(LIGHT, `light_${model}`, "model.onnx"), String(samples), out],
    { encoding: "utf8", maxBuffer: 1 << 24 });
  rmSync(path.dirname(out), { recursive: true, force: true });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) return { model, samples, error: (r.stderr.trim().split("\n").pop() ?? `exit ${r.status}`).slice(0, 300) };
  const m = JSON.parse(line) as Omit<Run, "model" | "samples">;
  return { model, samples, ...m, ratio: m.explainMs && m.ortMs ? Math.round((m.explainMs / Math.max(m.ortMs, 1)) * 10) / 10 : undefined };
}

/** Least squares of ms = a + b * x; returns a, b and R^2. */
function fit(points: [number, number][]): { a: number; b: number; r2: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n, my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (const [x, y] of points) { sxy += (x - mx) * (y - my); sxx += (x - mx) ** 2; syy += (y - my) ** 2; }
  const b = sxy / sxx, a = my - b * mx;
  return { a, b, r2: (sxy * sxy) / (sxx * syy) };
}

function main(): void {
  if (!existsSync(LIGHT)) {
    console.error(`bench:scale needs ${LIGHT} (the shared corpus)`);
    process.exit(2);
  }
  // Smallest first, so a run cut short still has the small models.
  const BY_SIZE = ["squeezenet", "shufflenet", "inception_v1", "densenet121", "inception_v2", "resnet50", "bvlc_alexnet", "zfnet512", "vgg19"];
  const all = readdirSync(LIGHT).filter((d) => d.startsWith("light_")).map((d) => d.slice("light_".length))
    .sort((a, b) => (BY_SIZE.indexOf(a) + 1 || 99) - (BY_SIZE.indexOf(b) + 1 || 99));
  const models = option("models", all.join(",")).split(",").filter(Boolean);
  const samples = Number(option("samples", "4"));
  const points = option("points", "2,16").split(",").filter(Boolean).map(Number);
  const scalingModels = option("scaling-models", "squeezenet,shufflenet").split(",").filter((m) => models.includes(m));
  const runs: Run[] = [];
  const save = () => write(runs, samples);
  for (const m of models) {
    const r = measure(m, samples);
    runs.push(r);
    save();
    console.log(r.error ? `${m}: ${r.error}` : `${m}: ${(r.params! / 1e6).toFixed(1)}M params, ${samples} samples: explain ${(r.explainMs! / 1000).toFixed(1)} s wall, ${(r.explainCpuMs! / 1000).toFixed(1)} s CPU (${r.ratio ? `${r.ratio}x onnxruntime` : "onnxruntime cannot load it"}), peak ${r.peakRssMiB} MiB, ${r.statements} statements (${r.opaque} opaque: ${r.opaqueOps?.join(", ") || "none"}), relErr ${r.relErr?.toExponential(1)}`);
    // The extra sample counts right after the model's own run (small models first, so the fit exists early).
    for (const s of scalingModels.includes(m) ? points : []) {
      const r = measure(m, s);
      runs.push(r);
      save();
      console.log(r.error ? `${m} x${s}: ${r.error}` : `${m}, ${s} samples: explain ${(r.explainMs! / 1000).toFixed(1)} s wall, ${(r.explainCpuMs! / 1000).toFixed(1)} s CPU, peak ${r.peakRssMiB} MiB`);
    }
  }
}

/** Write bench/results/scale.json (after every run, atomically, so a long run cut short keeps what it measured). */
function write(runs: Run[], samples: number): void {
  if (!runs.length) return;
  const ok = runs.filter((r) => r.explainCpuMs !== undefined);
  const f = ok.length > 2 ? fit(ok.map((r) => [r.params! * r.samples, r.explainCpuMs!])) : undefined;
  // power law: log t = log c + k log x
  const p = ok.length > 2 ? fit(ok.map((r) => [Math.log(r.params! * r.samples), Math.log(r.explainCpuMs!)])) : undefined;
  if (f && p) {
    console.log(`explain CPU time ~ ${(f.a / 1000).toFixed(1)} s + ${(f.b * 1e9 / 1000).toFixed(2)} s per 10^9 parameter-samples (R^2 ${f.r2.toFixed(2)}, ${ok.length} runs)`);
    console.log(`explain CPU time ~ ${Math.exp(p.a).toExponential(2)} ms x (parameters x samples)^${p.b.toFixed(2)} (R^2 in log-log ${p.r2.toFixed(2)})`);
  }
  mkdirSync(path.join(here, "results"), { recursive: true });
  const file = path.join(here, "results", "scale.json");
  writeFileSync(`${file}.tmp`, `${JSON.stringify({
    date: new Date().toISOString(), machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10) },
    command: `npm run bench:scale -- ${process.argv.slice(2).join(" ")}`.trim(), samples, runs,
    fit: f && { of: "explain CPU ms = interceptMs + msPerGigaParamSample * params * samples / 1e9", interceptMs: Math.round(f.a), msPerGigaParamSample: Math.round(f.b * 1e9), r2: Math.round(f.r2 * 1000) / 1000, runs: ok.length },
    powerLaw: p && { of: "explain CPU ms = c * (params * samples)^k", c: Number(Math.exp(p.a).toPrecision(3)), k: Math.round(p.b * 1000) / 1000, r2LogLog: Math.round(p.r2 * 1000) / 1000, runs: ok.length },
  }, null, 2)}\n`);
  renameSync(`${file}.tmp`, file); // atomic: write, then rename
}

main();
