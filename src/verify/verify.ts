// verify: how faithful each artifact of an explanation folder is to the original model (run by onnxruntime)
// on given data: program.json through pseudonet's interpreter, reconstructed.onnx through onnxruntime, and
// the emitted program.ts / program.py in child processes.
import { existsSync } from "node:fs";
import path from "node:path";
import type { Model } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { readModel } from "../onnx/read.ts";
import { readProgramDir } from "../program/load.ts";
import { unrunnableParts } from "../program/emit-plan.ts";
import { runProgram } from "../program/run.ts";
import type { Program } from "../program/program.ts";
import { UserError } from "../errors.ts";
import { compareAll, positionAgreement, type Fidelity } from "./metrics.ts";
import { chunkSize, inChunks, ortOutputs } from "./reference.ts";
import { findTsRunner, runEmittedPy, runEmittedTs, SkipArtifact } from "./artifacts.ts";

export const ARTIFACTS = ["program.json", "reconstructed.onnx", "program.ts", "program.py"] as const;
export type Artifact = (typeof ARTIFACTS)[number];

export interface VerifyRow {
  artifact: Artifact;
  /** What ran it. */
  engine: string;
  status: "ok" | "exceeded" | "skipped" | "failed";
  fidelity?: Fidelity;
  /** Why skipped or failed. */
  note?: string;
}

export interface VerifyReport {
  dir: string;
  samples: number;
  /** Largest relErr accepted. */
  tolerance: number;
  /** With it, a classifier's artifact also passes when its top-1 agreement reaches it (budgeted programs). */
  minAgreement?: number;
  rows: VerifyRow[];
  /** Every artifact that ran is within tolerance (skipped ones do not count against). */
  passed: boolean;
}

export interface VerifyOptions {
  /** Largest relErr (maxAbsErr / max|y|) accepted; default 1e-5. */
  tolerance?: number;
  /** Also accept an artifact whose top-1 agreement is at least this (classifiers only): budgeted programs and
   *  state machines reproduce decisions, not scores at rounding level. */
  minAgreement?: number;
  /** Which artifacts to check; default all four. */
  artifacts?: readonly Artifact[];
  /** Label of the data in the fidelity records (default "given data"). */
  dataLabel?: string;
}

export const DEFAULT_TOLERANCE = 1e-5;

const ENGINES: Record<Artifact, string> = {
  "program.json": "pseudonet interpreter",
  "reconstructed.onnx": "onnxruntime",
  "program.ts": "node + tsx",
  "program.py": "python3 + numpy",
};

/** Check inputs against the program's inputs: count and per-sample shapes. */
function checkInputs(p: Program, inputs: readonly Tensor[]): void {
  if (inputs.length !== p.inputs.length) throw new UserError(`the model takes ${p.inputs.length} input(s) (${p.inputs.map((i) => i.name).join(", ")}), ${inputs.length} given`);
  inputs.forEach((t, i) => {
    const want = p.inputs[i].shape;
    const ok = t.shape.length === want.length + 1 && want.every((d, k) => d === -1 || t.shape[k + 1] === d);
    if (!ok) throw new UserError(`data for input '${p.inputs[i].name}' has shape [${t.shape.join(", ")}], expected [batch, ${want.join(", ")}]`);
  });
}

/** Compare every artifact of an explanation folder with the original model on the given inputs. */
export async function verifyDir(dir: string, original: Model, inputs: readonly Tensor[], opts: VerifyOptions = {}): Promise<VerifyReport> {
  const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
  const program = readProgramDir(dir);
  checkInputs(program, inputs);
  const names = program.outputs.map((o) => o.name);
  const graphOuts = original.graph.outputs.map((o) => o.name);
  if (names.join("\u0000") !== graphOuts.join("\u0000")) {
    throw new UserError(`the program's outputs (${names.join(", ")}) are not the model's (${graphOuts.join(", ")}): was ${dir} explained from this model?`);
  }
  const expected = await ortOutputs(original, inputs);
  const dtypes = program.outputs.map((o) => o.dtype);
  const label = opts.dataLabel ?? "given data";
  const runners: Record<Artifact, () => Promise<Tensor[]> | Tensor[]> = {
    "program.json": () => inChunks(inputs, chunkSize(original, inputs[0]?.shape[0] ?? 0), (part) => runProgram(program, part)),
    "reconstructed.onnx": () => ortOutputs(readModel(path.join(dir, "reconstructed.onnx")), inputs),
    "program.ts": () => {
      const gaps = unrunnableParts(program, "ts");
      if (gaps.length) throw new SkipArtifact(`program.ts cannot run ${gaps.join("; ")}`);
      return runEmittedTs(path.join(dir, "program.ts"), inputs, dtypes);
    },
    "program.py": () => {
      const gaps = unrunnableParts(program, "py");
      if (gaps.length) throw new SkipArtifact(`program.py cannot run ${gaps.join("; ")}`);
      return runEmittedPy(path.join(dir, "program.py"), inputs, dtypes);
    },
  };
  const rows: VerifyRow[] = [];
  for (const artifact of opts.artifacts ?? ARTIFACTS) {
    const ts = artifact === "program.ts" ? findTsRunner() : undefined;
    const row: VerifyRow = { artifact, engine: ts && "label" in ts ? ts.label : ENGINES[artifact], status: "ok" };
    if (artifact !== "program.json" && !existsSync(path.join(dir, artifact))) {
      rows.push({ ...row, status: "failed", note: `${artifact} is missing from ${dir}` });
      continue;
    }
    try {
      const got = await runners[artifact]();
      row.fidelity = compareAll(names, expected, got, label);
      // A decision per position (a sequence tagger's steps) is what --min-agreement judges there too.
      if (opts.minAgreement !== undefined && row.fidelity.top1Agreement === undefined) {
        const perPosition = positionAgreement(expected, got);
        if (perPosition !== undefined) row.fidelity = { ...row.fidelity, top1Agreement: perPosition };
      }
      const agreed = opts.minAgreement !== undefined && row.fidelity.top1Agreement !== undefined && row.fidelity.top1Agreement >= opts.minAgreement;
      if (!(row.fidelity.relErr <= tolerance) && !agreed) row.status = "exceeded";
    } catch (e) {
      row.status = e instanceof SkipArtifact ? "skipped" : "failed";
      row.note = e instanceof Error ? e.message : String(e);
    }
    rows.push(row);
  }
  return { dir, samples: inputs[0]?.shape[0] ?? 0, tolerance, ...(opts.minAgreement !== undefined ? { minAgreement: opts.minAgreement } : {}), rows, passed: rows.every((r) => r.status === "ok" || r.status === "skipped") };
}
