// The pruning searches' parts: the galloping search and shared-prefix measure (budget.ts) against plain
// bisection and fresh runs, greedy group OBS unit
// order (prune-units.ts) against brute-force least squares, the re-fit targets from values and the shared-support
// re-fit (refit.ts) against their per-row definitions.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Layer, Net } from "../../src/net/net.ts";
import { measure, measureShared, sharedValues, smallestPassing, smallestPassingFromTop } from "../../src/passes/budget.ts";
import { simplifyState } from "../../src/passes/state.ts";
import { obsUnitOrder } from "../../src/passes/prune-units.ts";
import { crossAug, refitProblem, refitProblemOn, refitRow, refitRowsShared } from "../../src/passes/refit.ts";
import { randn, rng } from "../helpers/rng.ts";
import { act, boxRows, dense, net } from "./simplify-helpers.ts";

test("smallestPassingFromTop finds what bisection finds on monotone predicates, in few calls when the answer is near the top", () => {
  const r = rng(11);
  for (let t = 0; t < 300; t++) {
    const lo = Math.floor(r() * 5), hi = lo + Math.floor(r() * 60);
    const answer = lo + Math.floor(r() * (hi - lo + 1));
    let calls = 0;
    const ok = (k: number) => (calls++, k >= answer);
    const got = smallestPassingFromTop(lo, hi, ok);
    assert.equal(got, smallestPassing(lo, hi, (k) => k >= answer), `lo ${lo} hi ${hi} answer ${answer}`);
    assert.equal(got, answer);
    const gap = hi - answer;
    assert.ok(calls <= 2 * Math.ceil(Math.log2(gap + 2)) + 2, `${calls} calls for a gap of ${gap}`);
  }
});

/** Least-squares error of reproducing Y [rows × outF] from the columns `cols` of A (plus a ones column). */
function lsError(A: Float32Array, n: number, Y: Float64Array, outF: number, rows: number, cols: number[]): number {
  const S = [...cols, n];
  const k = S.length;
  const col = (r: number, a: number) => (S[a] === n ? 1 : A[r * n + S[a]]);
  let err = 0;
  for (let o = 0; o < outF; o++) {
    // normal equations, solved by Gaussian elimination
    const M = Array.from({ length: k }, (_, a) => {
      const row = Array.from({ length: k + 1 }, () => 0);
      for (let r = 0; r < rows; r++) {
        for (let b = 0; b < k; b++) row[b] += col(r, a) * col(r, b);
        row[k] += col(r, a) * Y[r * outF + o];
      }
      return row;
    });
    for (let c = 0; c < k; c++) for (let i = c + 1; i < k; i++) { const f = M[i][c] / M[c][c]; for (let j = c; j <= k; j++) M[i][j] -= f * M[c][j]; }
    const x = Array.from({ length: k }, () => 0);
    for (let i = k - 1; i >= 0; i--) { let v = M[i][k]; for (let j = i + 1; j < k; j++) v -= M[i][j] * x[j]; x[i] = v / M[i][i]; }
    for (let r = 0; r < rows; r++) { let p = 0; for (let a = 0; a < k; a++) p += col(r, a) * x[a]; err += (p - Y[r * outF + o]) ** 2; }
  }
  return err;
}

test("obsUnitOrder removes a unit that others reproduce exactly first, and then the unit whose removal least-squares misses least", () => {
  const r = rng(4);
  const rows = 300, n = 6, outF = 3;
  // unit 4 = unit 0 + 2 unit 2 (a redundant unit), the rest independent
  const A = new Float32Array(rows * n);
  for (let t = 0; t < rows; t++) {
    for (const u of [0, 1, 2, 3, 5]) A[t * n + u] = Math.max(0, randn(r) + 0.3);
    A[t * n + 4] = A[t * n + 0] + 2 * A[t * n + 2];
  }
  const W = Float32Array.from({ length: outF * n }, () => randn(r)), b = Float32Array.from({ length: outF }, () => randn(r));
  const next = { kind: "affine", id: "next", inputs: ["a"], shape: [outF], W, b, inFeatures: n, outFeatures: outF } as unknown as Layer & { kind: "affine" };
  const Y = new Float64Array(rows * outF);
  for (let t = 0; t < rows; t++) for (let o = 0; o < outF; o++) { let v = b[o]; for (let u = 0; u < n; u++) v += W[o * n + u] * A[t * n + u]; Y[t * outF + o] = v; }
  const G = crossAug(A, n, A, n, rows);
  const order = obsUnitOrder(G, n, next, [1, 1, 1]);
  assert.equal(order.length, n);
  assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4, 5]);
  assert.ok([0, 2, 4].includes(order[0]), `a unit of the redundant triple goes first (got ${order[0]})`);
  const gone = new Set([order[0]]);
  const rest = (u: number) => Array.from({ length: n }, (_, i) => i).filter((i) => !gone.has(i) && i !== u);
  assert.ok(lsError(A, n, Y, outF, rows, rest(-1)) < 1e-3, "removing it costs nothing");
  // the second: the cheapest of the remaining single removals (by brute force), up to the damping
  const errs = Array.from({ length: n }, (_, u) => (gone.has(u) ? Infinity : lsError(A, n, Y, outF, rows, rest(u))));
  const best = Math.min(...errs);
  assert.ok(errs[order[1]] <= best * 1.01 + 1e-6, `second removed ${order[1]} costs ${errs[order[1]]}, best ${best}`);
});

test("re-fit targets from the layer's values equal X'^T X w, and a shared-support re-fit equals per-row re-fits", () => {
  const r = rng(9);
  const rows = 120, dn = 5, d = 4, outF = 3;
  const Xn = Float32Array.from({ length: rows * dn }, () => randn(r));
  const Xo = Float32Array.from({ length: rows * d }, () => randn(r));
  const W = Float32Array.from({ length: outF * d }, () => randn(r)), b = Float32Array.from({ length: outF }, () => randn(r));
  const Z = new Float32Array(rows * outF);
  for (let t = 0; t < rows; t++) for (let o = 0; o < outF; o++) { let v = b[o]; for (let i = 0; i < d; i++) v += W[o * d + i] * Xo[t * d + i]; Z[t * outF + o] = v; }
  const G = crossAug(Xn, dn, Xn, dn, rows);
  const pa = refitProblem(G, crossAug(Xn, dn, Xo, d, rows), dn, d, W, b, outF);
  const pb = refitProblemOn(G, Xn, dn, Z, outF, rows);
  for (let o = 0; o < outF; o++) for (let i = 0; i <= dn; i++) assert.ok(Math.abs(pa.targets[o][i] - pb.targets[o][i]) <= 1e-3 * (1 + Math.abs(pa.targets[o][i])), `target ${o},${i}`);
  const support = [0, 2, 3];
  const w0s = [0, 1, 2].map(() => Float64Array.from({ length: dn + 1 }, () => randn(r)));
  const shared = refitRowsShared(pb, [0, 1, 2], support, w0s);
  [0, 1, 2].forEach((o) => {
    const one = refitRow(pb, o, support, w0s[o]);
    for (let i = 0; i <= dn; i++) assert.ok(Math.abs(one[i] - shared[o][i]) < 1e-9 * (1 + Math.abs(one[i])), `row ${o} entry ${i}`);
    assert.equal(shared[o][1], 0);
  });
});

test("a candidate measured from the shared values before its first changed layer measures as a fresh run", () => {
  const r = rng(21);
  const mat = (o: number, i: number) => Array.from({ length: o }, () => Array.from({ length: i }, () => randn(r) / Math.sqrt(i)));
  const layers: Layer[] = [dense("fc1", "x", mat(12, 6), Array(12).fill(0.1)), act("relu1", "fc1", 12), dense("fc2", "relu1", mat(12, 12), Array(12).fill(0)), act("relu2", "fc2", 12), dense("fc3", "relu2", mat(3, 12), [0, 0, 0])];
  const nt = net(6, layers);
  const x = boxRows(2, 400, 6).x;
  const s = simplifyState(nt, { x }, { x });
  const shared = sharedValues(s, nt, { x }, "fc2")!;
  assert.ok(shared.before.has("fc1") && shared.before.has("relu1") && !shared.before.has("fc2"));
  assert.ok(shared.values.has("relu1") && !shared.values.has("fc1"), "keeps only what later layers read");
  const fc2 = nt.layers[2] as Layer & { kind: "affine" };
  const W = Float32Array.from(fc2.W, (v, i) => (i % 3 === 0 ? 0 : v * 1.1));
  const cand: Net = { ...nt, layers: nt.layers.map((l) => (l.id === "fc2" ? { ...fc2, W } : l)) };
  const ref = s.reference.analysis;
  for (const n of [nt, cand]) assert.deepEqual(measureShared(s, n, shared, ref), measure(s, n, { x }, ref));
  assert.ok(measureShared(s, cand, shared, ref).maxAbsErr > 0);
});
