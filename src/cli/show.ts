// `pseudonet show DIR [PATH]`: the program of an explanation folder, or one statement opened up (its units,
// weights simplified, what feeds it).
import type { Command } from "commander";
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { expand } from "../program/expand.ts";
import { printProgram } from "../program/printer.ts";
import { readProgramDir } from "../program/load.ts";

/** The text `show` prints. */
export function showText(dir: string, at?: string): string {
  const program = readProgramDir(dir);
  if (at) return expand(program, at);
  const txt = path.join(dir, "program.txt");
  return existsSync(txt) ? readFileSync(txt, "utf8") : printProgram(program, { dir });
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
