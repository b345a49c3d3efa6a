// Split data into batches along axis 0 and put the results back together.
import { allocData, shapeStr, sizeOf, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";

/** Rows [start, end) of a tensor along axis 0 (a copy). */
export function sliceRows(t: Tensor, start: number, end: number): Tensor {
  const row = sizeOf(t.shape.slice(1));
  const data = t.data.slice(start * row, end * row) as Tensor["data"];
  return { dtype: t.dtype, shape: [end - start, ...t.shape.slice(1)], data };
}

/** Rows [start, end) of a tensor as a view of its data (no copy) for typed arrays; string data is copied. For
 *  reading only: runNet takes its inputs so (probe has always fed it views). */
export function viewRows(t: Tensor, start: number, end: number): Tensor {
  if (Array.isArray(t.data)) return sliceRows(t, start, end);
  const row = sizeOf(t.shape.slice(1));
  return { dtype: t.dtype, shape: [end - start, ...t.shape.slice(1)], data: (t.data as NumericArray).subarray(start * row, end * row) as Tensor["data"] };
}

/** Concatenate tensors along axis 0; all must share dtype and trailing shape. `what` names them in errors. */
export function concatRows(parts: readonly Tensor[], what: string): Tensor {
  if (parts.length === 0) throw new Error("concatRows: no parts");
  if (parts.length === 1) return parts[0];
  const first = parts[0];
  if (first.shape.length === 0) throw new UserError(`${what} is a scalar in each batch, so batches cannot be concatenated; run without --batch-size`);
  for (const p of parts) {
    if (p.dtype !== first.dtype || p.shape.length !== first.shape.length || p.shape.some((d, k) => k > 0 && d !== first.shape[k])) {
      throw new UserError(
        `${what} has shape ${shapeStr(p.shape)} (${p.dtype}) in one batch but ${shapeStr(first.shape)} (${first.dtype}) in another; ` +
          "it does not have a batch axis, run without --batch-size",
      );
    }
  }
  const rows = parts.reduce((s, p) => s + p.shape[0], 0);
  const shape = [rows, ...first.shape.slice(1)];
  if (first.dtype === "string") return { dtype: "string", shape, data: parts.flatMap((p) => p.data as string[]) };
  const data = allocData(first.dtype, sizeOf(shape)) as NumericArray;
  let off = 0;
  for (const p of parts) {
    data.set(p.data as NumericArray, off);
    off += p.data.length;
  }
  return { dtype: first.dtype, shape, data };
}

/** Batch boundaries [start, end) covering n rows in steps of size. */
export function batchRanges(n: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += size) out.push([s, Math.min(n, s + size)]);
  if (n === 0) out.push([0, 0]);
  return out;
}
