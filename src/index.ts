// pseudonet's library API: `import { explain, load, verify } from "pseudonet"`, plus the pipeline, its passes
// and IRs for those who want to run a prefix, add a pass or print an IR.
import type { Model } from "./graph/graph.ts";
import type { Tensor } from "./graph/tensor.ts";
import type { PassReport } from "./pipeline/pass.ts";
import { runExplain, type ExplainFiles, type ExplainInput, type ExplainState, type RunExplainOptions } from "./pipeline/explain.ts";
import { writeOutputDir } from "./pipeline/output-dir.ts";
import { readProgramDir } from "./program/load.ts";
import { runProgram } from "./program/run.ts";
import { printProgram } from "./program/printer.ts";
import { expand } from "./program/expand.ts";
import type { Program } from "./program/program.ts";
import type { Fidelity } from "./verify/metrics.ts";
import { verifyDir, type VerifyOptions, type VerifyReport } from "./verify/verify.ts";
import { readModel } from "./onnx/read.ts";
import { UserError } from "./errors.ts";

export interface ExplainOptions extends Omit<ExplainInput, "model"> {
  /** Write the files into this folder (atomically; a previous pseudonet output there is replaced). */
  out?: string;
  /** Pipeline options: stop early, extra passes, progress callback. */
  pipeline?: RunExplainOptions;
}

export interface Explanation {
  program: Program;
  fidelity?: Fidelity;
  /** program.txt, program.json, program.ts, program.py, reconstructed.onnx, report.md. */
  files: ExplainFiles;
  reports: PassReport[];
  /** The whole pipeline state: every IR (graph, net, stats, program). */
  state: ExplainState;
}

/** Explain a model (file or Model): run the pipeline, return the Program and files, and write them when `out` is set. */
export async function explain(model: string | Model, opts: ExplainOptions = {}): Promise<Explanation> {
  const { out, pipeline, ...input } = opts;
  const state = await runExplain({ ...input, model, ...(out ? { outDir: out } : {}) }, pipeline);
  if (!state.program || !state.files) throw new UserError("the pipeline stopped before emit; use runExplain to run a prefix");
  if (out) writeOutputDir(out, state.files);
  return { program: state.program, ...(state.fidelity ? { fidelity: state.fidelity } : {}), files: state.files, reports: state.reports, state };
}

export interface LoadedProgram {
  program: Program;
  /** Run on batch-first inputs (one per model input, in order); outputs in the model's layout. */
  run(...inputs: Tensor[]): Tensor[];
  /** program.txt. */
  text(): string;
  /** One statement opened up, e.g. show("main/h1"). */
  show(path: string): string;
}

/** Load an explanation (its folder or program.json) as a runnable, printable program. */
export function load(dirOrFile: string): LoadedProgram {
  const program = readProgramDir(dirOrFile);
  return {
    program,
    run: (...inputs) => runProgram(program, inputs),
    text: () => printProgram(program),
    show: (path) => expand(program, path),
  };
}

/** Check an explanation folder's artifacts against the original model (file or Model) on batch-first inputs. */
export async function verify(dir: string, model: string | Model, data: readonly Tensor[], opts: VerifyOptions = {}): Promise<VerifyReport> {
  return verifyDir(dir, typeof model === "string" ? readModel(model) : model, data, opts);
}

export { runExplain, explainPasses, need } from "./pipeline/explain.ts";
export type { ExplainInput, ExplainState, ExplainPass, ExplainFiles, RunExplainOptions } from "./pipeline/explain.ts";
export { readPass, normalizePass, lowerPass, probePass, buildPass, verifyPass, emitPass } from "./pipeline/explain-passes.ts";
export { printIR, type IRName } from "./pipeline/print-ir.ts";
export { parseDomain, sampleDomain, splitData, type Domain } from "./pipeline/domain.ts";
export { writeOutputDir, checkOutputDir, OUTPUT_FILES } from "./pipeline/output-dir.ts";
export type { Pass, PassReport, PassResult } from "./pipeline/pass.ts";
export * from "./program/program.ts";
export { buildProgram, type BuildOptions, type BuildReport } from "./program/build.ts";
export { runProgram } from "./program/run.ts";
export { printProgram, primText, stmtCode, typeText } from "./program/printer.ts";
export { expand, locate } from "./program/expand.ts";
export { programToJson, programFromJson, parseProgram, stringifyProgram, FORMAT, VERSION } from "./program/json.ts";
export { emitTs } from "./program/emit-ts.ts";
export { emitPy } from "./program/emit-py.ts";
export { emitOnnx, reconstructModel } from "./program/emit-onnx.ts";
export { programToNet } from "./program/to-net.ts";
export { readProgramDir } from "./program/load.ts";
export { recognisers } from "./recover/registry.ts";
export type { Recogniser, Recognised, RecogniseCtx } from "./recover/registry.ts";
export { compareAll, compareOutput, maxAbsErr, meanAbsErr, relErr, top1Agreement, type Fidelity, type OutputFidelity } from "./verify/metrics.ts";
export { verifyDir, ARTIFACTS, DEFAULT_TOLERANCE, type VerifyReport, type VerifyRow, type VerifyOptions, type Artifact } from "./verify/verify.ts";
export { readModel } from "./onnx/read.ts";
export type { Model, Graph } from "./graph/graph.ts";
export type { Tensor } from "./graph/tensor.ts";
export type { Net } from "./net/net.ts";
export { UserError } from "./errors.ts";
export * from "./train/index.ts";
export { refine, refineNet, netOf, parseObjectives, OBJECTIVES, DEFAULT_OBJECTIVES, REFINE_DEFAULTS, reportJson as refineReportJson, reportMarkdown as refineReportMarkdown } from "./refine/index.ts";
export type { RefineOptions, RefineResult, EpochRow, NetFigures, RefineHooks, Objective } from "./refine/index.ts";
