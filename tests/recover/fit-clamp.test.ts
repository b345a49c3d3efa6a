// fit-clamp: clamp(x_i, lo, hi) with its breakpoints fitted by least squares (a candidate of rules-fit.ts). Over
// seeded random breakpoints, scales, affine parts in the other sources and noise, the breakpoints come back within
// the noise (0.05 on a source range of 6), and the same data gives the same fit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { clampColumn, fitClamp } from "../../src/recover/fit-clamp.ts";
import { randn, rng } from "../../src/util/rng.ts";

test("fitClamp recovers random breakpoints under an affine part and noise", () => {
  const u = rng(7);
  for (let k = 0; k < 20; k++) {
    const n = 1 + Math.floor(u() * 3), m = 400, i = Math.floor(u() * n);
    const xs = Array.from({ length: n }, () => Float64Array.from({ length: m }, () => -3 + 6 * u()));
    const lo = -2.5 + 2.5 * u(), hi = lo + 0.5 + (2.5 - lo - 0.5) * u();
    const alpha = (u() < 0.5 ? -1 : 1) * (0.5 + u()), noise = 0.01 * u();
    const gam = xs.map(() => 0.5 * (2 * u() - 1));
    const c = clampColumn(xs[i], lo, hi);
    const y = Float64Array.from({ length: m }, (_, r) => alpha * c[r] + 0.3 + gam.reduce((s, g, j) => s + g * xs[j][r], 0) + noise * randn(u));
    const fit = fitClamp(xs[i], xs, y)!;
    const what = `case ${k}: lo ${lo} hi ${hi} alpha ${alpha} noise ${noise}: fitted ${fit.lo} ${fit.hi}`;
    assert.ok(Math.abs(fit.lo - lo) < 0.05 && Math.abs(fit.hi - hi) < 0.05, what);
    const again = fitClamp(xs[i], xs, y)!;
    assert.deepEqual([again.lo, again.hi, again.sse], [fit.lo, fit.hi, fit.sse]);
  }
});

test("fitClamp: a source with fewer than two distinct values has no breakpoints to place", () => {
  const x = new Float64Array(50).fill(1);
  assert.equal(fitClamp(x, [x], Float64Array.from(x)), undefined);
});
