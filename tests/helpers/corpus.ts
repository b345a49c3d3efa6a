// The shared test corpus (../shared/corpus beside the repo): locating it and loading its cases.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Model } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/tensor.ts";
import { readModel, readTensorFile } from "../../src/onnx/read.ts";

/** The repository root (two levels above this file). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Message for t.skip() when the corpus is absent. */
export const NO_CORPUS = "corpus not found at ../shared/corpus (beside the repo); skipping corpus tests";

/** The corpus folder, or undefined when it is not there (tests then skip). */
export function corpusDir(): string | undefined {
  const dir = path.resolve(repoRoot, "../shared/corpus");
  return existsSync(dir) ? dir : undefined;
}

/** Sub-folders of a folder that hold a model.onnx, sorted, as absolute paths. */
function caseDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((d) => path.join(dir, d))
    .filter((d) => existsSync(path.join(d, "model.onnx")));
}

/** Every ONNX node-test folder (absolute paths), or [] without the corpus. */
export function listNodeTests(): string[] {
  const c = corpusDir();
  return c ? caseDirs(path.join(c, "onnx-node-tests")) : [];
}

/** Every real-model folder of corpus/models (absolute paths), or [] without the corpus. */
export function listCorpusModels(): string[] {
  const c = corpusDir();
  return c ? caseDirs(path.join(c, "models")) : [];
}

/** The test_data_set_N folder names of a case, in numeric order. */
export function listDataSets(dir: string): string[] {
  return readdirSync(dir)
    .filter((d) => /^test_data_set_\d+$/.test(d) && statSync(path.join(dir, d)).isDirectory())
    .sort((a, b) => Number(a.split("_").pop()) - Number(b.split("_").pop()));
}

export interface Case {
  model: Model;
  /** Graph inputs by name (input_i.pb is the i-th graph input that is not an initializer). */
  inputs: Record<string, Tensor>;
  /** Expected graph outputs by name (output_j.pb is the j-th graph output). */
  outputs: Record<string, Tensor>;
}

/** Load the tensors of one data set of a case for a model already read. */
export function loadData(model: Model, dir: string, dataSet = "test_data_set_0"): Omit<Case, "model"> {
  const ds = path.join(dir, dataSet);
  const files = existsSync(ds) ? readdirSync(ds) : [];
  const load = (prefix: string, names: string[]): Record<string, Tensor> => {
    const out: Record<string, Tensor> = {};
    const count = files.filter((f) => f.startsWith(prefix) && f.endsWith(".pb")).length;
    for (let i = 0; i < count; i++) {
      const file = path.join(ds, `${prefix}${i}.pb`);
      const { name, tensor } = readTensorFile(file);
      const graphName = names[i];
      if (graphName === undefined) throw new Error(`${file}: the graph has only ${names.length} ${prefix}s`);
      if (name && name !== graphName) throw new Error(`${file} is named '${name}' but graph ${prefix}${i} is '${graphName}'`);
      out[graphName] = tensor;
    }
    return out;
  };
  return {
    inputs: load("input_", model.graph.inputs.map((v) => v.name)),
    outputs: load("output_", model.graph.outputs.map((v) => v.name)),
  };
}

/** Read a case folder: model.onnx and one data set's inputs and expected outputs. */
export function loadCase(dir: string, dataSet = "test_data_set_0"): Case {
  const model = readModel(path.join(dir, "model.onnx"));
  return { model, ...loadData(model, dir, dataSet) };
}
