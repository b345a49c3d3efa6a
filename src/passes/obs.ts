// Optimal Brain Surgeon, layerwise (Frantar & Alistarh 2022, "Optimal Brain Compression"; the column sweep of
// SparseGPT, 2023): prune a dense layer's weights while keeping its pre-activation on the fit rows, in closed form.
//
// A row w (augmented with the bias, last) reads inputs X (augmented with ones); its error after a change δ is
// δ^T H δ with H = X^T X. Removing weight q and letting the other weights absorb it costs
//   w_q^2 / [H^-1]_qq,   with the optimal update δ = -(w_q / [H^-1]_qq) H^-1 e_q.
// The sweep visits columns in order; at column i the still-free weights are the columns > i, whose inverse
// Hessian is read off the upper Cholesky factor U of H^-1 (H^-1 = U^T U): [H_F^-1]_ii = U_ii^2 and the update
// of the later columns is -(w_i / U_ii) U[i, i+1:]. So one factorisation serves every row and every decision:
//   w[i+1:] -= (w_i / U_ii) U[i, i+1:],  w_i = 0      (for each (row, column) the caller prunes)
// The bias column is never pruned; it absorbs the mean of what is removed.

/** Dampening of H before inversion, relative to its mean diagonal (inputs that never vary make H singular): SparseGPT's
 *  default. (1e-3 and 1e-4 were tried on the MNIST MLP and CNN: no consistent difference.) */
export const OBS_DAMP = 0.01;

/** The upper-triangular U with (H + λI)^-1 = U^T U, for a symmetric positive semi-definite H (n × n, row-major),
 *  λ = damp × the mean diagonal. (An input that is 0 on every fit row has only λ on its diagonal: its weights
 *  cost almost nothing to remove; callers remove them outright.) Computed as U = P M^-1 P with P M M^T P = H (P reverses the order):
 *  one Cholesky and one triangular inverse. */
export function hinvUpper(H: Float64Array, n: number, damp = OBS_DAMP): Float64Array {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += H[i * n + i];
  mean = mean / Math.max(n, 1) || 1;
  const lam = damp * mean;
  // A = P H P (reversed order), damped
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = H[(n - 1 - i) * n + (n - 1 - j)];
  for (let i = 0; i < n; i++) A[i * n + i] += lam;
  // Cholesky A = M M^T in place (lower)
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = A[rj + j];
    for (let t = 0; t < j; t++) d -= A[rj + t] * A[rj + t];
    const mjj = Math.sqrt(Math.max(d, 1e-300));
    A[rj + j] = mjj;
    // two rows at a time: each sum in the same order, two chains in flight (the loop is add-latency bound)
    let i = j + 1;
    for (; i + 1 < n; i += 2) {
      const ri = i * n, ri2 = ri + n;
      let s = A[ri + j], s2 = A[ri2 + j];
      for (let t = 0; t < j; t++) {
        const a = A[rj + t];
        s -= A[ri + t] * a;
        s2 -= A[ri2 + t] * a;
      }
      A[ri + j] = s / mjj;
      A[ri2 + j] = s2 / mjj;
    }
    for (; i < n; i++) {
      const ri = i * n;
      let s = A[ri + j];
      for (let t = 0; t < j; t++) s -= A[ri + t] * A[rj + t];
      A[ri + j] = s / mjj;
    }
  }
  // Minv = M^-1 (lower), column c solving M x = e_c; stored transposed (row c of T is column c) so that every
  // inner product reads contiguous memory
  // Entry i of every column c < i needs entries c..i-1 of that column only: by rows i, the columns two at a time
  // (each sum in the same order as column by column, two chains in flight)
  const T = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    T[ri + i] = 1 / A[ri + i];
    let c = 0;
    for (; c + 1 < i; c += 2) {
      const rc = c * n, rc2 = rc + n;
      let s = 0, s2 = 0;
      s -= A[ri + c] * T[rc + c];
      for (let t = c + 1; t < i; t++) {
        const a = A[ri + t];
        s -= a * T[rc + t];
        s2 -= a * T[rc2 + t];
      }
      T[rc + i] = s / A[ri + i];
      T[rc2 + i] = s2 / A[ri + i];
    }
    for (; c < i; c++) {
      const rc = c * n;
      let s = 0;
      for (let t = c; t < i; t++) s -= A[ri + t] * T[rc + t];
      T[rc + i] = s / A[ri + i];
    }
  }
  // U = P Minv P: U[i][j] = Minv[n-1-i][n-1-j] = T[n-1-j][n-1-i], upper triangular
  const U = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) U[i * n + j] = T[(n - 1 - j) * n + (n - 1 - i)];
  return U;
}

/** Which weights the sweep removes: asked at column i with the row's weight as updated so far and the cost
 *  unit w^2 / U_ii^2 (the increase of the row's squared error on the fit rows). */
export type PruneRule = (row: number, col: number, cost: number) => boolean;

/** The OBS column sweep over `rows` augmented rows of length n (row-major W, bias last, modified in place):
 *  at each column i < n - 1, every row the rule prunes has w_i set to 0 and its later columns updated.
 *  Returns the number of weights removed (weights already 0 are not asked about). */
export function obsSweep(W: Float64Array, rows: number, n: number, U: Float64Array, prune: PruneRule): number {
  let removed = 0;
  const errs = new Float64Array(rows);
  const hit = new Int32Array(rows);
  for (let i = 0; i < n - 1; i++) {
    const uii = U[i * n + i];
    let any = false;
    for (let o = 0; o < rows; o++) {
      const w = W[o * n + i];
      errs[o] = 0;
      if (w === 0 || !prune(o, i, (w * w) / (uii * uii))) continue;
      errs[o] = w / uii;
      W[o * n + i] = 0;
      removed++;
      any = true;
    }
    if (!any) continue;
    const ui = i * n;
    let h = 0;
    for (let o = 0; o < rows; o++) if (errs[o] !== 0) hit[h++] = o;
    // columns already pruned in a row stay 0: the update only moves free weights (and the bias, last); two rows
    // at a time share the reads of U's row (each entry still gets the one update it got row by row)
    let q = 0;
    for (; q + 1 < h; q += 2) {
      const r0 = hit[q] * n, r1 = hit[q + 1] * n, e0 = errs[hit[q]], e1 = errs[hit[q + 1]];
      for (let j = i + 1; j < n - 1; j++) {
        const u = U[ui + j], w0 = W[r0 + j], w1 = W[r1 + j];
        if (w0 !== 0) W[r0 + j] = w0 - e0 * u;
        if (w1 !== 0) W[r1 + j] = w1 - e1 * u;
      }
      W[r0 + n - 1] -= e0 * U[ui + n - 1];
      W[r1 + n - 1] -= e1 * U[ui + n - 1];
    }
    for (; q < h; q++) {
      const ro = hit[q] * n, e = errs[hit[q]];
      for (let j = i + 1; j < n - 1; j++) {
        const w = W[ro + j];
        if (w !== 0) W[ro + j] = w - e * U[ui + j];
      }
      W[ro + n - 1] -= e * U[ui + n - 1];
    }
  }
  return removed;
}

/** x = (H + λI)^-1 t = U^T U t for the factor U of hinvUpper (n × n): the damped least-squares solution of one
 *  row, in two triangular products. */
export function hinvApply(U: Float64Array, n: number, t: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const ri = i * n;
    for (let j = i; j < n; j++) s += U[ri + j] * t[j];
    y[i] = s;
  }
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const yi = y[i];
    if (yi === 0) continue;
    const ri = i * n;
    for (let j = i; j < n; j++) x[j] += U[ri + j] * yi;
  }
  return x;
}
