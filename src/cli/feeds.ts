// Binding data arguments (run's --input, explain's and verify's --data) to model inputs and loading the data for each.
import { existsSync } from "node:fs";
import path from "node:path";
import type { Model, ValueInfo } from "../graph/graph.ts";
import { shapeStr, type Tensor } from "../graph/tensor.ts";
import { loadData, DATA_FORMATS } from "../data/load.ts";
import { checkSymbols } from "../data/fit.ts";
import { testDataInputs } from "../data/test-data.ts";
import { UserError } from "../errors.ts";

/** One model input with the data given for it. */
export interface Feed {
  input: ValueInfo;
  /** The data path as given on the command line. */
  source: string;
  tensor: Tensor;
}

/** The option that gives data to a command: `run` takes --input, `explain` and `verify` take --data. */
export type DataFlag = "--input" | "--data";

/** Split `name=path` when name is a model input (and the whole argument is not itself an existing file). */
function parseArg(arg: string, names: ReadonlySet<string>, flag: DataFlag): { name?: string; path: string } {
  const eq = arg.indexOf("=");
  if (eq > 0 && !existsSync(arg)) {
    const name = arg.slice(0, eq);
    if (!names.has(name)) {
      throw new UserError(`${flag} ${arg}: the model has no input named '${name}'; its inputs are ${[...names].map((n) => `'${n}'`).join(", ")}`);
    }
    return { name, path: arg.slice(eq + 1) };
  }
  return { path: arg };
}

/** Match data arguments to the model's inputs: `name=path` by name, an ONNX test-data folder (input_k.pb) by
 *  position k, other bare paths in the order of the inputs still free. `flag` is the command's option, for hints. */
export function bindInputs(model: Model, args: readonly string[], flag: DataFlag = "--input"): Map<string, string> {
  const inputs = model.graph.inputs;
  const names = new Set(inputs.map((i) => i.name));
  const bound = new Map<string, string>();
  const bind = (name: string, file: string) => {
    if (bound.has(name)) throw new UserError(`${flag} gives data for '${name}' twice (${bound.get(name)} and ${file})`);
    bound.set(name, file);
  };
  const parsed: { name?: string; path: string }[] = [];
  for (const a of args) {
    const folder = a.includes("=") && !existsSync(a) ? undefined : testDataInputs(a);
    if (!folder) {
      parsed.push(parseArg(a, names, flag));
      continue;
    }
    for (const [k, file] of folder) {
      if (k >= inputs.length) {
        throw new UserError(`${flag} ${a}: the folder holds ${path.basename(file)}, but the model has ${inputs.length} input${inputs.length === 1 ? "" : "s"} (${describe(inputs)})`);
      }
      bind(inputs[k].name, file);
    }
  }
  for (const p of parsed) if (p.name) bind(p.name, p.path);
  const free = inputs.filter((i) => !bound.has(i.name));
  const bare = parsed.filter((p) => !p.name);
  if (bare.length > free.length) {
    const extra = bare.slice(free.length).map((p) => p.path).join(", ");
    throw new UserError(`too many ${flag} files: the model has ${inputs.length} input${inputs.length === 1 ? "" : "s"} (${describe(inputs)}), no place for ${extra}`);
  }
  bare.forEach((p, k) => bound.set(free[k].name, p.path));
  const missing = inputs.filter((i) => !bound.has(i.name));
  if (missing.length) {
    const how = inputs.length === 1 ? `${flag} FILE` : missing.map((m) => `${flag} ${m.name}=FILE`).join(" ");
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
