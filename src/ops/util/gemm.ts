// The one matrix-multiply kernel behind Gemm, MatMul, Conv (im2col), ConvTranspose and the RNNs:
// C = alpha * op(A) * op(B) + beta * C over row-major, strided Float32Array/Float64Array matrices.
//
// float32: A and B are packed into k-contiguous panels inside a WebAssembly memory, and the SIMD
// micro-kernel (gemm-simd.ts) accumulates MR x NR tiles in registers, blocked over k (KC) and n (NC)
// so one B block stays in L2 while every A panel streams past it. float64 (and any runtime without
// wasm SIMD): a scalar JS kernel, also packed k-contiguous, 4x4 register tiles, k innermost, exact
// for integer products below 2^53 (which MatMulInteger/ConvInteger rely on).
import { loadSimdKernel, MR, NR, type SimdKernel } from "./gemm-simd.ts";

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

/** Resolved arguments: every field present. */
type Optional = "bGather" | "cGroups" | "rowBias";
type Full = Required<Omit<GemmArgs, Optional>> & Pick<GemmArgs, Optional>;

// Block sizes: a KC x NC float32 block of B is 256 KB (half the 512 KB L2 of the Zen 3 cores we measured),
// an MR x KC panel of A is 4 KB (L1).
const KC = 256;
const NC = 256;
// Beyond this many bytes of packed operands, split the rows and recurse: keeps wasm memory bounded
// (it only grows, so the largest product run so far sets its size).
let maxWasmBytes = 256 * 1024 * 1024;

/** Set the wasm memory budget for packed operands (bytes); returns the previous one. For tests. */
export function setWasmBudget(bytes: number): number {
  const prev = maxWasmBytes;
  maxWasmBytes = bytes;
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
  const g: Full = {
    ...args,
    aOffset: args.aOffset ?? 0,
    bOffset: args.bOffset ?? 0,
    cOffset: args.cOffset ?? 0,
    transA: args.transA ?? false,
    transB: args.transB ?? false,
    alpha: args.alpha ?? 1,
    beta: args.beta ?? 0,
    lda: args.lda ?? (args.transA ? args.m : args.k),
    ldb: args.ldb ?? (args.transB ? args.k : args.n),
    ldc: args.ldc ?? args.n,
  };
  if (g.m <= 0 || g.n <= 0) return;
  if (g.k <= 0 || g.alpha === 0) {
    scaleC(g);
    return;
  }
  const kern = g.c instanceof Float32Array ? simdKernel() : undefined;
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

/** Where element (i, j) of C lives. */
function cIndex(g: Full, i: number, j: number): number {
  const grp = g.cGroups;
  return g.cOffset + i * g.ldc + (grp ? Math.floor(j / grp.size) * grp.stride + (j % grp.size) : j);
}

function scaleC(g: Full): void {
  for (let i = 0; i < g.m; i++) {
    const bias = g.rowBias ? g.rowBias[i] : 0;
    for (let j = 0; j < g.n; j++) {
      const o = cIndex(g, i, j);
      g.c[o] = (g.beta === 0 ? 0 : g.beta * g.c[o]) + bias;
    }
  }
}

// ---------------------------------------------------------------- float32, wasm SIMD

const ceilTo = (x: number, q: number) => Math.ceil(x / q) * q;

function gemmSimd(kern: SimdKernel, g: Full): void {
  const mp = ceilTo(g.m, MR), np = ceilTo(g.n, NR);
  const ncMax = Math.min(NC, np);
  // Wasm memory holds all of packed A, one packed KC x NC block of B and the matching C block,
  // then for a gathered B its data, column addresses, row offsets and per-panel contiguity flags.
  const gatherFloats = g.bGather ? g.bGather.length + np + g.k + Math.ceil(np / NR / 4) : 0;
  const floats = mp * g.k + Math.min(KC, g.k) * ncMax + mp * ncMax + gatherFloats;
  if (floats * 4 > maxWasmBytes && g.m > MR) {
    // Split the rows: each half is an independent gemm over the same B.
    const half = ceilTo(Math.ceil(g.m / 2), MR);
    const aStep = g.transA ? half : half * g.lda;
    gemmSimd(kern, { ...g, m: half });
    gemmSimd(kern, { ...g, m: g.m - half, aOffset: g.aOffset + aStep, cOffset: g.cOffset + half * g.ldc, rowBias: g.rowBias?.subarray(half) });
    return;
  }
  const need = floats * 4;
  if (kern.mem.buffer.byteLength < need) kern.mem.grow(Math.ceil((need - kern.mem.buffer.byteLength) / 65536));
  const mem = new Float32Array(kern.mem.buffer);
  // Layout: Ap [k-block][m-panel][k][MR] | B block [n-panel][k][NR] | C block [mp][nc].
  const ap = 0, bp = mp * g.k, cw = bp + Math.min(KC, g.k) * ncMax;
  const gt = g.bGather ? gatherTables(kern, g.bGather, cw + mp * ncMax, np, g.n, g.k) : undefined;
  packA(g, mem, ap, mp);
  for (let jc = 0; jc < np; jc += NC) {
    const nc = Math.min(NC, np - jc);
    for (let pc = 0; pc < g.k; pc += KC) {
      const kc = Math.min(KC, g.k - pc);
      // Pack B just before use, so the block is still in cache when the kernel streams it.
      if (gt) kern.gather(bp * 4, gt.cols + jc * 4, gt.flags + jc / NR, gt.rows + pc * 4, kc, nc / NR);
      else packBBlock(g, mem, bp, pc, kc, jc, nc);
      kern.kernel((ap + pc * mp) * 4, bp * 4, cw * 4, mp / MR, nc / NR, kc, nc * 4, pc > 0 ? 1 : 0);
    }
    writeC(g, mem, cw, nc, jc);
  }
}

/** Pack op(A) (m x k) into MR-row panels, k-contiguous, zero rows past m. */
function packA(g: Full, mem: Float32Array, base: number, mp: number): void {
  // Lane = a row of op(A); consecutive lanes and consecutive k are `ls` and `ks` apart in storage.
  const ls = g.transA ? 1 : g.lda, ks = g.transA ? g.lda : 1;
  for (let pc = 0; pc < g.k; pc += KC) {
    const kc = Math.min(KC, g.k - pc);
    for (let i = 0; i < mp; i += MR) {
      pack4(g.a, g.aOffset + i * ls + pc * ks, ls, ks, Math.min(MR, g.m - i), kc, mem, base + pc * mp + i * kc);
    }
  }
}

/** Byte addresses of a gathered B's tables in wasm memory. */
interface GatherTables {
  cols: number;
  rows: number;
  flags: number;
}

/** Put a GatherB's data and tables into wasm memory from float offset `at`. Columns past n repeat the
 *  last one: they only feed C columns that are never written out. */
function gatherTables(kern: SimdKernel, gb: GatherB, at: number, np: number, n: number, k: number): GatherTables {
  const mem = new Float32Array(kern.mem.buffer), ints = new Int32Array(kern.mem.buffer), bytes = new Uint8Array(kern.mem.buffer);
  gb.write(mem, at);
  const cols = at + gb.length, rows = cols + np, flags = (rows + k) * 4;
  const src = at * 4;
  for (let j = 0; j < np; j++) ints[cols + j] = src + 4 * gb.colOffset[Math.min(j, n - 1)];
  for (let p = 0; p < k; p++) ints[rows + p] = 4 * gb.rowOffset[p];
  for (let j0 = 0; j0 < np; j0 += NR) {
    let contiguous = 1;
    for (let c = 1; c < NR; c++) if (ints[cols + j0 + c] !== ints[cols + j0] + 4 * c) contiguous = 0;
    bytes[flags + j0 / NR] = contiguous;
  }
  return { cols: cols * 4, rows: rows * 4, flags };
}

/** Pack rows [pc, pc+kc) x columns [jc, jc+nc) of op(B) into NR-column panels at mem[base], zero past n. */
function packBBlock(g: Full, mem: Float32Array, base: number, pc: number, kc: number, jc: number, nc: number): void {
  const ls = g.transB ? g.ldb : 1, ks = g.transB ? 1 : g.ldb;
  for (let j = 0; j < nc; j += NR) {
    const col = jc + j;
    pack8(g.b, g.bOffset + col * ls + pc * ks, ls, ks, Math.min(NR, g.n - col), kc, mem, base + j * kc);
  }
}

/** Interleave 4 lanes of kc values (lane stride ls, k stride ks) into mem; lanes >= valid are zero. */
function pack4(src: FloatArray, off: number, ls: number, ks: number, valid: number, kc: number, mem: Float32Array, dst: number): void {
  if (valid === 4) {
    const l2 = 2 * ls, l3 = 3 * ls;
    for (let p = 0, s = off; p < kc; p++, s += ks, dst += 4) {
      mem[dst] = src[s]; mem[dst + 1] = src[s + ls]; mem[dst + 2] = src[s + l2]; mem[dst + 3] = src[s + l3];
    }
  } else {
    for (let p = 0, s = off; p < kc; p++, s += ks, dst += 4) {
      for (let r = 0; r < 4; r++) mem[dst + r] = r < valid ? src[s + r * ls] : 0;
    }
  }
}

/** Interleave 8 lanes of kc values into mem; lanes >= valid are zero. */
function pack8(src: FloatArray, off: number, ls: number, ks: number, valid: number, kc: number, mem: Float32Array, dst: number): void {
  if (valid === 8) {
    const l2 = 2 * ls, l3 = 3 * ls, l4 = 4 * ls, l5 = 5 * ls, l6 = 6 * ls, l7 = 7 * ls;
    for (let p = 0, s = off; p < kc; p++, s += ks, dst += 8) {
      mem[dst] = src[s]; mem[dst + 1] = src[s + ls]; mem[dst + 2] = src[s + l2]; mem[dst + 3] = src[s + l3];
      mem[dst + 4] = src[s + l4]; mem[dst + 5] = src[s + l5]; mem[dst + 6] = src[s + l6]; mem[dst + 7] = src[s + l7];
    }
  } else {
    for (let p = 0, s = off; p < kc; p++, s += ks, dst += 8) {
      for (let r = 0; r < 8; r++) mem[dst + r] = r < valid ? src[s + r * ls] : 0;
    }
  }
}

/** Columns [jc, jc + nc) of C = alpha * Cw + beta * C (+ row bias), from the block Cw (mp x nc) in wasm memory. */
function writeC(g: Full, mem: Float32Array, cw: number, nc: number, jc: number): void {
  const { m, c, alpha, beta } = g;
  const end = Math.min(jc + nc, g.n);
  const size = g.cGroups ? g.cGroups.size : g.n;
  for (let i = 0; i < m; i++) {
    const bias = g.rowBias ? g.rowBias[i] : 0;
    // One contiguous run of C per column group the block touches.
    for (let j = jc; j < end; ) {
      const runEnd = Math.min(end, (Math.floor(j / size) + 1) * size);
      const s = cw + i * nc + (j - jc), d = cIndex(g, i, j), w = runEnd - j;
      if (beta === 0 && alpha === 1 && bias === 0) c.set(mem.subarray(s, s + w), d);
      else if (beta === 0) for (let q = 0; q < w; q++) c[d + q] = alpha * mem[s + q] + bias;
      else for (let q = 0; q < w; q++) c[d + q] = alpha * mem[s + q] + beta * c[d + q] + bias;
      j = runEnd;
    }
  }
}

// ---------------------------------------------------------------- float64 / fallback, scalar JS

let scratchA = new Float64Array(0);
let scratchB = new Float64Array(0);

/** Copy op(X) (rows x cols) into a dense row-major Float64Array (rows contiguous in k). */
function packRows(x: FloatArray, off: number, ld: number, trans: boolean, rows: number, cols: number, dst: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const d = r * cols;
    if (trans) for (let q = 0, s = off + r; q < cols; q++, s += ld) dst[d + q] = x[s];
    else for (let q = 0, s = off + r * ld; q < cols; q++) dst[d + q] = x[s + q];
  }
}

function gemmScalar(g: Full): void {
  const { m, n, k } = g;
  if (scratchA.length < m * k) scratchA = new Float64Array(m * k);
  if (scratchB.length < n * k) scratchB = new Float64Array(n * k);
  const A = scratchA, B = scratchB;
  packRows(g.a, g.aOffset, g.lda, g.transA, m, k, A);
  // Row j of the packed B is column j of op(B), so both operands are contiguous in k.
  packRows(g.b, g.bOffset, g.ldb, !g.transB, n, k, B);
  const { c, alpha, beta, rowBias } = g;
  const put = (i: number, j: number, v: number) => {
    const o = cIndex(g, i, j);
    c[o] = (beta === 0 ? alpha * v : alpha * v + beta * c[o]) + (rowBias ? rowBias[i] : 0);
  };
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p], x1 = A[a1 + p], x2 = A[a2 + p], x3 = A[a3 + p];
        const y0 = B[b0 + p], y1 = B[b1 + p], y2 = B[b2 + p], y3 = B[b3 + p];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      put(i, j, c00); put(i, j + 1, c01); put(i, j + 2, c02); put(i, j + 3, c03);
      put(i + 1, j, c10); put(i + 1, j + 1, c11); put(i + 1, j + 2, c12); put(i + 1, j + 3, c13);
      put(i + 2, j, c20); put(i + 2, j + 1, c21); put(i + 2, j + 2, c22); put(i + 2, j + 3, c23);
      put(i + 3, j, c30); put(i + 3, j + 1, c31); put(i + 3, j + 2, c32); put(i + 3, j + 3, c33);
    }
    for (; j < n; j++) {
      const b0 = j * k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const y = B[b0 + p];
        s0 += A[a0 + p] * y; s1 += A[a1 + p] * y; s2 += A[a2 + p] * y; s3 += A[a3 + p] * y;
      }
      put(i, j, s0); put(i + 1, j, s1); put(i + 2, j, s2); put(i + 3, j, s3);
    }
  }
  for (; i < m; i++) {
    const a0 = i * k;
    for (let j = 0; j < n; j++) {
      const b0 = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[a0 + p] * B[b0 + p];
      put(i, j, s);
    }
  }
}
