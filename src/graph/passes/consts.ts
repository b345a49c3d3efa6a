// Reading and building the small float constants the rewriting passes compute with (in float64,
// stored back in the original dtype).
import { isFloat, sizeOf, tensor, type DType, type Tensor } from "../tensor.ts";

/** The values of a float tensor as float64, or undefined when it is not a float tensor. */
export function floats(t: Tensor | undefined): Float64Array | undefined {
  if (!t || !isFloat(t.dtype)) return undefined;
  return new Float64Array(t.data as ArrayLike<number>); // (the constructor copies typed arrays fast; .from iterates)
}

/** A constant that broadcasts along the last axis only (shape [], [1], [n], [1, n], [1, 1], ...) as a length-n vector. */
export function asRowVector(t: Tensor | undefined, n: number): Float64Array | undefined {
  const v = floats(t);
  if (!t || !v) return undefined;
  const lead = t.shape.slice(0, -1);
  if (lead.some((d) => d !== 1)) return undefined;
  const last = t.shape.length ? t.shape[t.shape.length - 1] : 1;
  if (last === n) return v;
  if (last === 1) return new Float64Array(n).fill(v[0]);
  return undefined;
}

/** A constant per channel of an NC... value, broadcastable as [C, 1, ..., 1] (or scalar) against rank `rank`. */
export function asChannelVector(t: Tensor | undefined, c: number, rank: number): Float64Array | undefined {
  const v = floats(t);
  if (!t || !v) return undefined;
  if (sizeOf(t.shape) === 1 && t.shape.length <= rank) return new Float64Array(c).fill(v[0]);
  // Right-aligned against [N, C, spatial...]: the constant's shape must be [C, 1, ...] or [1, C, 1, ...].
  const padded = [...new Array<number>(rank - t.shape.length).fill(1), ...t.shape];
  if (padded.length !== rank || padded[0] !== 1 || padded[1] !== c) return undefined;
  if (padded.slice(2).some((d) => d !== 1)) return undefined;
  return v;
}

/** A tensor of a float dtype from float64 values. */
export function floatTensor(dtype: DType, shape: number[], values: ArrayLike<number>): Tensor {
  return tensor(dtype, shape, values);
}
