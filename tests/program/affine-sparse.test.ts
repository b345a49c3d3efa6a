// The interpreter's sparse affine kernel (src/program/affine-sparse.ts) gives kernels.ts's affine to the bit: on
// random weights and inputs with many zeros (of either sign), rows that sum to zero, and non-finite inputs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { affine } from "../../src/program/kernels.ts";
import { affineInterp } from "../../src/program/affine-sparse.ts";
import { rng } from "../../src/util/rng.ts";

function bits(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");
}

describe("affineInterp", () => {
  for (const density of [0.05, 0.3, 0.6, 0.9]) {
    it(`equals kernels.ts's affine bit for bit at density ${density}`, () => {
      const r = rng(Math.round(density * 100));
      const rows = 37, nIn = 53, nOut = 19;
      const W = Float32Array.from({ length: nOut * nIn }, () => (r() < density ? r() * 2 - 1 : r() < 0.5 ? 0 : -0));
      const b = Float32Array.from({ length: nOut }, (_, o) => (o % 5 === 0 ? (o % 2 ? -0 : 0) : r() - 0.5));
      const x = Float32Array.from({ length: rows * nIn }, () => (r() < 0.3 ? (r() < 0.5 ? 0 : -0) : r() * 4 - 2));
      // A row of zeros (every sum is the bias: zeros of either sign), and rows with inf and NaN.
      x.fill(0, 0, nIn);
      x[nIn + 3] = Infinity;
      x[2 * nIn + 7] = NaN;
      x[3 * nIn + 1] = -Infinity;
      for (const act of [undefined, { fn: "relu" as const }]) {
        const want = affine({ data: x, shape: [rows, nIn] }, W, b, nOut, act);
        const got = affineInterp({ data: x, shape: [rows, nIn] }, W, b, nOut, act, affine);
        assert.deepEqual(got.shape, want.shape);
        assert.equal(bits(got.data as Float32Array), bits(want.data as Float32Array));
      }
    });
  }

  it("falls back to the dense kernel when most weights are non-zero", () => {
    let called = 0;
    const W = new Float32Array([1, 2, 3, 4]);
    affineInterp({ data: new Float32Array([1, 1]), shape: [1, 2] }, W, new Float32Array(2), 2, undefined, (...a) => (called++, affine(...a)));
    assert.equal(called, 1);
  });
});
