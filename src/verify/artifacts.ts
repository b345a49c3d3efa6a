// Running the emitted program.ts (node + tsx) and program.py (python3 + numpy) in a child process, on batches
// passed as raw little-endian float64 files (exact for float32 values and for integers up to 2^53, such as token
// ids), so verify can compare them with the original model.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { DType, NumericArray, Tensor } from "../graph/tensor.ts";
import { castTo } from "../program/run.ts";

/** The pseudonet package root, where tsx is installed. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Why an artifact could not be run here (missing python3/numpy, ...): reported as "skipped", not as a failure. */
export class SkipArtifact extends Error {}

function writeInputs(dir: string, inputs: readonly Tensor[]): void {
  inputs.forEach((t, i) => {
    const f = Float64Array.from(t.data as NumericArray);
    writeFileSync(path.join(dir, `in_${i}.bin`), Buffer.from(f.buffer, f.byteOffset, f.byteLength));
  });
  writeFileSync(path.join(dir, "meta.json"), JSON.stringify({ inputs: inputs.map((t) => t.shape) }));
}

function readOutputs(dir: string, dtypes: readonly DType[]): Tensor[] {
  const shapes = JSON.parse(readFileSync(path.join(dir, "out.json"), "utf8")) as number[][];
  return shapes.map((shape, i) => {
    const b = readFileSync(path.join(dir, `out_${i}.bin`));
    const data = new Float64Array(new Uint8Array(b).buffer);
    return castTo({ dtype: "float64", shape, data }, dtypes[i] ?? "float32");
  });
}

function inTemp<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), "pseudonet-verify-"));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

const TS_RUNNER = `import * as m from PROGRAM;
import { readFileSync, writeFileSync } from "node:fs";
const dir = process.argv[2];
const meta = JSON.parse(readFileSync(dir + "/meta.json", "utf8"));
const xs = meta.inputs.map((shape: number[], i: number) => ({ data: new Float64Array(new Uint8Array(readFileSync(dir + "/in_" + i + ".bin")).buffer), shape }));
const r: any = (m as any).run(...xs);
const outs: any[] = meta.outputs === 1 ? [r] : r;
outs.forEach((o, i) => writeFileSync(dir + "/out_" + i + ".bin", Buffer.from(Float64Array.from(o.data).buffer)));
writeFileSync(dir + "/out.json", JSON.stringify(outs.map((o) => o.shape)));
`;

/** Run an emitted program.ts on batch-first inputs; outputs converted to the given dtypes. */
export function runEmittedTs(file: string, inputs: readonly Tensor[], outDtypes: readonly DType[]): Tensor[] {
  return inTemp((dir) => {
    writeInputs(dir, inputs);
    const meta = JSON.parse(readFileSync(path.join(dir, "meta.json"), "utf8"));
    writeFileSync(path.join(dir, "meta.json"), JSON.stringify({ ...meta, outputs: outDtypes.length }));
    const runner = path.join(dir, "runner.mts");
    writeFileSync(runner, TS_RUNNER.replace("PROGRAM", JSON.stringify(pathToFileURL(path.resolve(file)).href)));
    const r = spawnSync(process.execPath, ["--import", "tsx", runner, dir], { cwd: PACKAGE_ROOT, encoding: "utf8", maxBuffer: 1 << 26 });
    check(r, `node ${path.basename(file)}`);
    return readOutputs(dir, outDtypes);
  });
}

const PY_RUNNER = `import importlib.util, json, sys
import numpy as np
spec = importlib.util.spec_from_file_location("program", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
d = sys.argv[2]
meta = json.load(open(d + "/meta.json"))
xs = [np.fromfile(d + "/in_%d.bin" % i, dtype="<f8").reshape(s) for i, s in enumerate(meta["inputs"])]
r = m.run(*xs)
outs = r if isinstance(r, tuple) else (r,)
for i, o in enumerate(outs):
    np.ascontiguousarray(o, dtype="<f8").tofile(d + "/out_%d.bin" % i)
json.dump([list(np.shape(o)) for o in outs], open(d + "/out.json", "w"))
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

/** Run an emitted program.py on batch-first inputs; throws SkipArtifact when python3 with numpy is missing. */
export function runEmittedPy(file: string, inputs: readonly Tensor[], outDtypes: readonly DType[]): Tensor[] {
  const { python, reason } = findPython();
  if (!python) throw new SkipArtifact(reason);
  return inTemp((dir) => {
    writeInputs(dir, inputs);
    const runner = path.join(dir, "runner.py");
    writeFileSync(runner, PY_RUNNER);
    const r = spawnSync(python, [runner, path.resolve(file), dir], { encoding: "utf8", maxBuffer: 1 << 26 });
    check(r, `python3 ${path.basename(file)}`);
    return readOutputs(dir, outDtypes);
  });
}
