// Least-squares re-fit of an affine layer after pruning: each output row keeps a support (the inputs it may still
// read, and its bias) and gets the weights on that support that best reproduce the layer's original
// pre-activation on the fit rows:
//   min_v || X'_S v - X w ||^2 + λ || v - w0_S ||^2     (X: the original inputs, X': the pruned net's inputs)
// i.e. (G'_SS + λ I) v = (X'^T X w)_S + λ w0_S with G' = X'^T X'. Inputs are augmented with a column of ones, so
// the bias is re-fit too. The ridge term pulls directions the data does not determine back to the old weights.
import { gemm } from "../ops/util/gemm.ts";

/** X^T Y for row-major X [rows × dx] and Y [rows × dy], both augmented with a trailing column of ones:
 *  a (dx+1) × (dy+1) row-major float64 matrix. */
export function crossAug(X: Float32Array, dx: number, Y: Float32Array, dy: number, rows: number): Float64Array {
  // X^T as gemm's transposed A: packed into the same panels as a transposed copy would be (same products)
  const c = new Float32Array(dx * dy);
  gemm({ m: dx, n: dy, k: rows, a: X, transA: true, b: Y, c });
  const out = new Float64Array((dx + 1) * (dy + 1));
  for (let i = 0; i < dx; i++) for (let j = 0; j < dy; j++) out[i * (dy + 1) + j] = c[i * dy + j];
  // the ones column: sums (in float64)
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < dx; i++) out[i * (dy + 1) + dy] += X[r * dx + i];
    for (let j = 0; j < dy; j++) out[dx * (dy + 1) + j] += Y[r * dy + j];
  }
  out[dx * (dy + 1) + dy] = rows;
  return out;
}

/** The re-fit problem of one layer: G' (augmented, n × n with n = dn + 1) and per output row the target
 *  t_o = X'^T X w̃_o (length n). */
export interface RefitProblem {
  G: Float64Array;
  n: number;
  targets: Float64Array[];
}

/** Targets t_o = C w̃_o for old rows w̃_o = [W_o, b_o] (C = X'^T X augmented, (dn+1) × (dOld+1)). */
export function refitProblem(G: Float64Array, C: Float64Array, dn: number, dOld: number, W: ArrayLike<number>, b: ArrayLike<number>, outF: number): RefitProblem {
  const n = dn + 1, m = dOld + 1;
  const targets: Float64Array[] = [];
  const w = new Float64Array(m);
  for (let o = 0; o < outF; o++) {
    for (let j = 0; j < dOld; j++) w[j] = W[o * dOld + j];
    w[dOld] = b[o];
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * m;
      for (let j = 0; j < m; j++) s += C[row + j] * w[j];
      t[i] = s;
    }
    targets.push(t);
  }
  return { G, n, targets };
}

/** The same targets from values: t_o = X'^T z_o, with z_o the layer's original pre-activation on the fit rows
 *  (Z [rows × outF], X' [rows × dn]; equal to C w̃_o since z_o = X w̃_o). One product over the rows instead of
 *  the (dn+1) × (dOld+1) cross matrix and a matrix-vector product per row. */
export function refitProblemOn(G: Float64Array, Xn: Float32Array, dn: number, Z: Float32Array, outF: number, rows: number): RefitProblem {
  const n = dn + 1, m = outF + 1;
  const XZ = crossAug(Xn, dn, Z, outF, rows);
  const targets = Array.from({ length: outF }, (_, o) => Float64Array.from({ length: n }, (_, i) => XZ[i * m + o]));
  return { G, n, targets };
}

const CHOL_MAX = 160;
const CG_STEPS = 8;

/** Relative ridge: λ = RIDGE × mean diagonal of G'_SS (plus a floor for all-zero inputs). */
const RIDGE = 1e-6;

/** Solve row o's re-fit on `support` (indices < n - 1; the bias, index n - 1, is always included), starting from
 *  (and regularised towards) w0 (length n). Returns the full augmented row (0 off the support). */
export function refitRow(p: RefitProblem, o: number, support: readonly number[], w0: Float64Array): Float64Array {
  const { S, A, lam } = supportSystem(p, support);
  const k = S.length;
  const rhs = Float64Array.from(S, (i) => p.targets[o][i] + lam * w0[i]);
  // Cholesky up to CHOL_MAX unknowns; beyond, a few conjugate-gradient steps from the old weights (a large
  // support changes little, and k^3 per row would dominate the pass)
  const v = k <= CHOL_MAX ? cholSolve(A, rhs, k) : undefined;
  const sol = v ?? cgSolve(A, rhs, k, Float64Array.from(S, (i) => w0[i]), k <= CHOL_MAX ? 200 : CG_STEPS);
  return scatter(p.n, S, sol);
}

/** Rows `rows` re-fit on one shared support (as refitRow, each from and towards w0s[o]): one factorisation for
 *  every row. Falls back to refitRow per row when the system is not numerically SPD. */
export function refitRowsShared(p: RefitProblem, rows: readonly number[], support: readonly number[], w0s: readonly Float64Array[]): Float64Array[] {
  const { S, A, lam } = supportSystem(p, support);
  const L = cholFactor(A, S.length);
  return rows.map((o, r) => (L ? scatter(p.n, S, cholSolveWith(L, Float64Array.from(S, (i) => p.targets[o][i] + lam * w0s[r][i]), S.length)) : refitRow(p, o, support, w0s[r])));
}

/** The storage of supportSystem's matrix, reused: each system is solved before the next is built. */
let scratch = new Float64Array(0);

/** The re-fit's system on a support (the bias appended): G'_SS + λI with λ = RIDGE × its mean diagonal. */
function supportSystem(p: RefitProblem, support: readonly number[]): { S: number[]; A: Float64Array; lam: number } {
  const S = [...support, p.n - 1];
  const k = S.length;
  // every entry is written below: the scratch needs no clearing (a fresh k^2 array per row, megabytes for a wide
  // layer, was most of the pass's garbage)
  if (scratch.length < k * k) scratch = new Float64Array(k * k);
  const A = scratch.subarray(0, k * k);
  let diag = 0;
  for (let a = 0; a < k; a++) diag += p.G[S[a] * p.n + S[a]];
  const lam = RIDGE * (diag / k) + 1e-12;
  for (let a = 0; a < k; a++) {
    for (let c = 0; c < k; c++) A[a * k + c] = p.G[S[a] * p.n + S[c]];
    A[a * k + a] += lam;
  }
  return { S, A, lam };
}

/** A full augmented row of length n: sol at the support S, 0 elsewhere. */
function scatter(n: number, S: readonly number[], sol: Float64Array): Float64Array {
  const out = new Float64Array(n);
  S.forEach((i, a) => (out[i] = sol[a]));
  return out;
}

/** Cholesky solve of a symmetric positive definite system; undefined when it is not numerically SPD. */
export function cholSolve(A: Float64Array, b: Float64Array, k: number): Float64Array | undefined {
  const L = cholFactor(A, k);
  return L && cholSolveWith(L, b, k);
}

/** The lower Cholesky factor of A (k × k), or undefined when A is not numerically SPD. */
function cholFactor(A: Float64Array, k: number): Float64Array | undefined {
  const L = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * k + j];
      for (let t = 0; t < j; t++) s -= L[i * k + t] * L[j * k + t];
      if (i === j) {
        if (!(s > 0)) return undefined;
        L[i * k + i] = Math.sqrt(s);
      } else L[i * k + j] = s / L[j * k + j];
    }
  }
  return L;
}

/** Solve L L^T x = b for a lower Cholesky factor L. */
function cholSolveWith(L: Float64Array, b: Float64Array, k: number): Float64Array {
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let t = 0; t < i; t++) s -= L[i * k + t] * y[t];
    y[i] = s / L[i * k + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i];
    for (let t = i + 1; t < k; t++) s -= L[t * k + i] * y[t];
    y[i] = s / L[i * k + i];
  }
  return y;
}

/** Jacobi-preconditioned conjugate gradients from x0 (large supports, or a Cholesky breakdown). */
function cgSolve(A: Float64Array, b: Float64Array, k: number, x0: Float64Array, steps: number): Float64Array {
  const x = Float64Array.from(x0);
  const r = new Float64Array(k), z = new Float64Array(k), p = new Float64Array(k), Ap = new Float64Array(k);
  // four, then two rows at a time: each sum in the same order, several chains in flight (the loop is add-latency
  // bound)
  const mul = (v: Float64Array, out: Float64Array) => {
    let i = 0;
    for (; i + 3 < k; i += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      const r0 = i * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
      for (let j = 0; j < k; j++) {
        const x = v[j];
        s0 += A[r0 + j] * x;
        s1 += A[r1 + j] * x;
        s2 += A[r2 + j] * x;
        s3 += A[r3 + j] * x;
      }
      out[i] = s0;
      out[i + 1] = s1;
      out[i + 2] = s2;
      out[i + 3] = s3;
    }
    for (; i + 1 < k; i += 2) {
      let s0 = 0, s1 = 0;
      const r0 = i * k, r1 = r0 + k;
      for (let j = 0; j < k; j++) {
        const x = v[j];
        s0 += A[r0 + j] * x;
        s1 += A[r1 + j] * x;
      }
      out[i] = s0;
      out[i + 1] = s1;
    }
    for (; i < k; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += A[i * k + j] * v[j];
      out[i] = s;
    }
  };
  mul(x, Ap);
  let bn = 0;
  for (let i = 0; i < k; i++) { r[i] = b[i] - Ap[i]; z[i] = r[i] / A[i * k + i]; p[i] = z[i]; bn += b[i] * b[i]; }
  let rz = dot(r, z, k);
  for (let it = 0; it < steps; it++) {
    mul(p, Ap);
    const pAp = dot(p, Ap, k);
    if (!(pAp > 0)) break;
    const alpha = rz / pAp;
    let rn = 0;
    for (let i = 0; i < k; i++) { x[i] += alpha * p[i]; r[i] -= alpha * Ap[i]; rn += r[i] * r[i]; }
    if (rn <= 1e-20 * bn) break;
    for (let i = 0; i < k; i++) z[i] = r[i] / A[i * k + i];
    const rz2 = dot(r, z, k);
    for (let i = 0; i < k; i++) p[i] = z[i] + (rz2 / rz) * p[i];
    rz = rz2;
  }
  return x;
}

/** Σ_i a_i b_i over the first k entries, in index order. */
function dot(a: Float64Array, b: Float64Array, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) s += a[i] * b[i];
  return s;
}
