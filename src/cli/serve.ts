// `pseudonet serve DIR|model.onnx`: the explorer on http://127.0.0.1:PORT. Given a model, explain runs first
// (with explain's options) into --out; given a folder, it is served as it is.
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { UserError } from "../errors.ts";
import { nonNegativeInt } from "./args.ts";
import { addExplainOptions, explainCommand, type ExplainCliOptions } from "./explain.ts";

export interface ServeCliOptions extends Partial<ExplainCliOptions> {
  port: number;
  host: string;
  open?: boolean;
}

/** The folder to serve: DIR itself, or the folder explain writes for a model (--out, default NAME-explained). */
async function folderFor(target: string, opts: ServeCliOptions): Promise<string> {
  if (!existsSync(target)) throw new UserError(`${target} does not exist; give the output folder of pseudonet explain, or a model.onnx`);
  if (statSync(target).isDirectory()) return target;
  const out = opts.out ?? `${path.basename(target).replace(/\.onnx$/i, "")}-explained`;
  await explainCommand(target, { ...opts, out } as ExplainCliOptions);
  return out;
}

/** Start the server and keep it running until the process is stopped. */
export async function serveCommand(target: string, opts: ServeCliOptions): Promise<void> {
  const dir = await folderFor(target, opts);
  const { serve } = await import("../serve/server.ts");
  const s = await serve({ dir, host: opts.host, port: opts.port });
  process.stdout.write(`pseudonet: serving ${dir} at ${s.url} (Ctrl-C stops)\n`);
  if (opts.host !== "127.0.0.1" && opts.host !== "localhost" && opts.host !== "::1") {
    process.stderr.write(`pseudonet: note: --host ${opts.host} makes the explorer reachable from other machines; labels can be edited by anyone who reaches it\n`);
  }
  if (opts.open) {
    // Best effort: a machine without a desktop has no opener; the URL is printed either way.
    const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
    spawn(opener, [s.url], { detached: true, stdio: "ignore" }).on("error", () => process.stderr.write(`pseudonet: note: could not start ${opener}; open ${s.url} yourself\n`)).unref();
  }
  await new Promise<void>((resolve) => {
    const stop = () => void s.close().then(resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/** Add the serve command to the program. */
export function registerServe(program: Command): void {
  addExplainOptions(
    program
      .command("serve")
      .description("open an explanation in the web explorer (http://127.0.0.1:PORT): expand statements, see weights and units, label them")
      .argument("<target>", "the output folder of pseudonet explain, or a model.onnx to explain first")
      .option("-p, --port <n>", "port to listen on (0: any free port)", nonNegativeInt, 8787)
      .option("--host <host>", "address to bind (the default serves this machine only)", "127.0.0.1")
      .option("--open", "open the page in the default browser")
      .option("-o, --out <dir>", "with a model: the folder explain writes (default NAME-explained)"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  pseudonet serve explained/\n  pseudonet serve examples/mlp/model.onnx --data examples/mlp/x.npy --port 0\n",
    )
    .action((target: string, opts: ServeCliOptions) => serveCommand(target, opts));
}
