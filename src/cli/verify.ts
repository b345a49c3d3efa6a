// `pseudonet verify DIR model.onnx --data x.npy [--tolerance T]`: fidelity of every artifact of an explanation
// (program.json by the interpreter, reconstructed.onnx by onnxruntime, program.ts, program.py) against the
// original model run by onnxruntime. Exit code 3 when an artifact exceeds the tolerance (or fails to run).
import type { Command } from "commander";
import { nonNegativeNumber, unitFraction } from "./args.ts";
import { ResultError } from "../errors.ts";
import { DATA_FORMATS } from "../data/load.ts";
import type { VerifyReport } from "../verify/verify.ts";
import { pct, sci } from "../verify/metrics.ts";
import { bindInputs, loadFeeds } from "./feeds.ts";
import { openModel } from "./model.ts";
import { table } from "./table.ts";

/** Default largest relErr accepted (the same as verify.ts's DEFAULT_TOLERANCE, kept here so --help loads no onnxruntime). */
const DEFAULT_TOLERANCE = 1e-5;

/** Exit code of verify when the tolerance is exceeded. */
export const EXIT_TOLERANCE = 3;

export interface VerifyCliOptions {
  data: string[];
  tolerance: number;
  minAgreement?: number;
}

/** The table verify prints, one row per artifact. */
export function verifyTable(r: VerifyReport): string {
  const rows = [["artifact", "run by", "maxAbsErr", "meanAbsErr", "relErr", "top-1", "status"]];
  for (const row of r.rows) {
    const f = row.fidelity;
    rows.push([
      row.artifact, row.engine, f ? sci(f.maxAbsErr) : "-", f ? sci(f.meanAbsErr) : "-", f ? sci(f.relErr) : "-",
      f?.top1Agreement !== undefined ? pct(f.top1Agreement) : "-",
      row.status === "exceeded" ? `EXCEEDS ${sci(r.tolerance)}` : row.status === "ok" && f && !(f.relErr <= r.tolerance) ? "ok (top-1)" : row.status,
    ]);
  }
  const notes = r.rows.filter((x) => x.note).map((x) => `  ${x.artifact}: ${x.note}`);
  return [`pseudonet: verify ${r.dir} against the original (onnxruntime) on ${r.samples} samples, tolerance relErr <= ${sci(r.tolerance)}${r.minAgreement !== undefined ? ` or top-1 agreement >= ${pct(r.minAgreement)}` : ""}`,
    ...table(rows, new Set([2, 3, 4, 5])).map((l) => `  ${l}`), ...notes].join("\n") + "\n";
}

/** The verify command's work; throws ResultError (exit 3) when an artifact is out of tolerance. */
export async function verifyCommand(dir: string, file: string, opts: VerifyCliOptions): Promise<void> {
  const { verifyDir } = await import("../verify/verify.ts"); // loads onnxruntime only when verify runs
  const model = openModel(file);
  const feeds = loadFeeds(model, bindInputs(model, opts.data, "--data"), (s) => process.stderr.write(`pseudonet: note: ${s}\n`));
  const report = await verifyDir(dir, model, feeds.map((f) => f.tensor), { tolerance: opts.tolerance, minAgreement: opts.minAgreement, dataLabel: feeds.map((f) => f.source).join(", ") });
  process.stdout.write(verifyTable(report));
  if (!report.passed) {
    const bad = report.rows.filter((r) => r.status === "exceeded" || r.status === "failed").map((r) => `${r.artifact} ${r.status}`);
    throw new ResultError(EXIT_TOLERANCE, `verify failed: ${bad.join(", ")}`);
  }
}

/** Add the verify command to the program. */
export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("check an explanation's program, reconstructed.onnx, program.ts and program.py against the original model")
    .argument("<dir>", "the output folder of pseudonet explain")
    .argument("<model>", "the original .onnx file")
    .requiredOption("-d, --data <data>", `inputs: FILE, or NAME=FILE per model input (repeatable); ${DATA_FORMATS}`, (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option("--tolerance <t>", "largest relErr (maxAbsErr / max|y|) accepted", nonNegativeNumber, DEFAULT_TOLERANCE)
    .option("--min-agreement <a>", "for classifiers, also accept an artifact whose top-1 agreement with the original is at least A (budgeted programs, state machines)", unitFraction)
    .addHelpText("after", "\nExit codes: 0 every artifact within tolerance, 3 one exceeds it (or fails to run), 2 bad input.\n\nExample:\n  pseudonet verify explained/ model.onnx --data x_test.npy --tolerance 1e-4\n")
    .action((dir: string, file: string, opts: VerifyCliOptions) => verifyCommand(dir, file, opts));
}
