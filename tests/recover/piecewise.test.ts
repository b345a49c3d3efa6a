import { test } from "node:test";
import assert from "node:assert/strict";
import { readPiecewise, shapeOf, snap } from "../../src/recover/piecewise.ts";
import { plAffine, plEval, plPropagate, type DenseStep } from "../../src/recover/pl.ts";
import { piecewise as runPiecewise } from "../../src/program/kernels-more.ts";
import { rng } from "../../src/util/rng.ts";

/** One hidden ReLU layer of (w, b) units read by an output row c (plus d), from one input. */
function oneHidden(units: [number, number][], c: number[], d: number): DenseStep[] {
  return [
    { W: units.map((u) => u[0]), b: units.map((u) => u[1]), inFeatures: 1, outFeatures: units.length, relu: true },
    { W: c, b: [d], inFeatures: units.length, outFeatures: 1, relu: false },
  ];
}

/** Obfuscate a one-hidden-layer net as the zoo does: split copies, rescale, permute, weight noise. */
function obfuscate(units: [number, number][], c: number[], seed: number, noise: number): { units: [number, number][]; c: number[] } {
  const u = rng(seed);
  let us: [number, number][] = [], cs: number[] = [];
  units.forEach(([w, b], i) => {
    const parts = u() < 0.4 ? 2 : 1;
    for (let j = 0; j < parts; j++) {
      const a = Math.exp((u() * 2 - 1) * Math.log(4));
      us.push([w * a, b * a]);
      cs.push((c[i] / parts) / a);
    }
  });
  const order = us.map((_, i) => i).sort(() => u() - 0.5);
  us = order.map((i) => [us[i][0] + noise * (u() - 0.5), us[i][1] + noise * (u() - 0.5)]);
  cs = order.map((i) => cs[i] + noise * (u() - 0.5));
  return { units: us, c: cs };
}

// triangle: x - 2 relu(x - 1) + 2 relu(x - 2) - 2 relu(x - 3) on [0, 4], x carried as relu(x).
const TRI: [number, number][] = [[1, 0], [1, -1], [1, -2], [1, -3]];
const TRI_C = [1, -2, 2, -2];

test("triangle wave: breakpoints and slopes read off exactly", () => {
  const [f] = plPropagate([plAffine(1, 0)], oneHidden(TRI, TRI_C, 0));
  const r = readPiecewise(f, 0, 4, 1e-9);
  assert.deepEqual(r.params, { breakpoints: [1, 2, 3], slopes: [1, -1, 1, -1], value0: 1 });
  assert.ok(r.error < 1e-12);
  assert.equal(r.shape.kind, "general");
});

test("property: obfuscated triangles (split, rescaled, permuted, noisy) read the same within the stated error", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const noise = seed % 2 ? 0 : 2e-4;
    const o = obfuscate(TRI, TRI_C, seed, noise);
    const [f] = plPropagate([plAffine(1, 0)], oneHidden(o.units, o.c, 0));
    const r = readPiecewise(f, 0, 4, noise ? 1e-2 : 1e-9);
    assert.deepEqual(r.params.breakpoints, [1, 2, 3], `seed ${seed}`);
    assert.deepEqual(r.params.slopes, [1, -1, 1, -1]);
    // The stated error is the true one: check on a grid against the exact function.
    let worst = 0;
    for (let i = 0; i <= 400; i++) {
      const x = i / 100;
      const y = runPiecewise({ data: Float32Array.of(x), shape: [1] }, r.params.breakpoints, r.params.slopes, r.params.value0).data[0];
      worst = Math.max(worst, Math.abs(y - plEval(f, x)));
    }
    assert.ok(worst <= r.error + 1e-6, `seed ${seed}: grid error ${worst} > stated ${r.error}`);
    if (!noise) assert.ok(r.error < 1e-9);
  }
});

test("clamp, abs and affine shapes are named; units outside the interval fold away", () => {
  // clamp(x, -1, 2) = -1 + relu(x + 1) - relu(x - 2); a dead unit relu(x - 5) never fires on [-3, 3].
  const [c] = plPropagate([plAffine(1, 0)], oneHidden([[1, 1], [1, -2], [1, -5]], [1, -1, 7], -1));
  assert.deepEqual(readPiecewise(c, -3, 3, 1e-9).shape, { kind: "clamp", lo: -1, hi: 2 });
  const [a] = plPropagate([plAffine(1, 0)], oneHidden([[2, -1], [-2, 1]], [0.5, 0.5], 0));
  assert.deepEqual(readPiecewise(a, -1, 2, 1e-9).shape, { kind: "abs", center: 0.5, scale: 1 });
  // identity carried through relu(x) - relu(-x), two layers deep
  const id = plPropagate([plAffine(1, 0)], [
    { W: [1, -1], b: [0, 0], inFeatures: 1, outFeatures: 2, relu: true },
    { W: [1, -1, -1, 1], b: [0, 0], inFeatures: 2, outFeatures: 2, relu: true },
    { W: [1, -1], b: [0], inFeatures: 2, outFeatures: 1, relu: false },
  ]);
  assert.deepEqual(readPiecewise(id[0], -2, 2, 1e-9).shape, { kind: "affine", slope: 1, offset: 0 });
  assert.deepEqual(shapeOf({ breakpoints: [0], slopes: [1, 2], value0: 0 }), { kind: "general" });
});

test("snap prefers the simplest number within reach", () => {
  assert.equal(snap(0.99998, 1e-4), 1);
  assert.equal(snap(0.33334, 1e-4), 1 / 3);
  assert.equal(snap(0.1234, 1e-6), 0.1234);
  assert.equal(snap(Math.PI, 1e-9), undefined);
});
