// `pseudonet refine model.onnx --data x.npy --out refined.onnx`: distil the model into a smaller, sparser (and
// optionally more modular or quantised) copy of itself that keeps agreeing with it, and write the copy as ONNX
// with a per-epoch report beside it (refined.report.md and .json).
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { AGREEMENT_RULES, type AgreementRule } from "../passes/agreement-bound.ts";
import { nonNegativeInt, nonNegativeNumber, positiveInt, unitFraction } from "./args.ts";
import { UserError } from "../errors.ts";
import { DATA_FORMATS } from "../data/load.ts";
import { encodeModel } from "../onnx/write.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { DEFAULTS, DEFAULT_OBJECTIVES, OBJECTIVES, parseObjectives, type RefineOptions } from "../refine/options.ts";
import { bindInputs, loadFeeds } from "./feeds.ts";
import { openModel } from "./model.ts";
import { Progress } from "./progress.ts";

export interface RefineCliOptions {
  data: string[];
  out: string;
  objective?: string;
  minAgreement?: number;
  agreementRule?: AgreementRule;
  tolerance?: number;
  epochs?: number;
  rounds?: number;
  seed: number;
  report?: string;
  clusterEvery?: RefineOptions["clusterEvery"];
  boundary?: number;
  finishEpochs?: number;
}

const note = (s: string) => process.stderr.write(`pseudonet: note: ${s}\n`);
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** Where the report goes: beside the output, `refined.report.md` for `refined.onnx`. */
export function reportPath(out: string, given?: string): string {
  return given ?? out.replace(/\.onnx$/i, "") + ".report.md";
}

/** Check the output path before any training: its folder exists and it is not a folder. */
function checkOut(out: string): void {
  const dir = path.dirname(path.resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--out ${out}: folder ${dir} does not exist; create it first`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UserError(`--out ${out} is a folder; give a file name such as refined.onnx`);
}

/** Parse the refine options shared by the refine command and explain --refine. */
export function refineOptions(o: { objective?: string; minAgreement?: number; agreementRule?: AgreementRule; tolerance?: number; epochs?: number; rounds?: number; seed: number; clusterEvery?: RefineOptions["clusterEvery"]; boundary?: number; finishEpochs?: number }): Partial<RefineOptions> {
  return {
    objectives: o.objective ? parseObjectives(o.objective) : DEFAULT_OBJECTIVES, seed: o.seed,
    ...(o.minAgreement !== undefined ? { minAgreement: o.minAgreement } : {}), ...(o.agreementRule !== undefined ? { agreementRule: o.agreementRule } : {}), ...(o.tolerance !== undefined ? { tolerance: o.tolerance } : {}),
    ...(o.epochs !== undefined ? { epochs: o.epochs } : {}), ...(o.rounds !== undefined ? { maxRounds: o.rounds } : {}),
    ...(o.clusterEvery ? { clusterEvery: o.clusterEvery } : {}), ...(o.boundary !== undefined ? { boundary: o.boundary } : {}),
    ...(o.finishEpochs !== undefined ? { finishEpochs: o.finishEpochs } : {}),
  };
}

/** The refine command's work, given its parsed arguments. */
export async function refineCommand(file: string, opts: RefineCliOptions): Promise<void> {
  const ro = refineOptions(opts); // bad --objective fails before loading anything
  checkOut(opts.out);
  const model = openModel(file);
  if (!opts.data?.length) throw new UserError(`refine needs data: give --data FILE (${DATA_FORMATS})`);
  const feeds = loadFeeds(model, bindInputs(model, opts.data, "--data"), note);
  if (feeds.length !== 1) throw new UserError(`refine handles models with one input (this one has ${feeds.length})`);
  const { refine, reportJson, reportMarkdown } = await import("../refine/index.ts");
  let bar: Progress | undefined;
  const r = refine(model, feeds[0].tensor, ro, {
    onEpoch: (row, done, total) => {
      bar ??= new Progress("refine", total, { unit: "epochs" });
      bar.tick();
      if (!process.stderr.isTTY && row.epoch === (ro.epochs ?? DEFAULTS.epochs)) {
        process.stderr.write(`pseudonet: refine round ${row.round}: ${row.weights} weights, validation agreement ${pct(row.validationAgreement)}${row.passes ? "" : " (below the floor: stopping)"}\n`);
      }
      void done;
    },
  });
  bar?.done();
  const md = reportPath(opts.out, opts.report);
  writeFileAtomic(opts.out, encodeModel(r.model));
  writeFileAtomic(md, reportMarkdown(r, file));
  writeFileAtomic(md.replace(/\.md$/i, "") + ".json", JSON.stringify(reportJson(r, file), null, 1) + "\n");
  const b = r.before, a = r.after;
  process.stdout.write([
    `pseudonet: refined ${file} into ${opts.out} (${r.options.objectives.join(", ")})`,
    `  weights        ${b.weights} -> ${a.weights} (${pct(a.weights / b.weights)})`,
    `  hidden units   ${b.units} -> ${a.units}`,
    ...(b.ncut !== undefined && a.ncut !== undefined ? [`  n-cut (k=12)   ${b.ncut.toFixed(3)} -> ${a.ncut.toFixed(3)} (shuffled copies: ${b.shuffled?.mean.toFixed(3) ?? "-"} -> ${a.shuffled?.mean.toFixed(3) ?? "-"})`] : []),
    r.classifier
      ? `  top-1 agreement with the original: validation ${pct(a.validationAgreement)}, held-out ${pct(a.heldOutAgreement)} (floor ${pct(r.floor.minAgreement!)})`
      : `  max abs error vs the original (held-out): ${a.heldOutMaxAbsErr.toExponential(2)} (tolerance ${r.floor.tolerance!.toExponential(2)})`,
    r.chosen ? `  kept round ${r.chosen.round}, epoch ${r.chosen.epoch} of ${r.rows.length} epochs (${(r.msPerEpoch / 1000).toFixed(1)} s each)` : "  no refined copy held the floor: wrote the original unchanged",
    `  report: ${md}`,
    `next: pseudonet explain ${opts.out} --data ${opts.data[0]} --out explained/`,
  ].join("\n") + "\n");
}

/** --cluster-every: one of round, epoch, run. */
function clusterEvery(v: string): RefineOptions["clusterEvery"] {
  if (v !== "round" && v !== "epoch" && v !== "run") throw new InvalidArgumentError("expected round, epoch or run");
  return v;
}

/** Add refine's training options (shared with explain --refine). */
export function addRefineTrainingOptions(cmd: Command, prefix = ""): Command {
  return cmd
    .option(`--${prefix}objective <list>`, `regularisers, comma-separated: ${OBJECTIVES.join(", ")} (default ${DEFAULT_OBJECTIVES.join(",")})`)
    .option(`--${prefix}epochs <n>`, `epochs per round (default ${DEFAULTS.epochs})`, positiveInt)
    .option(`--${prefix}rounds <n>`, `most rounds; with prune each round removes ${DEFAULTS.pruneRate * 100}% of the weights left (default ${DEFAULTS.maxRounds})`, positiveInt);
}

/** Add the refine command to the program. */
export function registerRefine(program: Command): void {
  addRefineTrainingOptions(program
    .command("refine")
    .description("distil a model into a smaller, sparser copy that keeps agreeing with it (writes ONNX and a per-epoch report)")
    .argument("<model>", "the .onnx file")
    .requiredOption("-d, --data <data>", `inputs to learn from: FILE, or NAME=FILE (${DATA_FORMATS}); 20% is held out (as explain splits), 20% of the rest chooses when to stop`, (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .requiredOption("-o, --out <file>", "the refined model (.onnx), written atomically"))
    .option("--min-agreement <a>", "classifiers: smallest top-1 agreement with the original to keep (on rows never trained on)", unitFraction, 0.999)
    .addOption(new Option("--agreement-rule <rule>", "classifiers: how the validation rows judge --min-agreement after each epoch: margin (the disagreement rate read from the original's top-1 margins and how much the copy shrinks them, its 95% upper bound within 1 - A), binomial (the flip count's Clopper-Pearson 95% bound: needs ~3,000 validation rows at 99.9%), count (the flips alone, which keeps copies at the floor about half the time)")
      .choices([...AGREEMENT_RULES]).default(DEFAULTS.agreementRule))
    .option("--tolerance <e>", "regression: largest max abs error vs the original (default 1e-2 x the output range)", nonNegativeNumber)
    .option("--seed <n>", "seed of the split, the sampling and the batches", nonNegativeInt, 0)
    .option("--report <file>", "per-epoch report (Markdown; a .json beside it); default: OUT with .report.md")
    .option("--cluster-every <when>", `with cluster: partition the weight graph at each round's start (round), each epoch (epoch), or once on the original (run) (default ${DEFAULTS.clusterEvery})`, clusterEvery)
    .option("--finish-epochs <n>", `with cluster: epochs of the clusterability finish after the pruning rounds, which shrinks the weights crossing the kept net's clusters and keeps a copy only if it holds the floor with no more weights and a lower n-cut (0: none; default ${DEFAULTS.finishEpochs})`, nonNegativeInt)
    .option("--boundary <b>", `classifiers: rows on the original's decision boundary (bisected between rows of different top-1 class; Heo et al. 2019) per real row in each batch (default ${DEFAULTS.boundary})`, nonNegativeNumber)
    .addHelpText("after", [
      "", "Objectives (each with its source in src/refine/):",
      "  prune        iterative magnitude pruning with rewinding (Frankle & Carbin 2019; Frankle et al. 2019),",
      "               each round's pruning in 8 gradual steps (Zhu & Gupta 2017)",
      "  group-lasso  whole hidden units and inputs to zero (Yuan & Lin 2006; Wen et al. 2016), proximal steps",
      "  l1           every weight toward zero (lasso), proximal steps",
      "  cluster      lower the n-cut of the weight graph (Filan et al. 2021, 'Clusterability in Neural Networks'):",
      "               weights between clusters shrink, and with prune go first; then a finish (--finish-epochs)",
      "               shrinks those crossing the kept net's own clusters harder, a zeroed one dead for good",
      "  qat          weights on a 4-bit grid per layer, straight-through estimator (Bengio et al. 2013; Jacob et al. 2018)",
      "", "Examples:",
      "  pseudonet refine zoo/trained/mnist_mlp/model.onnx --data digits.npy --out refined.onnx",
      "  pseudonet refine model.onnx --data x.npy --out r.onnx --objective prune,cluster --min-agreement 0.995 --epochs 4", "",
    ].join("\n"))
    .action((file: string, opts: RefineCliOptions) => refineCommand(file, opts));
}
