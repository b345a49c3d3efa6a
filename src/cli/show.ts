// `pseudonet show DIR [PATH]`: the program of an explanation folder, or one statement opened up (its units,
// weights simplified, what feeds it).
import type { Command } from "commander";
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { expand } from "../program/expand.ts";
import { printProgram } from "../program/printer.ts";
import { readProgramDir } from "../program/load.ts";
import { withFolderLabels } from "../program/apply-labels.ts";
import { LABELS_FILE } from "../program/labels.ts";

/** The text `show` prints. */
export function showText(dir: string, at?: string): string {
  const labelled = existsSync(path.join(dir, LABELS_FILE));
  const program = withFolderLabels(readProgramDir(dir), dir);
  if (at) return expand(program, at);
  // program.txt was printed at explain time; labels given since then (in the explorer) are printed anew.
  const txt = path.join(dir, "program.txt");
  return existsSync(txt) && !labelled ? readFileSync(txt, "utf8") : printProgram(program, { dir });
}

/** Add the show command to the program. */
export function registerShow(program: Command): void {
  program
    .command("show")
    .description("print an explanation's program, or open one statement: its units, weights and inputs")
    .argument("<dir>", "the output folder of pseudonet explain")
    .argument("[path]", "a statement: FUNCTION/VAR (main/h1), VAR, a primitive id (p3) or a label (opaque_1)")
    .addHelpText("after", "\nExamples:\n  pseudonet show explained/\n  pseudonet show explained/ main/h1\n")
    .action((dir: string, at: string | undefined) => {
      process.stdout.write(showText(dir, at));
    });
}
