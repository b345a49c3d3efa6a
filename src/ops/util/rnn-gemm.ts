// The gate matmul of the recurrent ops: plain loops, register-blocked, on float64 buffers.

/**
 * C[i, j] += sum_p A[i, p] * B[j, p] for i < m, j < n (A is m x k from aOff, B is n x k from bOff, C has row stride ldc).
 * Both operands stream row-wise; a 2 x 4 register block shares each B load between two rows of A
 * and each A load between four rows of B.
 */
export function gemmABt(
  A: Float64Array, aOff: number, m: number, k: number,
  B: Float64Array, bOff: number, n: number,
  C: Float64Array, cOff: number, ldc: number,
): void {
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = aOff + i * k;
    const a1 = a0 + k;
    const c0 = cOff + i * ldc;
    const c1 = c0 + ldc;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = bOff + j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p];
        const x1 = A[a1 + p];
        const w0 = B[b0 + p];
        const w1 = B[b1 + p];
        const w2 = B[b2 + p];
        const w3 = B[b3 + p];
        s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
        s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
      }
      C[c0 + j] += s00; C[c0 + j + 1] += s01; C[c0 + j + 2] += s02; C[c0 + j + 3] += s03;
      C[c1 + j] += s10; C[c1 + j + 1] += s11; C[c1 + j + 2] += s12; C[c1 + j + 3] += s13;
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let s0 = 0, s1 = 0;
      for (let p = 0; p < k; p++) {
        s0 += A[a0 + p] * B[b0 + p];
        s1 += A[a1 + p] * B[b0 + p];
      }
      C[c0 + j] += s0;
      C[c1 + j] += s1;
    }
  }
  for (; i < m; i++) {
    const a0 = aOff + i * k;
    const c0 = cOff + i * ldc;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = bOff + j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const x = A[a0 + p];
        s0 += x * B[b0 + p]; s1 += x * B[b1 + p]; s2 += x * B[b2 + p]; s3 += x * B[b3 + p];
      }
      C[c0 + j] += s0; C[c0 + j + 1] += s1; C[c0 + j + 2] += s2; C[c0 + j + 3] += s3;
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[a0 + p] * B[b0 + p];
      C[c0 + j] += s;
    }
  }
}
