// Running a model (the original, or reconstructed.onnx) with onnxruntime on a batch of rows, in chunks that
// respect a fixed batch dim (exports with batch 1 take one row at a time).
import type { Model } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { batchRanges, concatRows, sliceRows } from "../data/batch.ts";
import { ortRun } from "../run/ort.ts";

/** The fixed batch size among declared batch dims (e.g. 1 for exports that take one sample), if any. */
export function fixedBatch(batchDims: readonly (number | string | null | undefined)[]): number | undefined {
  return batchDims.find((d): d is number => typeof d === "number" && d > 0);
}

/** Rows per run: the model's fixed batch dim when it declares one, else everything (capped for memory). */
export function chunkSize(model: Model, rows: number): number {
  return fixedBatch(model.graph.inputs.map((i) => i.shape?.[0])) ?? Math.max(1, Math.min(rows, 1024));
}

/** Run `f` on row chunks of the inputs and concatenate each output along axis 0. Inputs whose first dims differ
 *  share no row axis (one sample, e.g. GPT-2's past states beside its token ids): they are run whole. */
export async function inChunks(inputs: readonly Tensor[], size: number, f: (part: Tensor[]) => Promise<Tensor[]> | Tensor[]): Promise<Tensor[]> {
  const n = inputs[0]?.shape[0] ?? 0;
  const ranges = batchRanges(n, size);
  if (ranges.length === 1 || inputs.some((t) => t.shape[0] !== n)) return f([...inputs]);
  const parts: Tensor[][] = [];
  for (const [s, e] of ranges) parts.push(await f(inputs.map((t) => sliceRows(t, s, e))));
  return parts[0].map((_, k) => concatRows(parts.map((p) => p[k]), `output ${k}`));
}

/** A model's outputs (graph order) on batch-first inputs (graph input order), run by onnxruntime. */
export async function ortOutputs(model: Model, inputs: readonly Tensor[]): Promise<Tensor[]> {
  const names = model.graph.inputs.map((i) => i.name);
  const outs = model.graph.outputs.map((o) => o.name);
  return inChunks(inputs, chunkSize(model, inputs[0]?.shape[0] ?? 0), async (part) => {
    const r = await ortRun(model, Object.fromEntries(names.map((n, i) => [n, part[i]])));
    return outs.map((o) => r[o]);
  });
}
