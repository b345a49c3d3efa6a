// Opening the model file a command was given.
import type { Model } from "../graph/graph.ts";
import { readModel } from "../onnx/read.ts";
import { UserError } from "../errors.ts";

/** Read an .onnx model; any failure the reader did not classify is still the file's fault, so it is a UserError. */
export function openModel(file: string): Model {
  try {
    return readModel(file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    // Keep the original error as the cause: --debug prints its stack.
    const err = new UserError(`${file} is not a valid ONNX model: ${e instanceof Error ? e.message : String(e)}`);
    throw Object.assign(err, { cause: e });
  }
}
