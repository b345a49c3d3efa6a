// Where `run` writes its results. One output: --out y.npy (or .json, .csv). Several outputs: --out results.npz (one
// archive, arrays keyed by output name) or --out results/ (a folder, one <name>.npy per output). No --out: stdout.
import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Tensor } from "../graph/tensor.ts";
import { encodeTensor, encodeTensors, SINGLE_FORMATS } from "../data/save.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { UserError } from "../errors.ts";

export type OutPlan =
  | { kind: "stdout" }
  | { kind: "file"; path: string }
  | { kind: "npz"; path: string }
  | { kind: "dir"; path: string };

/** Decide (and validate, before any work is done) how outputs named `names` will be written to `out`. */
export function planOutput(out: string | undefined, names: readonly string[]): OutPlan {
  if (out === undefined) return { kind: "stdout" };
  const isDir = existsSync(out) && statSync(out).isDirectory();
  const ext = path.extname(out).toLowerCase();
  if (isDir || /[/\\]$/.test(out) || ext === "") {
    requireFolder(path.dirname(path.resolve(out)), out);
    return { kind: "dir", path: out };
  }
  requireFolder(path.dirname(path.resolve(out)), out);
  if (ext === ".npz") return { kind: "npz", path: out };
  if (!SINGLE_FORMATS.includes(ext)) {
    throw new UserError(`--out ${out}: unknown format '${ext}'; use ${SINGLE_FORMATS.join(", ")} for one output, .npz or a folder for several`);
  }
  if (names.length !== 1) {
    throw new UserError(
      `the model has ${names.length} outputs (${names.map((n) => `'${n}'`).join(", ")}) and ${out} holds one array; ` +
        `use --out results.npz or --out results/ (a folder, one .npy per output)`,
    );
  }
  return { kind: "file", path: out };
}

function requireFolder(dir: string, out: string): void {
  if (!existsSync(dir)) throw new UserError(`--out ${out}: folder ${dir} does not exist; create it first`);
}

/** File names for outputs in a folder or archive: value names made safe (e.g. "dense/BiasAdd:0" -> "dense_BiasAdd_0"). */
export function safeNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    const base = n.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_") || "output";
    let name = base;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base}_${k}`;
    used.add(name.toLowerCase());
    return name;
  });
}

/** Write results as planned; everything is encoded before the first byte is written. Returns the paths written. */
export function writeOutputs(plan: Exclude<OutPlan, { kind: "stdout" }>, results: ReadonlyMap<string, Tensor>): string[] {
  const names = [...results.keys()];
  const files = safeNames(names);
  if (plan.kind === "file") {
    const bytes = encodeTensor(results.get(names[0])!, plan.path);
    writeFileAtomic(plan.path, bytes);
    return [plan.path];
  }
  if (plan.kind === "npz") {
    const bytes = encodeTensors(new Map(names.map((n, i) => [files[i], results.get(n)!])));
    writeFileAtomic(plan.path, bytes);
    return [plan.path];
  }
  const encoded = names.map((n, i) => ({ file: path.join(plan.path, `${files[i]}.npy`), bytes: encodeTensor(results.get(n)!, `${files[i]}.npy`) }));
  mkdirSync(plan.path, { recursive: true });
  for (const e of encoded) writeFileAtomic(e.file, e.bytes);
  return encoded.map((e) => e.file);
}
