// The scalar JS gemm: float64 (exact for integer products below 2^53, which MatMulInteger and ConvInteger
// rely on) and the fallback when wasm SIMD is unavailable. Both operands are repacked contiguous in k and
// 4 x 4 tiles of C accumulate in registers over the k loop (innermost).
import { cIndex, type FloatArray, type Full } from "./gemm-args.ts";

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

/** C = alpha * op(A) * op(B) + beta * C (+ row bias) in plain JS. */
export function gemmScalar(g: Full): void {
  const { m, n, k } = g;
  if (scratchA.length < m * k) scratchA = new Float64Array(m * k);
  if (scratchB.length < n * k) scratchB = new Float64Array(n * k);
  const A = scratchA, B = scratchB;
  packRows(g.a, g.aOffset, g.lda, g.transA, m, k, A);
  // Row j of the packed B is column j of op(B), so both operands are contiguous in k.
  packRows(g.b, g.bOffset, g.ldb, !g.transB, n, k, B);
  const { c, alpha, beta, rowBias, colBias } = g;
  const put = (i: number, j: number, v: number) => {
    const o = cIndex(g, i, j);
    c[o] = (beta === 0 ? alpha * v : alpha * v + beta * c[o]) + (rowBias ? rowBias[i] : 0) + (colBias ? colBias[j] : 0);
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
    // Leftover rows: four columns at a time, so four independent sums hide the add latency.
    const a0 = i * k;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const x = A[a0 + p];
        s0 += x * B[b0 + p]; s1 += x * B[b1 + p]; s2 += x * B[b2 + p]; s3 += x * B[b3 + p];
      }
      put(i, j, s0); put(i, j + 1, s1); put(i, j + 2, s2); put(i, j + 3, s3);
    }
    for (; j < n; j++) {
      const b0 = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[a0 + p] * B[b0 + p];
      put(i, j, s);
    }
  }
}
