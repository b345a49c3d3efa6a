// A fuzzing campaign: seeded mutants of small real models (the example MLP, torch fixtures, small corpus models),
// of their data (.npy, .npz, .json, .csv, .pb) and of their explanations' program.json, each fed to one CLI command
// (inspect, run, explain, verify, show) in worker processes that run many cases in-process (tests/fuzz/worker.ts).
// A case passes when the command exits 0, 2 (a one-line error) or 3 (verify's "exceeds"), prints no stack trace or
// "internal error", stays within the CPU-time limit (wall time only as a far backstop: the machine may be busy), and
// does not grow the worker's peak memory past the limit.
// Used by tests/fuzz/fuzz.test.ts (a few hundred cases in CI) and bench/fuzz.ts (`npm run fuzz -- --n 5000`).
import { spawn } from "node:child_process";
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Tensor } from "../../src/graph/tensor.ts";
import { readModel, readTensorFile } from "../../src/onnx/read.ts";
import { decodeNpy, encodeNpy } from "../../src/data/npy.ts";
import { encodeNpz } from "../../src/data/npz.ts";
import { tensorToNested } from "../../src/data/json.ts";
import { runExplain } from "../../src/pipeline/explain.ts";
import { writeOutputDir } from "../../src/pipeline/output-dir.ts";
import { rng } from "../../src/util/rng.ts";
import { BYTE_MUTATORS, NPY_MUTATORS, PROGRAM_MUTATORS, PROTO_MUTATORS, TEXT_MUTATORS, type Mutator } from "./mutate.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, "..", "..");

/** One seed: a model, its data in every format, and its explanation. */
interface Base {
  name: string;
  dir: string;
}

/** One case as the worker runs it. */
export interface FuzzJob {
  id: number;
  /** What was mutated, how, and which command ran (for the report). */
  base: string;
  target: string;
  mutator: string;
  command: string;
  argv: string[];
}

/** A case's outcome. */
export interface FuzzResult {
  id: number;
  code?: number;
  ms?: number;
  /** CPU time (user + system) the worker spent on the case. */
  cpuMs?: number;
  /** Peak resident memory of the worker after the case, and its growth during it (MiB). */
  peakMiB?: number;
  grewMiB?: number;
  verdict: "ok" | "crash" | "hang" | "overalloc";
  why?: string;
}

export interface CampaignOptions {
  n: number;
  seed: number;
  /** Per-case limit (ms) before the case counts as a hang. */
  timeoutMs: number;
  /** Growth of a worker's peak memory during one case that counts as over-allocation (MiB). */
  memLimitMiB: number;
  workers: number;
  /** Progress lines (optional). */
  log?: (line: string) => void;
  /** A JSON-lines file of results: each case's result is appended as it comes, and cases already in it are not
   *  run again (a long campaign stopped part-way resumes where it was; the mutants are regenerated from the seed). */
  resultsLog?: string;
}

/** The seed models: small ones only (every case runs a whole command on one). */
function seedModels(): { name: string; model: string; input?: string }[] {
  const out: { name: string; model: string; input?: string }[] = [
    { name: "mlp_example", model: path.join(repo, "examples/mlp/model.onnx") },
  ];
  const fx = path.join(repo, "tests/fixtures");
  for (const d of ["torch-everyday/mlp_wiring_opset13", "torch-everyday/gru_batch_first_opset17", "torch-everyday/embedding_opset13",
    "torch-everyday/pools_opset13", "torch/cnn_bn_pool_opset13"]) {
    out.push({ name: path.basename(d), model: path.join(fx, d, "model.onnx"), input: path.join(fx, d, "test_data_set_0/input_0.pb") });
  }
  const corpus = path.join(repo, "..", "shared", "corpus", "models");
  if (existsSync(corpus)) {
    const small = readdirSync(corpus).sort().filter((d) => {
      const f = path.join(corpus, d, "model.onnx");
      return existsSync(f) && statSync(f).size < 64 * 1024 && existsSync(path.join(corpus, d, "test_data_set_0/input_0.pb"));
    });
    for (const d of small.slice(0, 4)) out.push({ name: d, model: path.join(corpus, d, "model.onnx"), input: path.join(corpus, d, "test_data_set_0/input_0.pb") });
  }
  return out;
}

/** Write each seed's files into `work`: model.onnx, x.npy/.npz/.json/.csv/.pb and an explanation (expl/). */
async function prepareBases(work: string, log?: (s: string) => void): Promise<Base[]> {
  const bases: Base[] = [];
  for (const s of seedModels()) {
    const dir = path.join(work, "base", s.name);
    mkdirSync(dir, { recursive: true });
    copyFileSync(s.model, path.join(dir, "model.onnx"));
    const model = readModel(s.model);
    if (model.graph.inputs.length !== 1) continue;
    let x: Tensor;
    if (s.input) x = readTensorFile(s.input).tensor;
    else x = readNpyFile(path.join(path.dirname(s.model), "x.npy"));
    const name = model.graph.inputs[0].name;
    writeFileSync(path.join(dir, "x.npy"), encodeNpy(x));
    writeFileSync(path.join(dir, "x.npz"), encodeNpz(new Map([[name, x]])));
    writeFileSync(path.join(dir, "x.json"), JSON.stringify(tensorToNested(x)));
    if (x.shape.length === 2) writeFileSync(path.join(dir, "x.csv"), rowsCsv(x));
    if (s.input) copyFileSync(s.input, path.join(dir, "x.pb"));
    try {
      const state = await runExplain({ model, data: [x], source: s.name, outDir: path.join(dir, "expl") });
      writeOutputDir(path.join(dir, "expl"), state.files!);
    } catch (e) {
      log?.(`seed ${s.name} not explained (${e instanceof Error ? e.message : String(e)}): no verify/show cases for it`);
    }
    bases.push({ name: s.name, dir });
  }
  return bases;
}

function readNpyFile(file: string): Tensor {
  return decodeNpy(readFileSync(file));
}

function rowsCsv(x: Tensor): string {
  const [n, m] = x.shape;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(Array.from({ length: m }, (_, j) => String(x.data[i * m + j])).join(","));
  return `${lines.join("\n")}\n`;
}

/** The mutant targets, by kind: which file of a base, its mutators, and the commands that read it. */
const TARGETS: { target: string; file: string; mutators: Mutator[]; commands: string[] }[] = [
  { target: "model", file: "model.onnx", mutators: [...BYTE_MUTATORS, ...PROTO_MUTATORS, ...PROTO_MUTATORS], commands: ["inspect", "inspect", "run", "run", "explain", "verify"] },
  { target: "npy", file: "x.npy", mutators: [...BYTE_MUTATORS, ...NPY_MUTATORS, ...NPY_MUTATORS], commands: ["run", "run", "explain", "verify"] },
  { target: "npz", file: "x.npz", mutators: BYTE_MUTATORS, commands: ["run", "run", "explain"] },
  { target: "json", file: "x.json", mutators: [...BYTE_MUTATORS, ...TEXT_MUTATORS], commands: ["run", "run", "explain"] },
  { target: "csv", file: "x.csv", mutators: [...BYTE_MUTATORS, ...TEXT_MUTATORS], commands: ["run", "run", "explain"] },
  { target: "pb", file: "x.pb", mutators: [...BYTE_MUTATORS, ...PROTO_MUTATORS], commands: ["run", "run", "explain"] },
  { target: "program", file: "expl/program.json", mutators: [...PROGRAM_MUTATORS, ...PROGRAM_MUTATORS, ...BYTE_MUTATORS], commands: ["show", "show-path", "verify"] },
];

/** Generate n seeded mutants into `work` and the command line of each. */
function makeJobs(work: string, bases: Base[], n: number, seed: number): FuzzJob[] {
  const r = rng(seed);
  const jobs: FuzzJob[] = [];
  for (let id = 0; id < n; id++) {
    const base = bases[Math.floor(r() * bases.length)];
    const avail = TARGETS.filter((t) => existsSync(path.join(base.dir, t.file)));
    const t = avail[Math.floor(r() * avail.length)];
    const m = t.mutators[Math.floor(r() * t.mutators.length)];
    let command = t.commands[Math.floor(r() * t.commands.length)];
    if (command === "verify" && !existsSync(path.join(base.dir, "expl/program.json"))) command = "run";
    const caseDir = path.join(work, "cases", String(id));
    mkdirSync(caseDir, { recursive: true });
    const original = readFileSync(path.join(base.dir, t.file));
    const mutant = m.apply(new Uint8Array(original), r);
    const B = (f: string) => path.join(base.dir, f);
    const ext = path.extname(t.file);
    let file = path.join(caseDir, `mutant${ext}`);
    let expl = B("expl");
    if (t.target === "program") {
      expl = path.join(caseDir, "expl");
      cpSync(B("expl"), expl, { recursive: true });
      file = path.join(expl, "program.json");
    }
    writeFileSync(file, mutant);
    const model = t.target === "model" ? file : B("model.onnx");
    const data = t.target === "model" || t.target === "program" ? B("x.npy") : file;
    const out = path.join(caseDir, "out");
    const argv = {
      inspect: ["inspect", model],
      run: ["run", model, "--input", data, "--out", `${out}.npy`],
      explain: ["explain", model, "--data", data, "--out", out],
      verify: ["verify", expl, model, "--data", data],
      show: ["show", expl],
      "show-path": ["show", expl, "main/h1"],
    }[command]!;
    jobs.push({ id, base: base.name, target: t.target, mutator: m.name, command, argv });
  }
  return jobs;
}

/** CPU seconds a process has used (Linux /proc; undefined elsewhere or once it has exited). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}

/** Run jobs in one worker process from `start`; returns the results it gave (the last may be a hang or crash).
 *  A case hangs when the worker spends more than the limit of CPU time on it (load-independent: a busy machine
 *  stretches wall time, not CPU time), or ten times the limit of wall time (a case blocked on a child process). */
function runWorker(jobsFile: string, jobs: FuzzJob[], start: number, end: number, opts: CampaignOptions, onResult: (r: FuzzResult) => void): Promise<FuzzResult[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "worker.ts"), jobsFile, String(start), String(end), String(opts.memLimitMiB)],
      { stdio: ["ignore", "pipe", "pipe"] });
    const results: FuzzResult[] = [];
    let buf = "", stderr = "";
    let ready = false, caseCpu0 = 0, caseWall0 = performance.now();
    const kill = (why: string) => {
      const id = start + results.length;
      if (id < end) {
        results.push({ id: jobs[id].id, verdict: "hang", why });
        onResult(results[results.length - 1]);
      }
      child.kill("SIGKILL");
    };
    const watch = setInterval(() => {
      const wall = performance.now() - caseWall0;
      if (!ready) {
        if (wall > 30 * opts.timeoutMs) kill(`the worker did not start in ${Math.round(wall / 1000)} s`);
        return;
      }
      const cpu = cpuSeconds(child.pid!);
      if (cpu !== undefined && (cpu - caseCpu0) * 1000 > opts.timeoutMs) kill(`over ${opts.timeoutMs / 1000} s of CPU time`);
      else if (wall > 10 * opts.timeoutMs) kill(`over ${(10 * opts.timeoutMs) / 1000} s of wall time`);
    }, 500);
    const nextCase = () => {
      ready = true;
      caseCpu0 = cpuSeconds(child.pid!) ?? 0;
      caseWall0 = performance.now();
    };
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === "ready") nextCase();
        else if (line.startsWith("{")) {
          results.push(JSON.parse(line) as FuzzResult);
          onResult(results[results.length - 1]);
          nextCase();
        }
      }
    });
    child.stderr.on("data", (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    child.on("exit", (code) => {
      clearInterval(watch);
      const id = start + results.length;
      // The worker died on a case without reporting it (out of memory, a native abort): that case crashed.
      if (code !== 0 && id < end && results.every((r) => r.verdict !== "hang")) {
        results.push({ id: jobs[id].id, verdict: "crash", why: `worker died (exit ${code}): ${stderr.trim().split("\n").slice(-3).join(" | ")}` });
        onResult(results[results.length - 1]);
      }
      resolve(results);
    });
  });
}

/** Results already in a campaign's log (a missing file or a torn last line counts as none / is skipped). */
function readLog(file: string | undefined): FuzzResult[] {
  if (!file || !existsSync(file)) return [];
  const out: FuzzResult[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    try {
      if (line.trim()) out.push(JSON.parse(line) as FuzzResult);
    } catch {
      // a line cut short by a kill mid-write: that case runs again
    }
  }
  return out;
}

/** Run a whole campaign (the cases not yet in opts.resultsLog); returns every case's job and result. */
export async function runCampaign(opts: CampaignOptions): Promise<{ jobs: FuzzJob[]; results: FuzzResult[]; work: string; resumed: number }> {
  const work = mkdtempSync(path.join(tmpdir(), "pseudonet-fuzz-"));
  const bases = await prepareBases(work, opts.log);
  const jobs = makeJobs(work, bases, opts.n, opts.seed);
  const results: FuzzResult[] = new Array(jobs.length);
  for (const r of readLog(opts.resultsLog)) if (r.id < jobs.length) results[r.id] = r;
  const resumed = results.filter(Boolean).length;
  const pending = jobs.filter((j) => !results[j.id]);
  // a kill mid-write leaves a torn last line: end it so the next result starts a line of its own
  if (opts.resultsLog && existsSync(opts.resultsLog) && !readFileSync(opts.resultsLog, "utf8").endsWith("\n") && statSync(opts.resultsLog).size) appendFileSync(opts.resultsLog, "\n");
  if (resumed) opts.log?.(`resuming: ${resumed} cases already in ${opts.resultsLog}, ${pending.length} to run`);
  const jobsFile = path.join(work, "jobs.json");
  writeFileSync(jobsFile, JSON.stringify(pending));
  const record = (r: FuzzResult) => {
    results[r.id] = r;
    if (opts.resultsLog) appendFileSync(opts.resultsLog, `${JSON.stringify(r)}\n`);
  };
  // Slices of the pending list, one worker each at a time; a worker that stops early (hang, crash, memory) is
  // replaced by a fresh one from the next case.
  const slice = Math.ceil(pending.length / opts.workers);
  await Promise.all(Array.from({ length: opts.workers }, async (_, w) => {
    let at = w * slice;
    const end = Math.min(pending.length, (w + 1) * slice);
    while (at < end) {
      const got = await runWorker(jobsFile, pending, at, end, opts, record); // each result logged as it comes
      at += Math.max(1, got.length);
      if (got.length === 0 && !results[pending[at - 1].id]) record({ id: pending[at - 1].id, verdict: "crash", why: "worker produced nothing" });
      opts.log?.(`worker ${w}: ${at - w * slice}/${end - w * slice}`);
    }
  }));
  return { jobs, results, work, resumed };
}
