// The one matrix-multiply entry point behind Gemm, MatMul, Conv (im2col), ConvTranspose, and available to
// the RNNs: C = alpha * op(A) * op(B) + beta * C over row-major, strided Float32Array/Float64Array matrices.
//
// A float32 C runs on WebAssembly SIMD (gemm-wasm.ts: packed panels, register-tiled f32x4 micro-kernel,
// cache blocking; about 10x the best scalar JS here). Float64 (and runtimes without wasm SIMD) run the
// scalar JS kernel (gemm-scalar.ts), exact for integer values below 2^53.
import { cIndex, resolve, type FloatArray, type Full, type GemmArgs } from "./gemm-args.ts";
import { gemmScalar } from "./gemm-scalar.ts";
import { loadSimdKernel, type SimdKernel } from "./gemm-simd.ts";
import { gemmSimd, setWasmBudget, wasmBudget } from "./gemm-wasm.ts";

export type { FloatArray, GatherB, GemmArgs } from "./gemm-args.ts";

// Below this many multiply-adds the scalar kernel is faster than packing into wasm memory.
let tiny = 16384;

/** Knobs that tests turn to reach every code path with small matrices. */
export interface GemmTuning {
  /** Products with fewer multiply-adds than this run on the scalar kernel. */
  tinyLimit: number;
  /** Wasm memory budget (bytes) for packed operands; beyond it B is packed in JS and rows are split. */
  wasmBudget: number;
}

/** Change some knobs; returns the previous values of all of them (pass them back to restore). */
export function tuneGemm(t: Partial<GemmTuning>): GemmTuning {
  const prev = { tinyLimit: tiny, wasmBudget: wasmBudget() };
  if (t.wasmBudget !== undefined) setWasmBudget(t.wasmBudget);
  if (t.tinyLimit !== undefined) tiny = t.tinyLimit;
  return prev;
}

let simd: SimdKernel | undefined | null = null;
let simdOn = !process.env.PSEUDONET_NO_SIMD;
function simdKernel(): SimdKernel | undefined {
  if (!simdOn) return undefined;
  if (simd === null) simd = loadSimdKernel();
  return simd;
}

/** Turn the wasm SIMD float32 path on or off (off: the scalar JS kernel); returns the previous setting. For tests and benchmarks. */
export function setSimd(on: boolean): boolean {
  const prev = simdOn;
  simdOn = on;
  return prev;
}

/** Whether float32 products currently run on the wasm SIMD kernel. */
export function simdActive(): boolean {
  return simdKernel() !== undefined;
}

/** C = alpha * op(A) * op(B) + beta * C (BLAS gemm semantics on row-major strided storage). */
export function gemm(args: GemmArgs): void {
  const g = resolve(args);
  if (g.m <= 0 || g.n <= 0) return;
  if (g.k <= 0 || g.alpha === 0) {
    scaleC(g);
    return;
  }
  // Tiny products are not worth the wasm packing (measured: ~50 us of setup for a 32 x 10 layer).
  const small = g.m * g.n * g.k < tiny && !g.bGather;
  const kern = g.c instanceof Float32Array && !small ? simdKernel() : undefined;
  if (kern) gemmSimd(kern, g);
  else if (g.bGather) throw new Error("gemm: bGather needs the float32 SIMD path (check simdActive() first)");
  else gemmScalar(g);
}

/** A fresh row-major product: [m x k] * [k x n] -> Float32Array [m x n] (float32 inputs) or Float64Array. */
export function matmul(a: FloatArray, b: FloatArray, m: number, k: number, n: number): FloatArray {
  const c = a instanceof Float32Array && b instanceof Float32Array ? new Float32Array(m * n) : new Float64Array(m * n);
  gemm({ m, n, k, a, b, c });
  return c;
}

/** No product to add: C = beta * C (+ biases). */
function scaleC(g: Full): void {
  for (let i = 0; i < g.m; i++) {
    const bias = g.rowBias ? g.rowBias[i] : 0;
    for (let j = 0; j < g.n; j++) {
      const o = cIndex(g, i, j);
      g.c[o] = (g.beta === 0 ? 0 : g.beta * g.c[o]) + bias + (g.colBias ? g.colBias[j] : 0);
    }
  }
}

