// `pseudonet explain model.onnx (--data x.npy | --domain D) --out DIR`: run the explain pipeline and write
// program.txt, program.json, program.ts, program.py, reconstructed.onnx and report.md into DIR at once.
import { AGREEMENT_RULES, type AgreementRule } from "../passes/agreement-bound.ts";
import { Option, type Command } from "commander";
import { fraction, nonNegativeInt, nonNegativeNumber, positiveInt, unitFraction } from "./args.ts";
import path from "node:path";
import { UserError } from "../errors.ts";
import type { ExplainState } from "../pipeline/explain.ts";
import { checkOutputDir, writeOutputDir } from "../pipeline/output-dir.ts";
import { DOMAIN_HELP, parseDomain } from "../pipeline/domain.ts";
import { expand } from "../program/expand.ts";
import { allPrimStmts, programWeights } from "../program/program.ts";
import { fidelitySummary } from "../verify/metrics.ts";
import { DATA_FORMATS } from "../data/load.ts";
import { bindInputs, loadFeeds } from "./feeds.ts";
import { openModel } from "./model.ts";
import { count } from "./table.ts";
import { DEFAULT_SIDECAR_THRESHOLD, SIDECAR_FILE, WEIGHTS_FILE_MODES, type WeightsFileMode } from "../program/sidecar.ts";

export interface ExplainCliOptions {
  out: string;
  data?: string[];
  domain?: string;
  seed: number;
  holdout?: number;
  samples: number;
  expand?: string;
  tolerance?: number;
  minAgreement?: number;
  agreementRule?: AgreementRule;
  exact?: boolean;
  /** commander's --no-simplify sets this false. */
  simplify?: boolean;
  weightsFile: WeightsFileMode;
  /** --refine: refine the model first (refine-* options), then explain the refined copy. */
  refine?: boolean;
  refineObjective?: string;
  refineEpochs?: number;
  refineRounds?: number;
  featureGroups?: number;
}

const note = (s: string) => process.stderr.write(`pseudonet: note: ${s}\n`);

/** Progress on stderr: the running pass on a terminal, and a lasting line for every pass that took over a second. */
function progress(): (e: { pass: string; index: number; total: number; report?: { summary: string; ms?: number } }) => void {
  const tty = process.stderr.isTTY;
  return (e) => {
    if (!e.report) {
      if (tty) process.stderr.write(`\rpseudonet: [${e.index + 1}/${e.total}] ${e.pass}...\x1b[K`);
      return;
    }
    if (tty) process.stderr.write("\r\x1b[K");
    const ms = e.report.ms ?? 0;
    if (ms >= 1000) process.stderr.write(`pseudonet: ${e.pass} (${(ms / 1000).toFixed(1)} s): ${e.report.summary}\n`);
  };
}

/** The one-screen summary printed at the end. */
export function summary(s: ExplainState, model: string, out: string): string {
  const p = s.program!;
  const stmts = allPrimStmts(p);
  const kinds = new Map<string, number>();
  for (const { stmt } of stmts) kinds.set(stmt.prim.kind, (kinds.get(stmt.prim.kind) ?? 0) + 1);
  const weights = [...programWeights(p).values()].reduce((a, w) => a + w.data.length, 0);
  const opaque = stmts.filter(({ stmt }) => stmt.prim.kind === "opaque").map(({ stmt }) => `${stmt.prim.label} (${stmt.prim.kind === "opaque" ? stmt.prim.params.ops.join(", ") : ""})`);
  const f = p.fidelity;
  const ex = stmts.find(({ stmt }) => stmt.prim.kind !== "pick") ?? stmts[0];
  const first = ex ? `${ex.fn.name}/${ex.stmt.out.name}` : "main/y";
  return [
    `pseudonet: explained ${model} into ${out.replace(/[\\/]+$/, "")}${path.sep}`,
    `  program.txt         the pseudocode: ${stmts.length} statement${stmts.length === 1 ? "" : "s"} in ${p.functions.length} function(s) (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")})`,
    `  program.json        the Program IR, ${count(weights)} weights${s.files?.has(SIDECAR_FILE) ? ` (kept once in ${SIDECAR_FILE}, which .json, .ts and .py read)` : ""}`,
    "  program.ts, .py     the program as runnable TypeScript / Python+numpy: run(x) -> y",
    "  reconstructed.onnx  the network the program describes (for onnxruntime)",
    "  report.md           fidelity, what each pass did and cost, statements, opaque parts",
    ...(p.refined
      ? [`  fidelity vs the refined network${f ? ` ${fidelitySummary(f)}` : ": not measured"}`, `  fidelity vs original (cost of refining) ${fidelitySummary(p.refined.vsOriginal)}; refined.onnx, refine.md: ${p.refined.weightsAfter} of ${p.refined.weightsBefore} weights`]
      : [`  fidelity vs original${f ? ` ${fidelitySummary(f)}` : ": not measured"}`]),
    `  opaque parts: ${opaque.length ? `${opaque.slice(0, 3).join("; ")}${opaque.length > 3 ? `; and ${opaque.length - 3} more (see report.md)` : ""}` : "none"}`,
    `next: pseudonet show ${out} ${first}   |   pseudonet verify ${out} ${model} --data FILE`,
  ].join("\n") + "\n";
}

/** The explain command's work, given its parsed arguments. */
export async function explainCommand(file: string, opts: ExplainCliOptions): Promise<void> {
  if (opts.data?.length && opts.domain) throw new UserError("give either --data or --domain, not both");
  if (!opts.data?.length && !opts.domain) {
    throw new UserError(`explain needs inputs to analyse: give --data FILE (${DATA_FORMATS}) or --domain DOMAIN (${DOMAIN_HELP})`);
  }
  const domain = opts.domain ? parseDomain(opts.domain) : undefined;
  // The pipeline loads onnxruntime's native code: import it only when the command runs.
  const { runExplain } = await import("../pipeline/explain.ts");
  checkOutputDir(opts.out); // fail before the work, not after it
  const model = openModel(file);
  const feeds = opts.data?.length ? loadFeeds(model, bindInputs(model, opts.data, "--data"), note) : undefined;
  if (opts.refine && !feeds) throw new UserError("explain --refine needs --data (refine learns from data)");
  const refined = opts.refine && feeds ? await (await import("./explain-refine.ts")).refineFirst(model, feeds.map((f) => f.tensor), opts) : undefined;
  const state = await runExplain(
    {
      model: refined?.model ?? model, source: file, outDir: opts.out, seed: opts.seed, ...(opts.holdout !== undefined ? { holdout: opts.holdout } : {}), samples: opts.samples, weightsFile: opts.weightsFile,
      ...(opts.tolerance !== undefined ? { tolerance: opts.tolerance } : {}), ...(opts.minAgreement !== undefined ? { minAgreement: opts.minAgreement } : {}), ...(opts.agreementRule !== undefined ? { agreementRule: opts.agreementRule } : {}), exact: opts.exact ?? false, ...(opts.simplify === false ? { simplify: false } : {}),
      ...(opts.featureGroups !== undefined ? { featureGroups: opts.featureGroups } : {}),
      ...(feeds ? { data: feeds.map((f) => f.tensor), dataLabel: feeds.map((f) => f.source).join(", ") } : { domain: domain! }),
    },
    { onPass: progress(), ...(refined ? { passes: refined.passes } : {}) },
  );
  for (const [k, v] of refined?.files ?? []) state.files!.set(k, v);
  const expanded = opts.expand ? expand(state.program!, opts.expand) : undefined; // a bad path fails before writing
  writeOutputDir(opts.out, state.files!);
  process.stdout.write(summary(state, file, opts.out));
  if (expanded) process.stdout.write(`\n${expanded}`);
}

/** Add the explain command to the program. */
/** Add explain's analysis options (all but --out and --expand) to a command; serve takes them too. */
export function addExplainOptions(cmd: Command): Command {
  return cmd
    .option("-d, --data <data>", `inputs to analyse: FILE, or NAME=FILE per model input (repeatable); ${DATA_FORMATS}`, (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option("--domain <domain>", `without --data, sample inputs from a domain: ${DOMAIN_HELP}`)
    .option("--samples <n>", "rows sampled from --domain", positiveInt, 1000)
    .option("--seed <n>", "seed of the sampling and of the analysis/held-out split", nonNegativeInt, 0)
    .option("--holdout <fraction>", "fraction of rows held out to measure fidelity (default 0.2; a bits domain of at most 16 inputs is measured at every point unless this is given)", fraction)
    .option("--tolerance <e>", "largest max abs error the budgeted simplify passes may add on held-out data (default: 1e-3 x the range of the outputs on the analysis rows)", nonNegativeNumber)
    .option("--min-agreement <a>", "for classifiers: smallest held-out top-1 agreement with the original the budgeted passes keep", unitFraction, 0.999)
    .addOption(
      new Option("--agreement-rule <rule>", "for classifiers: how the budgeted passes judge --min-agreement on the analysis rows: margin (the flip rate estimated from the original's top-1 margins, its 95% upper bound within the budget), binomial (the flip count's Clopper-Pearson 95% bound), count (the flips alone); with --refine, also refine's floor on its validation rows")
        .choices([...AGREEMENT_RULES]).default("margin"),
    )
    .option("--exact", "simplify with the exact passes only (outputs unchanged up to float rounding)")
    .option("--no-simplify", "describe the Net as lowered, without the simplify passes")
    .option("--feature-groups <n>", "feature groups per wide unnamed ReLU layer (NMF of its activations): a fixed number, 0 for none (default: the knee of the explained-variance curve, up to 12)", nonNegativeInt)
    .addOption(
      new Option("--weights-file <when>", `put the weights in ${SIDECAR_FILE} beside program.json/.ts/.py instead of inline base64: auto (above ${DEFAULT_SIDECAR_THRESHOLD / 2 ** 20} MiB of tensors), always, never`)
        .choices(WEIGHTS_FILE_MODES).default("auto"),
    );
}

/** Add the explain command to the program. */
export function registerExplain(program: Command): void {
  addExplainOptions(program
    .command("explain")
    .description("decompile a model into pseudocode: program.txt, .json, .ts, .py, reconstructed.onnx and report.md in --out")
    .argument("<model>", "the .onnx file")
    .requiredOption("-o, --out <dir>", "output folder (created; a previous pseudonet output there is replaced)"))
    .option("--expand <path>", "also print one statement opened up, e.g. main/h1 (like pseudonet show)")
    .option("--refine", "refine the model first (pseudonet refine, floor --min-agreement) and explain the refined copy; fidelity to both in report.md")
    .option("--refine-objective <list>", "with --refine: its --objective (default prune,group-lasso,cluster)")
    .option("--refine-epochs <n>", "with --refine: its --epochs", positiveInt)
    .option("--refine-rounds <n>", "with --refine: its --rounds", positiveInt)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  pseudonet explain examples/mlp/model.onnx --data examples/mlp/x.npy --out explained/\n" +
        "  pseudonet explain xor.onnx --domain bits --out xor/\n" +
        "  pseudonet explain model.onnx --domain box:-1,1 --samples 2000 --seed 3 --out out/ --expand main/h1\n",
    )
    .action((file: string, opts: ExplainCliOptions) => explainCommand(file, opts));
}
