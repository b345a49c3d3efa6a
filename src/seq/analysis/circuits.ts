// QK and OV circuits of a head as low-rank factors (TransformerLens's FactoredMatrix idea): M = A @ B with A [m, d]
// and B [d, n] thin (d = the head size), so the SVD of M comes from d x d matrices: with A = Qa Ra (Ra from the
// Cholesky factor of A^T A), M = Qa C for C = Ra B, and C C^T = W S^2 W^T (Jacobi). Then M = (Qa W S^1/2)(S^-1/2 W^T C).
import type { Circuit } from "./types.ts";

/** A dense row-major matrix. */
export interface Mat {
  rows: number;
  cols: number;
  d: Float64Array;
}

export const mat = (rows: number, cols: number, f: (i: number, j: number) => number): Mat => {
  const d = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) d[i * cols + j] = f(i, j);
  return { rows, cols, d };
};

export function mul(a: Mat, b: Mat): Mat {
  return mat(a.rows, b.cols, (i, j) => {
    let s = 0;
    for (let k = 0; k < a.cols; k++) s += a.d[i * a.cols + k] * b.d[k * b.cols + j];
    return s;
  });
}

export const transpose = (a: Mat): Mat => mat(a.cols, a.rows, (i, j) => a.d[j * a.cols + i]);

/** Eigenvalues (descending) and eigenvectors (columns) of a symmetric matrix, by cyclic Jacobi rotations. */
export function symEig(s: Mat): { values: number[]; vectors: Mat } {
  const n = s.rows;
  const a = Float64Array.from(s.d);
  const v = mat(n, n, (i, j) => (i === j ? 1 : 0)).d;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), sn = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - sn * akq;
          a[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - sn * aqk;
          a[q * n + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - sn * vkq;
          v[k * n + q] = sn * vkp + c * vkq;
        }
      }
    }
  }
  const order = [...Array(n).keys()].sort((i, j) => a[j * n + j] - a[i * n + i]);
  return { values: order.map((i) => a[i * n + i]), vectors: mat(n, n, (i, j) => v[i * n + order[j]]) };
}

/** Upper-triangular R with R^T R = G (Cholesky), a tiny ridge keeping it invertible. */
function cholUpper(G: Mat): Mat {
  const n = G.rows;
  const ridge = 1e-12 * Math.max(1e-30, ...Array.from({ length: n }, (_, i) => G.d[i * n + i]));
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = G.d[i * n + j] + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(Math.max(s, ridge)) : s / L[j * n + j];
    }
  }
  return mat(n, n, (i, j) => L[j * n + i]);
}

/** Solve X R = A for X (R upper triangular): A R^-1. */
function solveRight(A: Mat, R: Mat): Mat {
  const n = R.rows;
  const X = new Float64Array(A.rows * n);
  for (let r = 0; r < A.rows; r++) {
    for (let j = 0; j < n; j++) {
      let s = A.d[r * A.cols + j];
      for (let k = 0; k < j; k++) s -= X[r * n + k] * R.d[k * n + j];
      X[r * n + j] = s / R.d[j * n + j];
    }
  }
  return { rows: A.rows, cols: n, d: X };
}

/** The circuit A @ B as its singular values and factors at its numerical rank. */
export function factored(A: Mat, B: Mat): Circuit {
  const R = cholUpper(mul(transpose(A), A));
  const Q = solveRight(A, R);
  const C = mul(R, B);
  const { values, vectors: W } = symEig(mul(C, transpose(C)));
  const s = values.map((x) => Math.sqrt(Math.max(0, x)));
  const rank = Math.max(1, s.filter((x) => x > 1e-6 * (s[0] || 1)).length);
  const QW = mul(Q, W), WtC = mul(transpose(W), C);
  const Af = mat(A.rows, rank, (i, j) => QW.d[i * QW.cols + j] * Math.sqrt(s[j]));
  const Bf = mat(rank, B.cols, (i, j) => (s[i] > 0 ? WtC.d[i * WtC.cols + j] / Math.sqrt(s[i]) : 0));
  const r4 = (x: number) => +x.toPrecision(4);
  return { singular: s.map(r4), rank: s.filter((x) => x > 1e-6 * (s[0] || 1)).length, A: Array.from(Af.d, r4), B: Array.from(Bf.d, r4), shape: [A.rows, B.cols] };
}

/** Columns [c0, c1) of a row-major [rows, cols] float32 weight. */
export const columns = (W: Float32Array, rows: number, cols: number, c0: number, c1: number): Mat => mat(rows, c1 - c0, (i, j) => W[i * cols + c0 + j]);

/** Rows [r0, r1) of a row-major [rows, cols] float32 weight. */
export const rowsOf = (W: Float32Array, cols: number, r0: number, r1: number): Mat => mat(r1 - r0, cols, (i, j) => W[(r0 + i) * cols + j]);
