// Layerwise Optimal Brain Surgeon (src/passes/obs.ts) against direct solves on small least-squares problems, and
// the unit sensitivities it is scaled by (src/passes/sensitivity.ts) against finite differences, and the budgeted
// searches' incremental runs (runReusing) against fresh ones.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hinvApply, hinvUpper, obsSweep } from "../../src/passes/obs.ts";
import { unitSensitivity } from "../../src/passes/sensitivity.ts";
import { activations } from "../../src/passes/budget.ts";
import { f32 } from "../../src/graph/tensor.ts";
import type { Layer } from "../../src/net/net.ts";
import { runRows } from "../../src/passes/report.ts";
import { randn, rng } from "../helpers/rng.ts";
import { randomNet } from "./simplify-helpers.ts";

/** A random SPD matrix X^T X (n × n) of rows × n normal entries. */
function gram(seed: number, rows: number, n: number): Float64Array {
  const r = rng(seed);
  const X = Array.from({ length: rows * n }, () => randn(r));
  const H = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) for (let t = 0; t < rows; t++) H[a * n + b] += X[t * n + a] * X[t * n + b];
  return H;
}

/** Solve A x = b by Gaussian elimination with partial pivoting (the reference). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(M[i][c]) > Math.abs(M[p][c])) p = i;
    [M[c], M[p]] = [M[p], M[c]];
    for (let i = c + 1; i < n; i++) {
      const f = M[i][c] / M[c][c];
      for (let j = c; j <= n; j++) M[i][j] -= f * M[c][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = M[i][n];
    for (let j = i + 1; j < n; j++) s -= M[i][j] * x[j];
    x[i] = s / M[i][i];
  }
  return x;
}

/** The damped H the factor is of: H + damp × mean diagonal × I. */
function damped(H: Float64Array, n: number, damp: number): number[][] {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += H[i * n + i] / n;
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => H[i * n + j] + (i === j ? damp * mean : 0)));
}

test("hinvUpper: U is upper triangular and U^T U is the inverse of the damped H", () => {
  for (const [n, damp] of [[5, 0.01], [9, 1e-6]] as const) {
    const H = gram(1, 40, n);
    const U = hinvUpper(H, n, damp);
    const A = damped(H, n, damp);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) assert.equal(U[i * n + j], 0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0; // (A U^T U)_ij
        for (let k = 0; k < n; k++) {
          let hk = 0;
          for (let t = 0; t <= Math.min(k, j); t++) hk += U[t * n + k] * U[t * n + j];
          s += A[i][k] * hk;
        }
        assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-9, `n ${n}: (A H^-1)[${i}][${j}] = ${s}`);
      }
    }
    const t = Array.from({ length: n }, (_, i) => i - 2);
    const x = hinvApply(U, n, t), want = solve(A, t);
    want.forEach((v, i) => assert.ok(Math.abs(x[i] - v) < 1e-9 * (1 + Math.abs(v)), `hinvApply ${i}: ${x[i]} vs ${v}`));
  }
});

test("the OBS sweep's update is the least-squares optimum: pruning a prefix of columns equals a direct solve on the rest", () => {
  const n = 7, damp = 1e-3;
  const H = gram(2, 30, n);
  const A = damped(H, n, damp);
  const U = hinvUpper(H, n, damp);
  const r = rng(3);
  const w = Array.from({ length: n }, () => randn(r));
  for (const cut of [1, 2, 4]) {
    // min_v (v - w)^T A (v - w) with v_i = 0 for i < cut: A_FF v_F = A_F: w (F the free columns)
    const F = Array.from({ length: n - cut }, (_, i) => i + cut);
    const rhs = F.map((i) => A[i].reduce((s, a, j) => s + a * w[j], 0));
    const v = solve(F.map((i) => F.map((j) => A[i][j])), rhs);
    const W = Float64Array.from(w);
    const removed = obsSweep(W, 1, n, U, (_o, col) => col < cut);
    assert.equal(removed, cut);
    for (let i = 0; i < cut; i++) assert.equal(W[i], 0);
    F.forEach((i, a) => assert.ok(Math.abs(W[i] - v[a]) < 1e-9 * (1 + Math.abs(v[a])), `cut ${cut}, column ${i}: sweep ${W[i]} vs direct ${v[a]}`));
    // and the sweep's cost of the first removal is its squared error w^T A w after the update (OBS: w_q^2 / [H^-1]_qq)
  }
});

test("the sweep's cost is the increase in squared error, and rows are independent", () => {
  const n = 6, damp = 1e-2;
  const H = gram(4, 25, n);
  const A = damped(H, n, damp);
  const U = hinvUpper(H, n, damp);
  const w = [0.3, -1.2, 0.8, 0.05, -0.4, 1.0];
  const W = Float64Array.from([...w, ...w.map((v) => -2 * v)]);
  const costs: number[] = [];
  obsSweep(W, 2, n, U, (o, col, cost) => (o === 0 && col === 0 ? (costs.push(cost), true) : false));
  const d = w.map((v, i) => W[i] - v);
  const err = d.reduce((s, di, i) => s + di * A[i].reduce((t, a, j) => t + a * d[j], 0), 0);
  assert.ok(Math.abs(err - costs[0]) < 1e-9 * (1 + costs[0]), `error ${err} vs cost ${costs[0]}`);
  w.forEach((v, i) => assert.equal(W[n + i], -2 * v, "the other row is untouched"));
});

test("unit sensitivity of a ReLU MLP is the mean squared derivative of the top-1 margin (finite differences)", () => {
  const nt = randomNet(5, [4, 6, 5, 3]);
  const r = rng(6);
  const rows = 12;
  const x = f32([rows, 4], Float32Array.from({ length: rows * 4 }, () => randn(r)));
  const values = activations(nt, { x });
  const layers = nt.layers.filter((l): l is Layer & { kind: "affine" } => l.kind === "affine");
  const s = unitSensitivity(nt, layers, values, true)!;
  assert.ok(s, "a dense chain has sensitivities");
  // perturb fc2's bias of unit u: the margin's derivative w.r.t. z_u, per row
  const fc2 = layers[1];
  const y0 = runRows(nt, { x })[0].data as Float32Array;
  for (let u = 0; u < fc2.outFeatures; u++) {
    const h = 1e-3;
    const b = Float32Array.from(fc2.b);
    b[u] += h;
    const moved = { ...nt, layers: nt.layers.map((l) => (l.id === fc2.id ? { ...fc2, b } : l)) };
    const y1 = runRows(moved, { x })[0].data as Float32Array;
    let want = 0;
    for (let t = 0; t < rows; t++) {
      const o = [0, 1, 2].sort((a, c) => y0[t * 3 + c] - y0[t * 3 + a]);
      const m0 = y0[t * 3 + o[0]] - y0[t * 3 + o[1]], m1 = y1[t * 3 + o[0]] - y1[t * 3 + o[1]];
      want += ((m1 - m0) / h) ** 2 / rows;
    }
    assert.ok(Math.abs(s.get(fc2.id)![u] - want) < 2e-2 * (1 + want), `unit ${u}: ${s.get(fc2.id)![u]} vs ${want}`);
  }
});

test("the sweep on duplicated inputs moves each removed weight onto its copy: the row's output is unchanged", () => {
  const r = rng(11);
  const rows = 50, d = 8, n = d + 1;
  // inputs 4..7 repeat inputs 0..3 on every row; the ones column last
  const X = new Float64Array(rows * n);
  for (let t = 0; t < rows; t++) {
    for (let i = 0; i < 4; i++) X[t * n + i] = X[t * n + i + 4] = randn(r);
    X[t * n + d] = 1;
  }
  const H = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) for (let t = 0; t < rows; t++) H[a * n + b] += X[t * n + a] * X[t * n + b];
  const w = Array.from({ length: n }, () => randn(r));
  const W = Float64Array.from(w);
  obsSweep(W, 1, n, hinvUpper(H, n, 1e-10), (_o, col) => col < 4);
  for (let i = 0; i < 4; i++) {
    assert.equal(W[i], 0);
    assert.ok(Math.abs(W[i + 4] - (w[i] + w[i + 4])) < 1e-4, `input ${i}: ${W[i + 4]} vs ${w[i] + w[i + 4]}`);
  }
  assert.ok(Math.abs(W[d] - w[d]) < 1e-4, "the bias keeps its value");
});

test("runReusing: a candidate measured after another on the same rows gives exactly a fresh run's outputs", async () => {
  const { runReusing, runRows } = await import("../../src/passes/report.ts");
  const nt = randomNet(12, [5, 7, 6, 3]);
  const r = rng(13);
  const rows = { x: f32([40, 5], Float32Array.from({ length: 200 }, () => randn(r))) };
  // a candidate that changes the last layer only, and one that changes the first (so nothing can be reused)
  const edit = (id: string, k: number) => ({ ...nt, layers: nt.layers.map((l) => (l.id === id && l.kind === "affine" ? { ...l, W: Float32Array.from(l.W, (v, i) => (i % k === 0 ? 0 : v)) } : l)) });
  for (const cand of [nt, edit("fc3", 2), edit("fc1", 3), edit("fc3", 3), nt]) {
    const got = runReusing(cand, rows)[0].data as Float32Array;
    const want = runRows(cand, { x: rows.x })[0].data as Float32Array;
    assert.deepEqual([...got], [...want]);
  }
});
