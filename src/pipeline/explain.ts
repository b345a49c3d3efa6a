// The explain pipeline as a list of named passes over one state object:
//   read -> normalize -> lower -> probe -> simplify -> carve -> build -> residuals -> heads -> features -> machines -> verify -> emit
// Each pass reads what earlier passes left in the state and adds its own IR, with a report. Any prefix can
// be run (runExplain(..., { until: "lower" })), a pass added (pass your own list), and any IR printed
// (printIR). The state is typed, so a pass that needs an IR says so clearly when it is missing.
import type { AgreementRule } from "../passes/agreement-bound.ts";
import type { Model } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import type { NetStats } from "../passes/stats.ts";
import { cpuMsSince, type PassReport, type PassResult } from "./pass.ts";
import type { BuildReport } from "../program/build.ts";
import type { Program } from "../program/program.ts";
import type { Fidelity } from "../verify/metrics.ts";
import type { Domain } from "./domain.ts";
import { UserError } from "../errors.ts";
import { headsPass } from "../seq/analysis/pass.ts";
import { machinesPass } from "../seq/fsm/pass.ts";
import { buildPass, emitPass, lowerPass, normalizePass, probePass, readPass, verifyPass } from "./explain-passes.ts";
import { simplifyPass } from "./simplify-pass.ts";
import { residualsPass } from "./residuals-pass.ts";
import type { SimplifyOutcome } from "./simplify-report.ts";
import type { WeightsFileMode } from "../program/sidecar.ts";
import { carvePass, type CarveOutcome } from "./carve-pass.ts";
import { modulesPass } from "./modules-pass.ts";
import { repeatsPass } from "./repeats-pass.ts";
import { featuresPass } from "./features-pass.ts";
import type { Ledger } from "./ledger.ts";

export interface ExplainInput {
  /** The .onnx file, or a Model already read. */
  model: string | Model;
  /** Data: one batch-first tensor per model input (in input order, or by input name). */
  data?: readonly Tensor[] | Readonly<Record<string, Tensor>>;
  /** Where the data came from, for reports (e.g. "x.npy"). */
  dataLabel?: string;
  /** Without data: the input domain to sample, parsed or as on the command line ("box:-1,1", "bits", "normal"). */
  domain?: Domain | string;
  /** Rows sampled from a domain (default 1000; bits with n <= 16 always gives all 2^n). */
  samples?: number;
  /** Seed of domain sampling and of the analysis / held-out split (default 0). */
  seed?: number;
  /** Fraction of rows held out for fidelity (default 0.2). */
  holdout?: number;
  /** Program name (default: the model file's base name). */
  name?: string;
  /** The model file's name when `model` is given as a Model (for headers and reports). */
  source?: string;
  /** The output folder, named in program.txt's `pseudonet show` hint. */
  outDir?: string;
  /** Largest max abs error the budgeted simplify passes may add on held-out data, absolute (default 1e-3 x the
   *  range of the outputs on the analysis rows). */
  tolerance?: number;
  /** For classifiers: smallest held-out top-1 agreement with the original the budgeted passes keep (default 0.999). */
  minAgreement?: number;
  /** For classifiers: how the budgeted passes judge agreement on the analysis rows (default "margin"; src/passes/agreement-bound.ts). */
  agreementRule?: AgreementRule;
  /** Run the exact simplify passes only. */
  exact?: boolean;
  /** false: no simplify passes (the Net as lowered is what build describes). Default true. */
  simplify?: boolean;
  /** Weights in weights.safetensors beside the programs: "auto" (default) above 1 MiB of tensors, "always", "never". */
  weightsFile?: WeightsFileMode;
  /** Feature groups per wide unnamed ReLU layer: a fixed number (a budget), 0 for none; default: the knee of
   *  the explained-variance curve (src/recover/feature-groups.ts). */
  featureGroups?: number;
}

/** Output files by name: text or bytes. */
export type ExplainFiles = Map<string, string | Uint8Array>;

export interface ExplainState {
  input: ExplainInput;
  /** The model's file name (or "model"), for headers and reports. */
  source: string;
  model?: Model;
  /** Analysis and held-out rows, one tensor per model input each. */
  /** oneSample: the inputs share no batch axis, so the data is one sample, never split or chunked by rows. */
  data?: { analysis: Tensor[]; heldOut: Tensor[]; note: string; heldOutLabel: string; bits: boolean; oneSample: boolean; analysisRows?: number[];
    /** The analysis rows are every point of the domain (bits, n <= 16): a max measured on them is the max over the domain. */
    whole?: boolean };
  normalized?: Model;
  net?: Net;
  /** The Net as lowered, before simplify (then `net` is the simplified Net). */
  lowered?: Net;
  /** What the simplify stage did, pass by pass. */
  simplify?: SimplifyOutcome;
  /** The one budget of the run and what each budgeted step spent of it (ledger.ts). */
  ledger?: Ledger;
  /** What carve changed (fit residuals dropped within the budget), measured and certified. */
  carve?: CarveOutcome;
  stats?: NetStats;
  /** The probe's statistics of `lowered` (kept when simplify re-probes its Net: the modules pass reads the lowered Net). */
  loweredStats?: NetStats;
  program?: Program;
  build?: BuildReport;
  fidelity?: Fidelity;
  files?: ExplainFiles;
  /** Files a pass before emit made (pictures under features/), written beside the others. */
  extraFiles?: ExplainFiles;
  reports: PassReport[];
}

/** A pass of the explain pipeline: like Pass, but may be async (onnxruntime runs are). */
export interface ExplainPass {
  name: string;
  doc: string;
  run(s: ExplainState): PassResult<ExplainState> | Promise<PassResult<ExplainState>>;
}

/** The passes of `pseudonet explain`, in order. */
export const explainPasses: readonly ExplainPass[] = [readPass, normalizePass, lowerPass, probePass, simplifyPass, carvePass, buildPass, residualsPass, modulesPass, repeatsPass, headsPass, featuresPass, machinesPass, verifyPass, emitPass];

export interface RunExplainOptions {
  /** Stop after the pass of this name (a prefix of the pipeline). */
  until?: string;
  /** The passes to run (default explainPasses): insert your own to extend the pipeline. */
  passes?: readonly ExplainPass[];
  /** Called as each pass starts and when it ends (with its report). */
  onPass?: (event: { pass: string; index: number; total: number; report?: PassReport }) => void;
}

/** Run the pipeline (or a prefix of it) from an input; returns the final state with every report. */
export async function runExplain(input: ExplainInput, opts: RunExplainOptions = {}): Promise<ExplainState> {
  const passes = opts.passes ?? explainPasses;
  if (opts.until !== undefined && !passes.some((p) => p.name === opts.until)) {
    throw new UserError(`no pass named '${opts.until}'; the passes are ${passes.map((p) => p.name).join(", ")}`);
  }
  const source = input.source ?? (typeof input.model === "string" ? input.model : "model");
  let state: ExplainState = { input, source, reports: [] };
  for (let i = 0; i < passes.length; i++) {
    const p = passes[i];
    opts.onPass?.({ pass: p.name, index: i, total: passes.length });
    const t0 = performance.now(), c0 = process.cpuUsage();
    const r = await p.run(state);
    r.report.ms = performance.now() - t0;
    r.report.cpuMs = cpuMsSince(c0);
    state = { ...r.out, reports: [...state.reports, r.report] };
    opts.onPass?.({ pass: p.name, index: i, total: passes.length, report: r.report });
    if (p.name === opts.until) break;
  }
  return state;
}

/** Fetch an IR a pass needs, or fail naming the pass that makes it. */
export function need<K extends keyof ExplainState>(s: ExplainState, key: K, pass: string, madeBy: string): NonNullable<ExplainState[K]> {
  const v = s[key];
  if (v === undefined || v === null) throw new UserError(`pass '${pass}' needs the ${String(key)}, which pass '${madeBy}' makes: run it first`);
  return v as NonNullable<ExplainState[K]>;
}
