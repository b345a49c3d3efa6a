// NMF (src/recover/nmf.ts): planted non-negative factors come back (up to order and scale), the knee of the
// explained-variance curve finds how many were planted, and the same seed gives the same bits.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { explainedVariance, kneeIndex, nmf, projectRows } from "../../src/recover/nmf.ts";
import { rng } from "../../src/util/rng.ts";

/** A = W0 H0 (+ noise, clipped at 0): m samples, n units, k planted groups of units that share no unit. */
function planted(m: number, n: number, k: number, seed: number, noise = 0) {
  const r = rng(seed);
  const owner = Array.from({ length: n }, (_, u) => u % k); // unit u belongs to group u mod k
  const H0 = new Float64Array(k * n);
  for (let u = 0; u < n; u++) H0[owner[u] * n + u] = 0.5 + r();
  const W0 = new Float64Array(m * k);
  // Each sample shows one or two groups (sparse codes, as ReLU features tend to be).
  for (let i = 0; i < m; i++) {
    W0[i * k + Math.floor(r() * k)] = 0.5 + 2 * r();
    if (r() < 0.3) W0[i * k + Math.floor(r() * k)] += r();
  }
  const A = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let u = 0; u < n; u++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += W0[i * k + j] * H0[j * n + u];
    A[i * n + u] = Math.max(0, s + noise * (r() - 0.5));
  }
  return { A, H0, W0, owner };
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) (ab += a[i] * b[i]), (aa += a[i] * a[i]), (bb += b[i] * b[i]);
  return ab / Math.sqrt(aa * bb);
}

describe("nmf", () => {
  for (const [m, n, k, seed] of [[300, 40, 4, 1], [200, 90, 6, 2], [500, 25, 3, 3]] as const) {
    it(`recovers ${k} planted factors of a ${m} x ${n} matrix (seed ${seed})`, () => {
      const { A, H0 } = planted(m, n, k, seed);
      const f = nmf(A, m, n, k, { seed: 7, maxSweeps: 500, tol: 1e-10 });
      let norm2 = 0;
      for (const v of A) norm2 += v * v;
      assert.ok(f.sqErr / norm2 < 1e-4, `relative error ${f.sqErr / norm2}`);
      // Each planted row of H has a recovered row pointing the same way (greedy matching; the rows are disjoint).
      const used = new Set<number>();
      for (let j = 0; j < k; j++) {
        let best = -1, bc = -1;
        for (let q = 0; q < k; q++) {
          if (used.has(q)) continue;
          const c = cosine(H0.subarray(j * n, (j + 1) * n), f.H.subarray(q * n, (q + 1) * n));
          if (c > bc) (bc = c), (best = q);
        }
        used.add(best);
        assert.ok(bc > 0.99, `planted factor ${j}: best cosine ${bc.toFixed(4)}`);
      }
    });
  }

  it("the explained-variance knee finds the number of planted factors, with noise", () => {
    for (const [k, seed] of [[3, 4], [5, 5], [7, 6]] as const) {
      const m = 300, n = 60;
      const { A } = planted(m, n, k, seed, 0.05);
      const ev = Array.from({ length: 12 }, (_, i) => explainedVariance(A, m, n, nmf(A, m, n, i + 1, { seed: 1 }).sqErr));
      for (let i = 1; i < ev.length; i++) assert.ok(ev[i] >= ev[i - 1] - 1e-3, `explained variance falls from k=${i} to ${i + 1}: ${ev}`);
      assert.equal(kneeIndex(ev) + 1, k, `curve ${ev.map((e) => e.toFixed(3)).join(" ")}`);
    }
  });

  it("projectRows gives the codes of rows not in the fit", () => {
    const { A } = planted(400, 30, 4, 8);
    const f = nmf(A.subarray(0, 200 * 30), 200, 30, 4, { seed: 2, maxSweeps: 500, tol: 1e-10 });
    const W = projectRows(A.subarray(200 * 30), 200, 30, f.H, 4);
    let err = 0, norm = 0;
    for (let i = 0; i < 200; i++) for (let u = 0; u < 30; u++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += W[i * 4 + j] * f.H[j * 30 + u];
      err += (A[(200 + i) * 30 + u] - s) ** 2;
      norm += A[(200 + i) * 30 + u] ** 2;
    }
    assert.ok(err / norm < 1e-4, `held-out relative error ${err / norm}`);
  });

  it("is deterministic: same seed, same bits; another seed starts elsewhere", () => {
    const { A } = planted(100, 20, 3, 9, 0.1);
    const a = nmf(A, 100, 20, 3, { seed: 5 }), b = nmf(A, 100, 20, 3, { seed: 5 }), c = nmf(A, 100, 20, 3, { seed: 6, maxSweeps: 1 });
    assert.deepEqual(Buffer.from(a.H.buffer), Buffer.from(b.H.buffer));
    assert.deepEqual(Buffer.from(a.W.buffer), Buffer.from(b.W.buffer));
    assert.notDeepEqual(Buffer.from(a.H.buffer), Buffer.from(c.H.buffer));
  });

  it("refuses negative entries", () => {
    assert.throws(() => nmf([1, -1, 0, 2], 2, 2, 1), /not a non-negative number/);
  });
});

describe("nmf resume", () => {
  it("continuing a looser or shorter run gives the same bits as a run from the start", () => {
    const { A } = planted(60, 24, 3, 11, 0.2);
    const full = nmf(A, 60, 24, 4, { seed: 5, maxSweeps: 400, tol: 1e-9 });
    // Stopped by its tolerance, and stopped by its sweep limit.
    for (const early of [nmf(A, 60, 24, 4, { seed: 5, maxSweeps: 150, tol: 1e-3 }), nmf(A, 60, 24, 4, { seed: 5, maxSweeps: 7, tol: 1e-9 })]) {
      assert.ok(early.sweeps < full.sweeps, `the early run stopped sooner (${early.sweeps} vs ${full.sweeps})`);
      const resumed = nmf(A, 60, 24, 4, { seed: 5, maxSweeps: 400, tol: 1e-9, resume: early });
      assert.equal(resumed.sweeps, full.sweeps);
      assert.equal(resumed.sqErr, full.sqErr);
      assert.deepEqual(resumed.W, full.W);
      assert.deepEqual(resumed.H, full.H);
    }
    // A resume whose own tolerance is met at once returns the earlier fit as it was.
    const loose = nmf(A, 60, 24, 4, { seed: 5, maxSweeps: 150, tol: 1e-3 });
    const same = nmf(A, 60, 24, 4, { seed: 5, maxSweeps: 150, tol: 1e-3, resume: loose });
    assert.equal(same.sweeps, loose.sweeps);
    assert.deepEqual(same.H, loose.H);
  });
});
