// Binding `--input` arguments to model inputs and loading the data for each.
import { existsSync } from "node:fs";
import type { Model, ValueInfo } from "../graph/graph.ts";
import { shapeStr, type Tensor } from "../graph/tensor.ts";
import { loadData, DATA_FORMATS } from "../data/load.ts";
import { checkSymbols } from "../data/fit.ts";
import { UserError } from "../errors.ts";

/** One model input with the data given for it. */
export interface Feed {
  input: ValueInfo;
  /** The data path as given on the command line. */
  source: string;
  tensor: Tensor;
}

/** Split `name=path` when name is a model input (and the whole argument is not itself an existing file). */
function parseArg(arg: string, names: ReadonlySet<string>): { name?: string; path: string } {
  const eq = arg.indexOf("=");
  if (eq > 0 && !existsSync(arg)) {
    const name = arg.slice(0, eq);
    if (!names.has(name)) {
      throw new UserError(`--input ${arg}: the model has no input named '${name}'; its inputs are ${[...names].map((n) => `'${n}'`).join(", ")}`);
    }
    return { name, path: arg.slice(eq + 1) };
  }
  return { path: arg };
}

/** Match --input arguments to the model's inputs: `name=path` by name, bare paths in input order. */
export function bindInputs(model: Model, args: readonly string[]): Map<string, string> {
  const inputs = model.graph.inputs;
  const names = new Set(inputs.map((i) => i.name));
  const parsed = args.map((a) => parseArg(a, names));
  const bound = new Map<string, string>();
  for (const p of parsed) {
    if (!p.name) continue;
    if (bound.has(p.name)) throw new UserError(`--input gives data for '${p.name}' twice (${bound.get(p.name)} and ${p.path})`);
    bound.set(p.name, p.path);
  }
  const free = inputs.filter((i) => !bound.has(i.name));
  const bare = parsed.filter((p) => !p.name);
  if (bare.length > free.length) {
    const extra = bare.slice(free.length).map((p) => p.path).join(", ");
    throw new UserError(`too many --input files: the model has ${inputs.length} input${inputs.length === 1 ? "" : "s"} (${describe(inputs)}), no place for ${extra}`);
  }
  bare.forEach((p, k) => bound.set(free[k].name, p.path));
  const missing = inputs.filter((i) => !bound.has(i.name));
  if (missing.length) {
    const how = inputs.length === 1 ? "--input FILE" : missing.map((m) => `--input ${m.name}=FILE`).join(" ");
    throw new UserError(`no data for model input${missing.length > 1 ? "s" : ""} ${describe(missing)}; pass ${how} (${DATA_FORMATS})`);
  }
  return bound;
}

function describe(vs: readonly ValueInfo[]): string {
  return vs.map((v) => `'${v.name}' ${v.dtype} ${v.shape ? shapeStr(v.shape) : "(any shape)"}`).join(", ");
}

/** Load and check the data of every bound input; notes (conversions made) go to `note`. */
export function loadFeeds(model: Model, bound: ReadonlyMap<string, string>, note: (s: string) => void): Feed[] {
  const feeds = model.graph.inputs.map((input) => {
    const source = bound.get(input.name)!;
    const { tensor, notes } = loadData(source, input, { rowsOneByOne: true });
    notes.forEach(note);
    return { input, source, tensor };
  });
  checkSymbols(feeds);
  return feeds;
}
