// `pseudonet zoo --out DIR`: write the ground-truth networks; `pseudonet zoo score`: score explanations of them.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Command } from "commander";
import { UserError } from "../errors.ts";
import { parseObfuscations, ORDER } from "../../zoo/obfuscate.ts";
import { CASES } from "../../zoo/cases/index.ts";
import { table } from "./table.ts";

interface ZooOpts {
  out?: string;
  seed: string;
  only?: string;
  obfuscate: string;
}

interface ScoreOpts {
  all?: boolean;
  json?: boolean;
  results?: string;
}

/** Parse a non-negative integer seed. */
function parseSeed(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new UserError(`--seed must be an integer from 0 to 4294967295, got '${s}'`);
  return n;
}

/** Register `zoo` and `zoo score` on the CLI program. */
export function registerZoo(program: Command): void {
  const zoo = program
    .command("zoo")
    .description("write the zoo: networks whose algorithm is known (compiled programs, obfuscated; trained nets), each with truth.json")
    .option("--out <dir>", "folder to write one sub-folder per case into")
    .option("--seed <n>", "seed for obfuscations and domain samples", "1")
    .option("--only <name>", "write only this case")
    .option("--obfuscate <list>", `obfuscations: all, none, or a comma list of ${ORDER.join(", ")}`, "all")
    .addHelpText("after", () => `\nCompiled cases: ${CASES.map((c) => c.name).join(", ")}; trained cases: see zoo/trained/\n\nExamples:\n  pseudonet zoo --out zoo-out\n  pseudonet zoo --out zoo-out --only max2 --obfuscate permute,rescale\n  pseudonet zoo score zoo-out/max2 explained/max2\n  pseudonet zoo score --all zoo-out explained --results bench/results/zoo.json\n`)
    .action(async (opts: ZooOpts) => {
      if (!opts.out) throw new UserError("pseudonet zoo needs --out DIR (or use: pseudonet zoo score ...)");
      // The generator pulls in lowering and the ONNX writer: load it only when the command runs.
      const { writeZoo } = await import("../../zoo/zoo.ts");
      const obfuscations = parseObfuscations(opts.obfuscate);
      // Trained convs as dense (40 MB for the MNIST CNN, slow to explain) only when conv2dense is asked by name.
      const trainedConv2dense = obfuscations.includes("conv2dense") && opts.obfuscate.trim() !== "all";
      const entries = writeZoo(opts.out, { seed: parseSeed(opts.seed), only: opts.only, obfuscations, trainedConv2dense });
      const rows = entries.map((e) => [e.name, e.family, e.note]);
      process.stdout.write(table([["case", "family", "obfuscations; truth vs network / accuracy"], ...rows]).join("\n") + "\n");
      for (const e of entries) if (e.warning) process.stderr.write(`pseudonet: ${e.name}: ${e.warning}\n`);
      process.stdout.write(`wrote ${entries.length} case(s) to ${opts.out}\n`);
    });
  zoo
    .command("score")
    .description("score an explanation against a zoo case's truth.json (with --all: every case of a zoo folder)")
    .argument("<case>", "a zoo case folder (with --all: the zoo folder)")
    .argument("<explained>", "the folder `pseudonet explain` wrote for it (with --all: a folder holding one per case)")
    .option("--all", "score every case: <case> is the zoo folder, <explained>/<name>/ each explanation")
    .option("--json", "print the scores as JSON")
    .option("--results <file>", "also write the scores and their summary as JSON to this file")
    .action(async (caseDir: string, explained: string, opts: ScoreOpts) => {
      const { scoreAll, scoreCase } = await import("../../zoo/score.ts");
      const { formatScores, summarize } = await import("../../zoo/score-table.ts");
      const { allCaseNames } = await import("../../zoo/zoo.ts");
      const scores = opts.all ? scoreAll(caseDir, explained, allCaseNames()) : [scoreCase(caseDir, explained)];
      if (opts.all && scores.length === 0) throw new UserError(`${caseDir} holds no zoo cases (no <case>/truth.json)`);
      const doc = { summary: summarize(scores), cases: scores };
      if (opts.results) {
        mkdirSync(dirname(opts.results), { recursive: true });
        writeFileSync(opts.results, JSON.stringify(doc, null, 1) + "\n");
      }
      process.stdout.write(opts.json ? JSON.stringify(doc, null, 1) + "\n" : formatScores(scores));
    });
}
