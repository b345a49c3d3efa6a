// The shared gemm kernel against a naive triple loop: every transpose combination, strides, offsets,
// alpha/beta, edge sizes around the register tile (4 x 8) and the k/n blocks, on both the wasm SIMD
// float32 path and the scalar JS path, float32 and float64.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { gemm, matmul, setSimd, simdActive, tuneGemm, type FloatArray } from "../../../src/ops/util/gemm.ts";
import { rng } from "../../helpers/rng.ts";

interface Case {
  m: number; n: number; k: number;
  transA: boolean; transB: boolean;
  lda: number; ldb: number; ldc: number;
  aOffset: number; bOffset: number; cOffset: number;
  alpha: number; beta: number;
}

function randomCase(r: () => number, maxDim: number, maxK: number): Case {
  const m = 1 + Math.floor(r() * maxDim), n = 1 + Math.floor(r() * maxDim), k = 1 + Math.floor(r() * maxK);
  const transA = r() < 0.5, transB = r() < 0.5;
  const pad = () => Math.floor(r() * 3);
  return {
    m, n, k, transA, transB,
    lda: (transA ? m : k) + pad(), ldb: (transB ? k : n) + pad(), ldc: n + pad(),
    aOffset: pad(), bOffset: pad(), cOffset: pad(),
    alpha: [1, 0.5, -2][Math.floor(r() * 3)], beta: [0, 1, 0.25][Math.floor(r() * 3)],
  };
}

/** Fill, run gemm and a float64 reference; returns the worst error relative to the magnitude of the terms. */
function check<T extends FloatArray>(Ctor: { new (n: number): T }, c: Case, r: () => number): number {
  const aLen = c.aOffset + (c.transA ? c.k : c.m) * c.lda, bLen = c.bOffset + (c.transB ? c.n : c.k) * c.ldb;
  const cLen = c.cOffset + c.m * c.ldc;
  const fill = (n: number) => {
    const x = new Ctor(n);
    for (let i = 0; i < n; i++) x[i] = r() * 2 - 1;
    return x;
  };
  const A = fill(aLen), B = fill(bLen), C = fill(cLen);
  const before = Float64Array.from(C);
  gemm({ ...c, a: A, b: B, c: C });
  let worst = 0;
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      let s = 0, mag = 0;
      for (let p = 0; p < c.k; p++) {
        const av = c.transA ? A[c.aOffset + p * c.lda + i] : A[c.aOffset + i * c.lda + p];
        const bv = c.transB ? B[c.bOffset + j * c.ldb + p] : B[c.bOffset + p * c.ldb + j];
        s += av * bv;
        mag += Math.abs(av * bv);
      }
      const o = c.cOffset + i * c.ldc + j;
      const want = c.alpha * s + (c.beta === 0 ? 0 : c.beta * before[o]);
      worst = Math.max(worst, Math.abs(C[o] - want) / (Math.abs(c.alpha) * mag + Math.abs(c.beta * before[o]) + 1e-30));
    }
  }
  // Padding between rows (ldc > n) and before cOffset must be untouched.
  for (let o = 0; o < cLen; o++) {
    const inside = o >= c.cOffset && (o - c.cOffset) % c.ldc < c.n;
    if (!inside) assert.equal(C[o], before[o], `gemm wrote outside C at ${o}`);
  }
  return worst;
}

// Every product takes the chosen path, however small (normally tiny ones run on the scalar kernel).
const initial = simdActive();
const tuning = tuneGemm({ tinyLimit: 0 });
after(() => {
  setSimd(initial);
  tuneGemm(tuning);
});

for (const simd of [true, false]) {
  describe(`gemm (${simd ? "wasm SIMD" : "scalar JS"} path)`, () => {
    it("matches a naive loop on random shapes, transposes, strides, alpha and beta (float32)", () => {
      setSimd(simd);
      const r = rng(simd ? 11 : 12);
      let worst = 0;
      for (let t = 0; t < 120; t++) worst = Math.max(worst, check(Float32Array, randomCase(r, 37, t % 10 === 0 ? 700 : 40), r));
      assert.ok(worst < 1e-5, `relative error ${worst}`);
    });

    it("matches a naive loop in float64, exactly for integer values", () => {
      setSimd(simd);
      const r = rng(13);
      let worst = 0;
      for (let t = 0; t < 60; t++) worst = Math.max(worst, check(Float64Array, randomCase(r, 23, 60), r));
      assert.ok(worst < 1e-13, `relative error ${worst}`);
      const a = Float64Array.from({ length: 12 }, (_, i) => 250 - i * 37);
      const b = Float64Array.from({ length: 12 }, (_, i) => i * 91 - 300);
      assert.deepEqual([...matmul(a, b, 3, 4, 3)], [...naive(a, b, 3, 4, 3)]);
    });

    it("handles sizes around the tile and block edges", () => {
      setSimd(simd);
      const r = rng(14);
      let worst = 0;
      for (const [m, n, k] of [[1, 1, 1], [4, 8, 1], [5, 9, 257], [3, 513, 3], [8, 7, 256], [1, 600, 2], [33, 2, 513]]) {
        const c: Case = { m, n, k, transA: false, transB: false, lda: k, ldb: n, ldc: n, aOffset: 0, bOffset: 0, cOffset: 0, alpha: 1, beta: 0 };
        worst = Math.max(worst, check(Float32Array, c, r), check(Float32Array, { ...c, transA: true, transB: true, lda: m, ldb: k }, r));
      }
      assert.ok(worst < 1e-5, `relative error ${worst}`);
    });

    it("splits the rows when the packed operands exceed the wasm budget", () => {
      setSimd(simd);
      const r = rng(15);
      const prev = tuneGemm({ wasmBudget: 4096 });
      try {
        let worst = 0;
        for (const [transA, transB] of [[false, false], [true, true]]) {
          const c: Case = { m: 45, n: 11, k: 30, transA, transB, lda: transA ? 47 : 31, ldb: transB ? 30 : 11, ldc: 13, aOffset: 2, bOffset: 1, cOffset: 3, alpha: 1, beta: 0.5 };
          worst = Math.max(worst, check(Float32Array, c, r));
        }
        assert.ok(worst < 1e-5, `relative error ${worst}`);
      } finally {
        tuneGemm(prev);
      }
    });

    it("writes column groups to their own places and adds per-row and per-column biases", () => {
      setSimd(simd);
      const r = rng(16);
      for (const [m, size, groups, k, beta] of [[5, 7, 3, 9, 0], [9, 300, 2, 20, 0.5], [3, 1, 11, 4, 1]]) {
        const n = size * groups, stride = m * size + 3, cOffset = 2;
        const a = Float32Array.from({ length: m * k }, () => r() - 0.5), b = Float32Array.from({ length: k * n }, () => r() - 0.5);
        const bias = Float32Array.from({ length: m }, () => r() - 0.5);
        const colBias = Float64Array.from({ length: n }, () => r() - 0.5);
        const c = Float32Array.from({ length: cOffset + groups * stride + 5 }, () => r());
        const before = Float32Array.from(c);
        gemm({ m, n, k, a, b, c, cOffset, ldc: size, cGroups: { size, stride }, rowBias: bias, colBias, beta });
        const touched = new Set<number>();
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
            const o = cOffset + Math.floor(j / size) * stride + i * size + (j % size);
            touched.add(o);
            assert.ok(Math.abs(c[o] - (s + beta * before[o] + bias[i] + colBias[j])) < 1e-5, `C(${i}, ${j})`);
          }
        }
        for (let o = 0; o < c.length; o++) if (!touched.has(o)) assert.equal(c[o], before[o], `wrote outside C at ${o}`);
      }
    });

    it("beta = 0 ignores NaN already in C; k = 0 gives beta * C", () => {
      setSimd(simd);
      const c = new Float32Array([NaN, NaN, NaN, NaN]);
      gemm({ m: 2, n: 2, k: 1, a: new Float32Array([1, 2]), b: new Float32Array([3, 4]), c });
      assert.deepEqual([...c], [3, 4, 6, 8]);
      gemm({ m: 2, n: 2, k: 0, a: new Float32Array(0), b: new Float32Array(0), c, beta: 0.5 });
      assert.deepEqual([...c], [1.5, 2, 3, 4]);
    });
  });
}

function naive(a: FloatArray, b: FloatArray, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[i * n + j] += a[i * k + p] * b[p * n + j];
  return out;
}
