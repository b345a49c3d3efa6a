// The float32 gemm driver around the wasm SIMD kernels (gemm-simd.ts): A is packed into MR-row panels, B
// into NR-column panels one KC x NC block at a time (by the wasm gather from a copy in wasm memory, or in
// JS for a B too big to copy), each block is multiplied against all of A with MR x NR tiles accumulated
// in registers, and the C block is written back with alpha, beta, column groups and row bias applied.
import { cIndex, type FloatArray, type Full, type GatherB } from "./gemm-args.ts";
import { MR, NR, type SimdKernel } from "./gemm-simd.ts";

// Block sizes: a KC x NC float32 block of B is 256 KB (half the 512 KB L2 of the Zen 3 cores we measured),
// an MR x KC panel of A is 4 KB (L1).
const KC = 256;
const NC = 256;
// Beyond this many bytes of packed operands, split the rows and recurse: keeps wasm memory bounded
// (it only grows, so the largest product run so far sets its size).
let maxWasmBytes = 256 * 1024 * 1024;

/** The wasm memory budget for packed operands, in bytes. */
export function wasmBudget(): number {
  return maxWasmBytes;
}

/** Set the wasm memory budget for packed operands (bytes). */
export function setWasmBudget(bytes: number): void {
  maxWasmBytes = bytes;
}

const ceilTo = (x: number, q: number) => Math.ceil(x / q) * q;

/** C = alpha * op(A) * op(B) + beta * C (+ row bias) on the wasm SIMD kernel; float32 C. */
export function gemmSimd(kern: SimdKernel, g: Full): void {
  // A plain B within a quarter of the wasm budget is copied into wasm memory and packed by the wasm gather
  // (measured 1-3x faster than packing in JS); a bigger one is packed block by block in JS.
  const gb = g.bGather ?? (16 * (g.transB ? g.n : g.k) * g.ldb <= maxWasmBytes ? plainGather(g) : undefined);
  const mp = ceilTo(g.m, MR), np = ceilTo(g.n, NR);
  const ncMax = Math.min(NC, np);
  // Wasm memory holds all of packed A, one packed KC x NC block of B and the matching C block,
  // then for a gathered B its data, column addresses, row offsets and per-panel contiguity flags.
  const gatherFloats = gb ? gb.length + np + g.k + Math.ceil(np / NR / 4) : 0;
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
  const gt = gb ? gatherTables(kern, gb, cw + mp * ncMax, np, g.n, g.k) : undefined;
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

/** A plain strided B as a GatherB: copied whole into wasm memory, then packed by the wasm gather. */
function plainGather(g: Full): GatherB {
  const rows = g.transB ? g.n : g.k, cols = g.transB ? g.k : g.n;
  const length = (rows - 1) * g.ldb + cols;
  const colOffset = new Int32Array(g.n), rowOffset = new Int32Array(g.k);
  for (let j = 0; j < g.n; j++) colOffset[j] = g.transB ? j * g.ldb : j;
  for (let p = 0; p < g.k; p++) rowOffset[p] = g.transB ? p : p * g.ldb;
  const b = g.b;
  return {
    length, colOffset, rowOffset,
    write(mem, at) {
      if (b instanceof Float32Array) mem.set(b.subarray(g.bOffset, g.bOffset + length), at);
      else for (let i = 0; i < length; i++) mem[at + i] = b[g.bOffset + i];
    },
  };
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
    return;
  }
  // The last, partial panel: lane by lane (matrix-vector products are all partial panel).
  for (let r = 0; r < 4; r++) {
    if (r < valid) for (let p = 0, s = off + r * ls; p < kc; p++, s += ks) mem[dst + 4 * p + r] = src[s];
    else for (let p = 0; p < kc; p++) mem[dst + 4 * p + r] = 0;
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

/** Columns [jc, jc + nc) of C = alpha * Cw + beta * C (+ biases), from the block Cw (mp x nc) in wasm memory. */
function writeC(g: Full, mem: Float32Array, cw: number, nc: number, jc: number): void {
  const { m, c, alpha, beta, colBias } = g;
  const end = Math.min(jc + nc, g.n);
  const size = g.cGroups ? g.cGroups.size : g.n;
  for (let i = 0; i < m; i++) {
    const bias = g.rowBias ? g.rowBias[i] : 0;
    // One contiguous run of C per column group the block touches.
    for (let j = jc; j < end; ) {
      const runEnd = Math.min(end, (Math.floor(j / size) + 1) * size);
      const s = cw + i * nc + (j - jc), d = cIndex(g, i, j), w = runEnd - j;
      if (beta === 0 && alpha === 1 && bias === 0 && !colBias) c.set(mem.subarray(s, s + w), d);
      else if (colBias) {
        for (let q = 0; q < w; q++) c[d + q] = alpha * mem[s + q] + (beta === 0 ? 0 : beta * c[d + q]) + bias + colBias[j + q];
      } else if (beta === 0) for (let q = 0; q < w; q++) c[d + q] = alpha * mem[s + q] + bias;
      else for (let q = 0; q < w; q++) c[d + q] = alpha * mem[s + q] + beta * c[d + q] + bias;
      j = runEnd;
    }
  }
}
