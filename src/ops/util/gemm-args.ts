// The arguments of a gemm call, shared by the dispatcher (gemm.ts) and the two kernels
// (gemm-wasm.ts for float32 SIMD, gemm-scalar.ts for float64 and the fallback).

export type FloatArray = Float32Array | Float64Array;

/** One gemm call. Leading dimensions are in elements; defaults give dense row-major matrices. */
export interface GemmArgs {
  m: number;
  n: number;
  k: number;
  /** op(A) is m x k: A is stored m x k, or k x m when transA. */
  a: FloatArray;
  aOffset?: number;
  lda?: number;
  transA?: boolean;
  /** op(B) is k x n: B is stored k x n, or n x k when transB. */
  b: FloatArray;
  bOffset?: number;
  ldb?: number;
  transB?: boolean;
  /**
   * float32 SIMD path only: op(B) as gathered data instead of `b` (which is then ignored), so a caller such
   * as Conv can feed its implicit im2col matrix without materialising it.
   */
  bGather?: GatherB;
  /** C is m x n; with beta = 0 (default) its previous content is ignored, NaN included. */
  c: FloatArray;
  cOffset?: number;
  ldc?: number;
  /**
   * C's columns come in groups of `size` whose starts are `stride` elements apart (default: contiguous).
   * Conv multiplies a batch of images at once and lets each image's columns land in its own planes.
   */
  cGroups?: { size: number; stride: number };
  /** Added to every element of row i of C, after alpha and beta (Conv's per-channel bias). */
  rowBias?: FloatArray;
  /** Added to every element of column j of C, after alpha and beta (Gemm's bias vector). */
  colBias?: FloatArray;
  alpha?: number;
  beta?: number;
}

/** op(B) element (k, j) is data[colOffset[j] + rowOffset[k]], where data is what write() puts in wasm memory. */
export interface GatherB {
  /** Floats of source data. */
  length: number;
  /** Write the source data into mem[at, at + length). */
  write(mem: Float32Array, at: number): void;
  /** Per column j < n of op(B). */
  colOffset: Int32Array;
  /** Per row k < k of op(B). */
  rowOffset: Int32Array;
}

type Optional = "bGather" | "cGroups" | "rowBias" | "colBias";
/** Resolved arguments: every field present but the optional extras. */
export type Full = Required<Omit<GemmArgs, Optional>> & Pick<GemmArgs, Optional>;

/** Fill in the defaults: dense row-major operands, alpha 1, beta 0. */
export function resolve(args: GemmArgs): Full {
  // Spelled out rather than spread: a spread of an options bag measured ~20 us per call in V8 here.
  const { m, n, k, a, b, c } = args;
  const transA = args.transA ?? false, transB = args.transB ?? false;
  return {
    m, n, k, a, b, c, transA, transB,
    aOffset: args.aOffset ?? 0,
    bOffset: args.bOffset ?? 0,
    cOffset: args.cOffset ?? 0,
    alpha: args.alpha ?? 1,
    beta: args.beta ?? 0,
    lda: args.lda ?? (transA ? m : k),
    ldb: args.ldb ?? (transB ? k : n),
    ldc: args.ldc ?? n,
    bGather: args.bGather,
    cGroups: args.cGroups,
    rowBias: args.rowBias,
    colBias: args.colBias,
  };
}

/** Where element (i, j) of C lives. */
export function cIndex(g: Full, i: number, j: number): number {
  const grp = g.cGroups;
  return g.cOffset + i * g.ldc + (grp ? Math.floor(j / grp.size) * grp.stride + (j % grp.size) : j);
}

