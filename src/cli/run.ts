// `pseudonet run model.onnx --input x.npy --out y.npy`: execute a model on data, in batches, with our interpreter or
// onnxruntime. All checks (model, ops, data, shapes, output path) happen before the first batch runs; nothing is
// written unless every batch succeeded.
import { Option, type Command } from "commander";
import { positiveInt } from "./args.ts";
import type { Model } from "../graph/graph.ts";
import { shapeStr, type Tensor } from "../graph/tensor.ts";
import { inferShapes } from "../graph/infer.ts";
import type { ShapeInfo } from "../ops/op.ts";
import { checkSupported, runModel } from "../run/interp.ts";
import { batchRanges, concatRows, sliceRows } from "../data/batch.ts";
import { UserError } from "../errors.ts";
import { bindInputs, loadFeeds, type Feed } from "./feeds.ts";
import { formatTensor } from "./format.ts";
import { openModel } from "./model.ts";
import { planOutput, writeOutputs } from "./outputs.ts";
import { Progress } from "./progress.ts";

export interface RunCliOptions {
  input?: string[];
  out?: string;
  engine: "interp" | "ort";
  batchSize?: number;
}

/** Runs the model on one batch of named inputs. */
type Engine = (feeds: Record<string, Tensor>) => Promise<Record<string, Tensor>>;

const note = (s: string) => process.stderr.write(`pseudonet: note: ${s}\n`);

/** The batch size to split the data into, or undefined to run everything at once. */
export function planBatches(feeds: readonly Feed[], requested: number | undefined): number | undefined {
  // A leading dim fixed at 1 with more rows in the data: the model takes one sample at a time.
  const single = feeds.find((f) => f.input.shape?.[0] === 1 && f.tensor.shape[0] > 1);
  if (single) {
    if (requested !== undefined && requested !== 1) {
      throw new UserError(`model input '${single.input.name}' takes one sample at a time (${shapeStr(single.input.shape!)}); use --batch-size 1 or leave it out`);
    }
    if (requested === undefined) note(`model input '${single.input.name}' takes one sample at a time (${shapeStr(single.input.shape!)}): running the ${single.tensor.shape[0]} samples of ${single.source} one by one`);
  }
  const size = single ? 1 : requested;
  if (size === undefined) return undefined;
  const rows = feeds.map((f) => (f.tensor.shape.length ? f.tensor.shape[0] : -1));
  const bad = feeds.findIndex((_, k) => rows[k] !== rows[0] || rows[k] < 0);
  if (bad >= 0) {
    const sizes = feeds.map((f, k) => `${f.source}: ${rows[k] < 0 ? "a scalar" : `${rows[k]} rows`}`).join(", ");
    throw new UserError(`batches split every input along axis 0, so all inputs need the same number of rows (${sizes})`);
  }
  return size;
}

/** Reject a model whose shapes don't agree for this data before any batch runs (OpError names the node). */
function checkShapes(model: Model, feeds: readonly Feed[], batch: number | undefined): void {
  const inputs: Record<string, ShapeInfo> = {};
  for (const f of feeds) {
    const shape = [...f.tensor.shape];
    if (batch !== undefined && shape.length) shape[0] = Math.min(batch, shape[0]);
    inputs[f.input.name] = { dtype: f.tensor.dtype, shape };
  }
  inferShapes(model, { inputs });
}

async function makeEngine(model: Model, engine: RunCliOptions["engine"]): Promise<Engine> {
  if (engine === "ort") {
    const { ortRun } = await import("../run/ort.ts"); // loads onnxruntime's native code only when asked for
    return (feeds) => ortRun(model, feeds);
  }
  checkSupported(model);
  return async (feeds) => runModel(model, feeds);
}

/** Run the model on every batch and concatenate each output along axis 0. */
async function runBatches(model: Model, feeds: readonly Feed[], batch: number | undefined, engine: Engine): Promise<Map<string, Tensor>> {
  const whole = Object.fromEntries(feeds.map((f) => [f.input.name, f.tensor]));
  const names = model.graph.outputs.map((o) => o.name);
  if (batch === undefined) {
    const r = await engine(whole);
    return new Map(names.map((n) => [n, r[n]]));
  }
  const ranges = batchRanges(feeds[0].tensor.shape[0], batch);
  const parts = new Map<string, Tensor[]>(names.map((n) => [n, []]));
  const progress = new Progress("run", ranges.length, { unit: batch === 1 ? "samples" : `batches of ${batch}` });
  try {
    for (const [s, e] of ranges) {
      const r = await engine(Object.fromEntries(feeds.map((f) => [f.input.name, sliceRows(f.tensor, s, e)])));
      for (const n of names) parts.get(n)!.push(r[n]);
      progress.tick();
    }
  } finally {
    progress.done();
  }
  return new Map(names.map((n) => [n, concatRows(parts.get(n)!, `output '${n}'`)]));
}

/** The run command's work, given its parsed arguments. */
export async function runCommand(file: string, opts: RunCliOptions): Promise<void> {
  const model = openModel(file);
  const names = model.graph.outputs.map((o) => o.name);
  const plan = planOutput(opts.out, names);
  const engine = await makeEngine(model, opts.engine);
  const feeds = loadFeeds(model, bindInputs(model, opts.input ?? []), note);
  const batch = planBatches(feeds, opts.batchSize);
  if (opts.engine === "interp") checkShapes(model, feeds, batch);
  const results = await runBatches(model, feeds, batch, engine);
  if (plan.kind === "stdout") {
    for (const [n, t] of results) process.stdout.write(formatTensor(n, t));
    return;
  }
  const written = writeOutputs(plan, results);
  const what = [...results].map(([n, t]) => `${n}: ${t.dtype} ${shapeStr(t.shape)}`).join("; ");
  process.stderr.write(`pseudonet: wrote ${written.join(", ")} (${what})\n`);
}

/** Add the run command to the program. */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run a model on data with pseudonet's interpreter (or onnxruntime) and write the outputs")
    .argument("<model>", "the .onnx file")
    .option("-i, --input <data>", "data for a model input: FILE, or NAME=FILE when the model has several inputs (repeatable); .npy, .npz, .json, .csv, .pb or a folder of .png", (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option("-o, --out <path>", "where to write outputs: y.npy / y.json / y.csv for one output, y.npz or a folder for several (default: print to stdout)")
    .addOption(new Option("--engine <engine>", "interp (pseudonet's own interpreter) or ort (onnxruntime)").choices(["interp", "ort"]).default("interp"))
    .option("--batch-size <n>", "split the data into batches of n rows along axis 0 and concatenate the outputs", positiveInt)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  pseudonet run examples/mlp/model.onnx --input examples/mlp/x.npy\n" +
        "  pseudonet run model.onnx --input x.npy --out y.npy --batch-size 256\n" +
        "  pseudonet run bert.onnx --input input_ids=ids.npy --input attention_mask=mask.npy --out results/ --engine ort\n",
    )
    .action((file: string, opts: RunCliOptions) => runCommand(file, opts));
}
