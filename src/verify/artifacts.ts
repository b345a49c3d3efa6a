// Running the emitted program.ts (node with type stripping, or node + tsx) and program.py (python3 + numpy) in a child process, on batches
// passed as raw little-endian float64 files (exact for float32 values and for integers up to 2^53, such as token
// ids), so verify can compare them with the original model. Several programs can share one child process
// (runEmittedBatch): starting node + tsx or python + numpy costs more than running a small program.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { DType, NumericArray, Tensor } from "../graph/tensor.ts";
import { castTo } from "../program/run.ts";

import { packageRoot } from "../util/assets.ts";

/** How node runs TypeScript here: its own type stripping (Node >= 22.6), or tsx from our package or the user's. */
export interface TsRunner {
  /** node arguments before the script. */
  args: string[];
  cwd: string;
  /** "node" or "node + tsx", for verify's table. */
  label: string;
}

/** The TypeScript runner for program.ts, or why there is none (tsx is a dev dependency: an installed pseudonet lacks it). */
export function findTsRunner(): TsRunner | { reason: string } {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 6)) return { args: ["--experimental-strip-types", "--no-warnings"], cwd: process.cwd(), label: "node" };
  for (const dir of [packageRoot(), process.cwd()]) {
    try {
      createRequire(path.join(dir, "package.json")).resolve("tsx");
      return { args: ["--import", "tsx"], cwd: dir, label: "node + tsx" };
    } catch {
      // not installed there
    }
  }
  return { reason: `program.ts needs Node >= 22.6 (built-in type stripping) or tsx (npm install --save-dev tsx); this is Node ${process.versions.node}` };
}

/** Why an artifact could not be run here (missing python3/numpy, ...): reported as "skipped", not as a failure. */
export class SkipArtifact extends Error {}

/** One emitted program to run on inputs; its outputs come back converted to outDtypes. */
export interface EmittedJob {
  file: string;
  inputs: readonly Tensor[];
  outDtypes: readonly DType[];
}

/** Each job's outputs, or the error it raised (one line, from the program's own message). */
export type EmittedResult = { outputs: Tensor[] } | { error: string };

function writeJob(dir: string, job: EmittedJob): void {
  mkdirSync(dir);
  job.inputs.forEach((t, i) => {
    const f = Float64Array.from(t.data as NumericArray);
    writeFileSync(path.join(dir, `in_${i}.bin`), Buffer.from(f.buffer, f.byteOffset, f.byteLength));
  });
}

function readJob(dir: string, dtypes: readonly DType[]): EmittedResult {
  if (existsSync(path.join(dir, "error.txt"))) return { error: readFileSync(path.join(dir, "error.txt"), "utf8").trim() };
  if (!existsSync(path.join(dir, "out.json"))) return { error: "the program wrote no outputs" };
  const shapes = JSON.parse(readFileSync(path.join(dir, "out.json"), "utf8")) as number[][];
  return {
    outputs: shapes.map((shape, i) => {
      const b = readFileSync(path.join(dir, `out_${i}.bin`));
      const data = new Float64Array(new Uint8Array(b).buffer);
      return castTo({ dtype: "float64", shape, data }, dtypes[i] ?? "float32");
    }),
  };
}

function check(r: ReturnType<typeof spawnSync>, what: string): void {
  if (r.error) throw new Error(`${what} could not start: ${r.error.message}`);
  if (r.status !== 0) {
    // The error line itself ("Error: ..." from node, "ValueError: ..." from python), not the stack around it.
    const lines = String(r.stderr ?? "").trim().split("\n").filter(Boolean);
    const errs = lines.filter((l) => /^[A-Za-z_.]*(Error|Exception)\b/.test(l));
    throw new Error(`${what} failed: ${errs.length ? errs[errs.length - 1] : lines.slice(-3).join(" | ") || `exit code ${r.status}`}`);
  }
}

// Both runners read jobs.json: [{ file, dir, inputs: [shape...], outputs: n }], and write each job's out_i.bin and
// out.json, or error.txt with the program's error message.
const TS_RUNNER = `import { readFileSync, writeFileSync } from "node:fs";
const jobs = JSON.parse(readFileSync(process.argv[2], "utf8"));
for (const job of jobs) {
  try {
    const m: any = await import(job.file);
    const xs = job.inputs.map((shape: number[], i: number) => ({ data: new Float64Array(new Uint8Array(readFileSync(job.dir + "/in_" + i + ".bin")).buffer), shape }));
    const r: any = m.run(...xs);
    const outs: any[] = job.outputs === 1 ? [r] : r;
    outs.forEach((o, i) => writeFileSync(job.dir + "/out_" + i + ".bin", Buffer.from(Float64Array.from(o.data).buffer)));
    writeFileSync(job.dir + "/out.json", JSON.stringify(outs.map((o) => o.shape)));
  } catch (e: any) {
    writeFileSync(job.dir + "/error.txt", String(e?.message ?? e));
  }
}
`;

const PY_RUNNER = `import importlib.util, json, sys
import numpy as np
for k, job in enumerate(json.load(open(sys.argv[1]))):
    d = job["dir"]
    try:
        spec = importlib.util.spec_from_file_location("program_%d" % k, job["file"])
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        xs = [np.fromfile(d + "/in_%d.bin" % i, dtype="<f8").reshape(s) for i, s in enumerate(job["inputs"])]
        r = m.run(*xs)
        outs = r if isinstance(r, tuple) else (r,)
        for i, o in enumerate(outs):
            np.ascontiguousarray(o, dtype="<f8").tofile(d + "/out_%d.bin" % i)
        json.dump([list(np.shape(o)) for o in outs], open(d + "/out.json", "w"))
    except Exception as e:
        open(d + "/error.txt", "w").write("%s: %s" % (type(e).__name__, e))
`;

let pythonCache: { python?: string; reason?: string } | undefined;

/** A python3 with numpy (Debian's /usr/bin/python3 first), or why there is none. */
export function findPython(): { python?: string; reason?: string } {
  if (pythonCache) return pythonCache;
  const candidates = [...new Set(["/usr/bin/python3", "python3"])].filter((c) => !c.startsWith("/") || existsSync(c));
  for (const py of candidates) {
    const r = spawnSync(py, ["-c", "import numpy"], { encoding: "utf8" });
    if (!r.error && r.status === 0) return (pythonCache = { python: py });
  }
  return (pythonCache = { reason: candidates.length ? "python3 has no numpy (install python3-numpy)" : "no python3 found" });
}

/** Run emitted programs (all program.ts or all program.py) in one child process; one result per job, in order.
 *  Throws SkipArtifact when python3 with numpy is missing, and Error when the child process itself fails. */
export function runEmittedBatch(lang: "ts" | "py", jobs: readonly EmittedJob[]): EmittedResult[] {
  if (jobs.length === 0) return [];
  let python: string | undefined;
  let ts: TsRunner | undefined;
  if (lang === "ts") {
    const found = findTsRunner();
    if ("reason" in found) throw new SkipArtifact(found.reason);
    ts = found;
  }
  if (lang === "py") {
    const found = findPython();
    if (!found.python) throw new SkipArtifact(found.reason);
    python = found.python;
  }
  const root = mkdtempSync(path.join(tmpdir(), "pseudonet-verify-"));
  try {
    const list = jobs.map((job, k) => {
      const dir = path.join(root, `job_${k}`);
      writeJob(dir, job);
      const file = lang === "ts" ? pathToFileURL(path.resolve(job.file)).href : path.resolve(job.file);
      return { file, dir, inputs: job.inputs.map((t) => t.shape), outputs: job.outDtypes.length };
    });
    writeFileSync(path.join(root, "jobs.json"), JSON.stringify(list));
    const runner = path.join(root, lang === "ts" ? "runner.mts" : "runner.py");
    writeFileSync(runner, lang === "ts" ? TS_RUNNER : PY_RUNNER);
    const r = lang === "ts"
      ? spawnSync(process.execPath, [...ts!.args, runner, path.join(root, "jobs.json")], { cwd: ts!.cwd, encoding: "utf8", maxBuffer: 1 << 26 })
      : spawnSync(python!, [runner, path.join(root, "jobs.json")], { encoding: "utf8", maxBuffer: 1 << 26 });
    check(r, lang === "ts" ? "node (program.ts runner)" : "python3 (program.py runner)");
    return jobs.map((job, k) => readJob(list[k].dir, job.outDtypes));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Run one emitted program on batch-first inputs; its error, if any, is thrown naming the file. */
export function runEmitted(lang: "ts" | "py", file: string, inputs: readonly Tensor[], outDtypes: readonly DType[]): Tensor[] {
  const [r] = runEmittedBatch(lang, [{ file, inputs, outDtypes }]);
  if ("error" in r) throw new Error(`${lang === "ts" ? "node" : "python3"} ${path.basename(file)} failed: ${r.error}`);
  return r.outputs;
}

/** Run an emitted program.ts on batch-first inputs; outputs converted to the given dtypes. */
export function runEmittedTs(file: string, inputs: readonly Tensor[], outDtypes: readonly DType[]): Tensor[] {
  return runEmitted("ts", file, inputs, outDtypes);
}

/** Run an emitted program.py on batch-first inputs; throws SkipArtifact when python3 with numpy is missing. */
export function runEmittedPy(file: string, inputs: readonly Tensor[], outDtypes: readonly DType[]): Tensor[] {
  return runEmitted("py", file, inputs, outDtypes);
}
