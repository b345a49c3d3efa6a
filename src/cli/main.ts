// The pseudonet command line: builds the commander program and maps every failure to one line and an exit code.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { debugRequested, EXIT_OK, EXIT_USER, oneLine, reportError } from "./errors.ts";
import { registerInspect } from "./inspect.ts";
import { registerRun } from "./run.ts";
import { registerExplain } from "./explain.ts";
import { registerVerify } from "./verify.ts";
import { registerShow } from "./show.ts";
import { registerZoo } from "./zoo.ts";
import { registerServe } from "./serve.ts";
import { registerRefine } from "./refine.ts";

/** The program with every command registered; errors are thrown, not turned into process.exit. */
export function buildProgram(): Command {
  const program = new Command("pseudonet")
    .description("Decompile trained neural networks (ONNX) into faithful, readable pseudocode")
    .option("--debug", "show stack traces on errors")
    .exitOverride()
    .configureOutput({
      outputError: (str, write) => write(`pseudonet: ${oneLine(str.replace(/^error: /, ""))} (see --help)\n`),
    })
    .showSuggestionAfterError()
    .addHelpText("after", "\nExamples:\n  pseudonet inspect examples/mlp/model.onnx\n  pseudonet run examples/mlp/model.onnx --input examples/mlp/x.npy --out y.npy\n  pseudonet help run\n");
  registerInspect(program);
  registerRun(program);
  registerExplain(program);
  registerVerify(program);
  registerShow(program);
  registerServe(program);
  registerRefine(program);
  registerZoo(program);
  return program;
}

/** Run the CLI on argv (as process.argv: node, script, args...) and return the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return EXIT_OK;
    }
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed help or its one-line message.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USER;
    }
    return reportError(e, debugRequested(argv));
  }
}

function isEntry(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Exit quietly when the reader of stdout goes away (e.g. `pseudonet run ... | head`). */
export function quietOnBrokenPipe(): void {
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

if (isEntry()) {
  quietOnBrokenPipe();
  process.exitCode = await main(process.argv);
}
