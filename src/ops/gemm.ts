// Gemm: Y = alpha * op(A) * op(B) + beta * C, op = optional transpose, C broadcast to [M, N]
// (unidirectionally; optional since opset 11). Floats, and int32/int64/uint32/uint64 since opset 9.
import type { Dim } from "../graph/graph.ts";
import { allocData, sizeOf, type DType, type NumericArray, type NumTensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrFloat, attrInt, type Op, type OpCtx } from "./op.ts";
import { checkType, finish, FLOATS } from "./util/elementwise.ts";
import { gemm as sgemm, type FloatArray } from "./util/gemm.ts";
import { asFloat, MATMUL_INTS } from "./util/matmul.ts";
import { info, need } from "./util/shaping.ts";
import { dimsAgree, fmtShape } from "./util/spatial.ts";

const TYPES: readonly DType[] = [...FLOATS, ...MATMUL_INTS];

interface GemmAttrs {
  alpha: number;
  beta: number;
  transA: boolean;
  transB: boolean;
}

function readAttrs(ctx: OpCtx): GemmAttrs {
  const n = ctx.node;
  return {
    alpha: attrFloat(n, "alpha", 1),
    beta: attrFloat(n, "beta", 1),
    transA: attrInt(n, "transA", 0) !== 0,
    transB: attrInt(n, "transB", 0) !== 0,
  };
}

/** [M, N] from the shapes of A and B, checking ranks, inner dims and that C broadcasts to [M, N]. */
function outDims(ctx: OpCtx, at: GemmAttrs, a: readonly Dim[], b: readonly Dim[], c: readonly Dim[] | null): [Dim, Dim] {
  const node = ctx.node;
  if (a.length !== 2) throw new OpError(node, `A must be a matrix (rank 2), got shape ${fmtShape(a)}`);
  if (b.length !== 2) throw new OpError(node, `B must be a matrix (rank 2), got shape ${fmtShape(b)}`);
  const [m, ka] = at.transA ? [a[1], a[0]] : [a[0], a[1]];
  const [kb, n] = at.transB ? [b[1], b[0]] : [b[0], b[1]];
  if (!dimsAgree(ka, kb)) {
    throw new OpError(node, `inner dimensions differ: op(A) is [${m}, ${ka}] and op(B) is [${kb}, ${n}] (A ${fmtShape(a)}${at.transA ? " transposed" : ""}, B ${fmtShape(b)}${at.transB ? " transposed" : ""})`);
  }
  if (c) {
    const target = [m, n];
    const ok = c.length <= 2 && c.every((d, i) => d === 1 || dimsAgree(d, target[2 - c.length + i]));
    if (!ok) throw new OpError(node, `C of shape ${fmtShape(c)} does not broadcast to the output [${m}, ${n}]`);
  }
  return [m, n];
}

/** How C enters the product: as a per-column or per-row bias (scaled by beta), or as a full matrix in y. */
interface CTerm {
  colBias?: Float64Array;
  rowBias?: Float64Array;
  /** beta for the gemm: nonzero only when y was prefilled with a full [M, N] C. */
  beta: number;
}

/** Split C (rank 0..2, broadcast to [m, n]) into bias vectors where it is constant along an axis; else copy it into y. */
function cTerm(c: NumericArray, cShape: readonly number[], beta: number, y: FloatArray, m: number, n: number): CTerm {
  const rows = cShape.length === 2 ? cShape[0] : 1;
  const cols = cShape.length >= 1 ? cShape[cShape.length - 1] : 1;
  if (rows === 1) return { colBias: Float64Array.from({ length: n }, (_, j) => beta * c[cols === 1 ? 0 : j]), beta: 0 };
  if (cols === 1) return { rowBias: Float64Array.from({ length: m }, (_, i) => beta * c[i]), beta: 0 };
  for (let i = 0; i < m * n; i++) y[i] = c[i];
  return { beta };
}

export const gemm: Op = {
  name: "Gemm",
  shape(inputs, ctx) {
    const a = need(ctx.node, inputs, 0, "A");
    const b = need(ctx.node, inputs, 1, "B");
    const c = inputs[2];
    checkType(ctx.node, a.dtype, TYPES, "A");
    for (const [t, what] of [[b, "B"], [c, "C"]] as const) {
      if (t && t.dtype !== a.dtype) throw new OpError(ctx.node, `${what} has type ${t.dtype} but A has type ${a.dtype}`);
    }
    if (!a.shape || !b.shape) return [info(a.dtype, [null, null])];
    return [info(a.dtype, outDims(ctx, readAttrs(ctx), a.shape, b.shape, c?.shape ?? null))];
  },
  run(inputs, ctx) {
    const a = need(ctx.node, inputs, 0, "A") as NumTensor;
    const b = need(ctx.node, inputs, 1, "B") as NumTensor;
    const c = inputs[2] as NumTensor | undefined;
    checkType(ctx.node, a.dtype, TYPES, "A");
    if (b.dtype !== a.dtype || (c && c.dtype !== a.dtype)) {
      throw new OpError(ctx.node, `inputs must share one type, got A ${a.dtype}, B ${b.dtype}${c ? `, C ${c.dtype}` : ""}`);
    }
    const at = readAttrs(ctx);
    const [m, n] = outDims(ctx, at, a.shape, b.shape, c?.shape ?? null) as [number, number];
    const k = at.transA ? a.shape[0] : a.shape[1];
    const y = allocData(a.dtype, m * n) as NumericArray;
    // Integer types compute in Float64 (exact below 2^53) and are stored back through the typed array.
    const acc: FloatArray = y instanceof Float32Array || y instanceof Float64Array ? y : new Float64Array(m * n);
    const term: CTerm = c !== undefined && at.beta !== 0 && sizeOf(c.shape) > 0 ? cTerm(c.data, c.shape, at.beta, acc, m, n) : { beta: 0 };
    sgemm({
      m, n, k,
      a: asFloat(a.data), transA: at.transA,
      b: asFloat(b.data), transB: at.transB,
      c: acc, alpha: at.alpha, beta: term.beta, rowBias: term.rowBias, colBias: term.colBias,
    });
    if (acc !== y) y.set(acc);
    finish(a.dtype, y);
    return [{ dtype: a.dtype, shape: [m, n], data: y }];
  },
};
