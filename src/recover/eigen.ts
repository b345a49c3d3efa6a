// A sparse top-k symmetric eigensolver: Lanczos with full reorthogonalisation on a matrix given only by its
// product with a vector, then the small tridiagonal problem by Jacobi rotations. Spectral clustering needs a
// few eigenvectors of an n x n sparse matrix; a dense eigendecomposition is O(n^3) (51 s at n = 2000 here).
import { rng } from "../util/rng.ts";

/** A symmetric sparse matrix in CSR form. */
export interface Csr {
  n: number;
  rowStart: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

/** y = A x for a CSR matrix. */
export function csrMul(a: Csr, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < a.n; i++) {
    let s = 0;
    for (let p = a.rowStart[i]; p < a.rowStart[i + 1]; p++) s += a.val[p] * x[a.col[p]];
    y[i] = s;
  }
}

/** Eigenvalues (descending) and eigenvectors (columns, as arrays) of a small dense symmetric matrix, by cyclic Jacobi. */
export function jacobiEigen(A: Float64Array[], sweeps = 60): { values: number[]; vectors: Float64Array[] } {
  const n = A.length;
  const a = A.map((r) => Float64Array.from(r));
  const v = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sw = 0; sw < sweeps; sw++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = [...Array(n).keys()].sort((i, j) => a[j][j] - a[i][i]);
  return { values: order.map((i) => a[i][i]), vectors: order.map((i) => Float64Array.from(v, (row) => row[i])) };
}

/** The k largest eigenpairs of a symmetric matrix given by `mul`, by Lanczos (m steps, full reorthogonalisation). */
export function lanczosTop(n: number, mul: (x: Float64Array, y: Float64Array) => void, k: number, seed = 1, steps?: number): { values: number[]; vectors: Float64Array[] } {
  return ritzPairs(lanczosBasis(n, mul, lanczosSteps(n, k, steps), seed), k);
}

/** Lanczos steps for k eigenpairs of an n x n matrix (or the steps asked for). */
export function lanczosSteps(n: number, k: number, steps?: number): number {
  return Math.min(n, steps ?? Math.max(2 * k + 30, 60));
}

/** The Krylov basis of m Lanczos steps and the eigendecomposition of its tridiagonal matrix: everything the
 *  eigenpairs need except how many of them (so one basis serves callers that want different k). */
export interface LanczosBasis {
  n: number;
  Q: Float64Array[];
  e: { values: number[]; vectors: Float64Array[] };
}

/** m Lanczos steps from a seeded start vector. */
export function lanczosBasis(n: number, mul: (x: Float64Array, y: Float64Array) => void, m: number, seed = 1): LanczosBasis {
  const u = rng(seed);
  const Q: Float64Array[] = [];
  let q: Float64Array = Float64Array.from({ length: n }, () => u() - 0.5);
  let nrm = Math.hypot(...q);
  q = q.map((x) => x / nrm);
  const alpha: number[] = [], beta: number[] = [];
  const w = new Float64Array(n);
  for (let j = 0; j < m; j++) {
    Q.push(q);
    mul(q, w);
    let a = 0;
    for (let i = 0; i < n; i++) a += w[i] * q[i];
    alpha.push(a);
    // Full reorthogonalisation (twice is enough): keeps the Krylov basis orthogonal in floating point.
    // For each v of Q, twice over: d = <w, v>, then w -= d v. Each subtraction runs in one loop with the next dot
    // product (and the last with ||w||^2): the same values in the same order as two loops, one pass over w fewer.
    const qn = Q.length;
    let d = 0;
    for (let i = 0; i < n; i++) d += w[i] * Q[0][i];
    for (let s = 0; s < 2 * qn; s++) {
      const v = Q[s % qn];
      const next = s + 1 < 2 * qn ? Q[(s + 1) % qn] : w;
      let e = 0;
      for (let i = 0; i < n; i++) {
        const x = w[i] - d * v[i];
        w[i] = x;
        e += x * next[i];
      }
      d = e;
    }
    nrm = Math.sqrt(d);
    if (j === m - 1) break;
    if (nrm < 1e-10) {
      // Invariant subspace found: restart with a fresh vector orthogonal to the basis (a disconnected graph does this).
      const r = Float64Array.from({ length: n }, () => u() - 0.5);
      for (const v of Q) {
        let d = 0;
        for (let i = 0; i < n; i++) d += r[i] * v[i];
        for (let i = 0; i < n; i++) r[i] -= d * v[i];
      }
      const rn = Math.hypot(...r);
      if (rn < 1e-10) break;
      beta.push(0);
      q = r.map((x) => x / rn);
    } else {
      beta.push(nrm);
      q = w.map((x) => x / nrm);
    }
  }
  const t = Q.length;
  const T = Array.from({ length: t }, (_, i) => Float64Array.from({ length: t }, (_, j) => (i === j ? alpha[i] : Math.abs(i - j) === 1 ? beta[Math.min(i, j)] : 0)));
  return { n, Q, e: jacobiEigen(T) };
}

/** The k largest Ritz pairs of a Lanczos basis. */
export function ritzPairs(basis: LanczosBasis, k: number): { values: number[]; vectors: Float64Array[] } {
  const { n, Q, e } = basis;
  const t = Q.length;
  const kk = Math.min(k, t);
  const vectors = e.vectors.slice(0, kk).map((s) => {
    const x = new Float64Array(n);
    for (let j = 0; j < t; j++) for (let i = 0; i < n; i++) x[i] += s[j] * Q[j][i];
    return x;
  });
  return { values: e.values.slice(0, kk), vectors };
}
