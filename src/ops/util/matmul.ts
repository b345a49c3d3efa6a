// numpy matmul semantics over gemm, shared by MatMul and MatMulInteger: 1-D operands are promoted
// (and the added axis dropped), leading batch axes broadcast, each batch entry is one gemm.
import type { Dim, Node } from "../../graph/graph.ts";
import { sizeOf, stridesOf, type DType, type NumericArray } from "../../graph/tensor.ts";
import { OpError } from "../../errors.ts";
import { broadcastDims, broadcastShapes } from "./broadcast.ts";
import { gemm, type FloatArray } from "./gemm.ts";
import { dimsAgree, fmtShape } from "./spatial.ts";

/** The output shape of matmul(a, b) for shape inference; null when a rank is unknown. */
export function matmulDims(node: Node, a: readonly Dim[] | null, b: readonly Dim[] | null): Dim[] | null {
  if (!a || !b) return null;
  if (a.length === 0 || b.length === 0) throw new OpError(node, "MatMul inputs must have rank 1 or more, got a scalar");
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const k1 = a2[a2.length - 1], k2 = b2[b2.length - 2];
  if (!dimsAgree(k1, k2)) {
    throw new OpError(node, `inner dimensions differ: A is ${fmtShape(a)} (K = ${k1}) and B is ${fmtShape(b)} (K = ${k2})`);
  }
  const batch = broadcastDims(a2.slice(0, -2), b2.slice(0, -2));
  if (!batch) throw new OpError(node, `batch dimensions of A ${fmtShape(a)} and B ${fmtShape(b)} do not broadcast`);
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]);
  if (b.length > 1) out.push(b2[b2.length - 1]);
  return out;
}

/** Where each broadcast batch entry of an operand starts, in elements. */
function batchOffsets(batchShape: readonly number[], opBatch: readonly number[], matSize: number): Float64Array {
  const n = sizeOf(batchShape);
  const offs = new Float64Array(n);
  const rank = batchShape.length;
  const st = stridesOf(opBatch);
  const bst = new Array<number>(rank).fill(0);
  for (let i = 0; i < opBatch.length; i++) {
    const o = rank - opBatch.length + i;
    bst[o] = opBatch[i] === 1 ? 0 : st[i] * matSize;
  }
  const counter = new Array<number>(rank).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    offs[k] = off;
    for (let ax = rank - 1; ax >= 0; ax--) {
      counter[ax]++;
      off += bst[ax];
      if (counter[ax] < batchShape[ax]) break;
      off -= bst[ax] * counter[ax];
      counter[ax] = 0;
    }
  }
  return offs;
}

/** matmul(a, b) with numpy broadcasting; returns the output shape and its data (same array type as a and b). */
export function matmulRun(node: Node, a: FloatArray, aShape: readonly number[], b: FloatArray, bShape: readonly number[]): { shape: number[]; data: FloatArray } {
  const shape = matmulDims(node, aShape, bShape) as number[];
  const a2 = aShape.length === 1 ? [1, aShape[0]] : aShape;
  const b2 = bShape.length === 1 ? [bShape[0], 1] : bShape;
  const m = a2[a2.length - 2], k = a2[a2.length - 1], n = b2[b2.length - 1];
  const aBatch = a2.slice(0, -2), bBatch = b2.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch)!;
  const data = a instanceof Float32Array && b instanceof Float32Array ? new Float32Array(sizeOf(shape)) : new Float64Array(sizeOf(shape));
  if (sizeOf(batch) === 0 || m === 0 || n === 0) return { shape, data };
  if (sizeOf(bBatch) === 1 && sizeOf(aBatch) === sizeOf(batch)) {
    // B is shared by every batch entry: stack A's rows into one tall gemm.
    gemm({ m: sizeOf(batch) * m, n, k, a, b, c: data });
    return { shape, data };
  }
  const aOffs = batchOffsets(batch, aBatch, m * k), bOffs = batchOffsets(batch, bBatch, k * n);
  for (let i = 0; i < aOffs.length; i++) {
    gemm({ m, n, k, a, aOffset: aOffs[i], b, bOffset: bOffs[i], c: data, cOffset: i * m * n });
  }
  return { shape, data };
}

/** The data of a numeric tensor as a FloatArray gemm accepts (float storage as is, integers widened to Float64). */
export function asFloat(data: NumericArray): FloatArray {
  return data instanceof Float32Array || data instanceof Float64Array ? data : Float64Array.from(data);
}

/** Integer dtypes MatMul and Gemm accept besides the floats. */
export const MATMUL_INTS: readonly DType[] = ["int32", "int64", "uint32", "uint64"];
