// The classifier stopping rule (src/passes/agreement-bound.ts): counts in, decision out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { agreementDecision, logBinomialCdf, marginDecision, marginRate, marginShrinks, normalQuantile, rateUpperBound, rowsForAgreement } from "../../src/passes/agreement-bound.ts";
import { rng } from "../../src/util/rng.ts";

test("binomial cdf: matches a direct sum on small n, and is 1 at k >= n", () => {
  const choose = (n: number, k: number) => { let c = 1; for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1); return c; };
  for (const [k, n, p] of [[0, 10, 0.1], [3, 10, 0.3], [7, 20, 0.5], [2, 50, 0.01]] as const) {
    let want = 0;
    for (let i = 0; i <= k; i++) want += choose(n, i) * p ** i * (1 - p) ** (n - i);
    assert.ok(Math.abs(Math.exp(logBinomialCdf(k, n, p)) - want) < 1e-12, `${k} of ${n} at ${p}`);
  }
  assert.equal(logBinomialCdf(5, 5, 0.3), 0);
  // no underflow at large n: P(Bin(1e6, 1e-3) <= 900) is about 7.8e-4
  const big = Math.exp(logBinomialCdf(900, 1e6, 1e-3));
  assert.ok(big > 5e-4 && big < 1.2e-3, `${big}`);
});

test("Clopper-Pearson upper bound: closed form at k = 0, known values, monotone", () => {
  for (const n of [100, 2000, 6000]) {
    const want = 1 - 0.05 ** (1 / n); // (1 - p)^n = 0.05
    assert.ok(Math.abs(rateUpperBound(0, n, 0.95) - want) < 1e-9 * want + 1e-15);
  }
  // k = 1, n = 6000: the "rule of 4.74": 4.7439 / n
  assert.ok(Math.abs(rateUpperBound(1, 6000, 0.95) * 6000 - 4.7439) < 2e-3);
  let prev = 0;
  for (let k = 0; k < 20; k++) {
    const b = rateUpperBound(k, 6000, 0.95);
    assert.ok(b > prev && b > k / 6000, `k ${k}`);
    prev = b;
  }
  assert.ok(rateUpperBound(3, 6000, 0.99) > rateUpperBound(3, 6000, 0.95));
  assert.equal(rateUpperBound(0, 0, 0.95), 1);
});

test("decision at the default budget on 6,000 check rows: 1 flip passes, 2 do not; the point count allowed 4", () => {
  const at = (k: number, c?: number) => agreementDecision(k, 6000, 0.999, 0.7, c);
  assert.equal(at(0).ok, true);
  assert.equal(at(1).ok, true);
  assert.equal(at(2).ok, false);
  assert.equal(at(1).allowed, 1);
  assert.equal(at(4, 0).ok, true);
  assert.equal(at(5, 0).ok, false);
  // the share still binds: a quarter of the budget on 6,000 rows is 1.5 rows
  assert.equal(agreementDecision(1, 6000, 0.999, 0.25).ok, true);
  assert.equal(agreementDecision(1, 3000, 0.999, 0.25).ok, false);
  // too few rows to prove the floor even with none disagreeing
  assert.equal(agreementDecision(0, 2000, 0.999, 1).ok, false);
  assert.equal(rowsForAgreement(0.999), 2995);
  assert.equal(agreementDecision(0, 2995, 0.999, 1).ok, true);
  assert.equal(agreementDecision(0, 2994, 0.999, 1).ok, false);
});

test("property: accepted exactly when k <= allowed, and allowed is the largest k whose bound is under the floor", () => {
  const u = rng(7);
  for (let t = 0; t < 300; t++) {
    const n = 100 + Math.floor(u() * 20000);
    const A = [0.99, 0.995, 0.999][Math.floor(u() * 3)];
    const share = [0.25, 0.7, 0.8, 1][Math.floor(u() * 4)];
    const c = [0.9, 0.95, 0.99][Math.floor(u() * 3)];
    const d = agreementDecision(0, n, A, share, c);
    for (const k of [0, d.allowed - 1, d.allowed, d.allowed + 1, d.allowed + 2].filter((k) => k >= 0)) assert.equal(agreementDecision(k, n, A, share, c).ok, k <= d.allowed);
    if (d.allowed >= 0) assert.ok(rateUpperBound(d.allowed, n, c) <= (1 - A) * (1 + 1e-9), `n ${n} A ${A}`);
    const byShare = Math.floor(share * (1 - A) * n + 1e-9);
    if (d.allowed < byShare) assert.ok(rateUpperBound(d.allowed + 1, n, c) > (1 - A) * (1 - 1e-9), `n ${n} A ${A}`);
    assert.ok(d.allowed <= byShare);
  }
});

test("property: a candidate whose true disagreement rate is above the floor passes at most 1 - confidence of the time", () => {
  // draws of k ~ Binomial(n, p) for p just above and well above 1 - A; seeded
  const u = rng(11);
  const n = 6000, A = 0.999;
  for (const p of [0.00105, 0.0015, 0.003]) {
    let passed = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      let k = 0;
      for (let i = 0; i < n; i++) if (u() < p) k++;
      if (agreementDecision(k, n, A, 1, 0.95).ok) passed++;
    }
    // at p = 0.00105 the exact pass rate is P(Bin(6000, p) <= 2) = 0.0454; allow the sampling error of 2,000 trials
    assert.ok(passed / trials <= 0.05 + 3 * Math.sqrt(0.05 * 0.95 / trials), `p ${p}: ${passed} of ${trials} passed`);
  }
});

test("margins and shrinks: the original's top-1 margin, the candidate's loss of it; a rounding tie is never crossed", () => {
  const ref = [3, 1, 0, /**/ 0, 2, 2 + 1e-7, /**/ 5, 4, 0];
  const got = [2, 1.5, 0, /**/ 0, 9, 0, /**/ 4, 4.5, 0];
  const { margin, shrink } = marginShrinks(ref, got, 3, 1e-5);
  assert.deepEqual([...margin].map((v) => +v.toFixed(6)), [2, Infinity, 1]);
  assert.ok(Math.abs(shrink[0] - 1.5) < 1e-12 && Math.abs(shrink[2] - 1.5) < 1e-12);
  // a row flips exactly when its shrink exceeds its margin; with one row the estimate is that indicator
  assert.equal(marginRate([margin[0]], [shrink[0]]).estimate, 0);
  assert.equal(marginRate([margin[2]], [shrink[2]]).estimate, 1);
  assert.equal(marginRate([margin[1]], [shrink[1]]).estimate, 0);
});

test("normal quantile: known values", () => {
  assert.ok(Math.abs(normalQuantile(0.95) - 1.6448536) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-12);
  assert.ok(Math.abs(normalQuantile(0.001) + 3.0902323) < 1e-6);
});

/** Q(x) = P(N(0, 1) > x) (Abramowitz & Stegun 7.1.26 for erfc, error < 1.5e-7). */
function upperTail(x: number): number {
  const z = Math.abs(x) / Math.SQRT2, t = 1 / (1 + 0.3275911 * z);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? erfc / 2 : 1 - erfc / 2;
}

test("property: with shrinks independent of margins, the estimate is near the true rate and the 95% bound covers it", () => {
  // margins ~ Exponential(1), shrinks ~ N(mu, sigma): true rate = integral of e^-m Q((m - mu) / sigma) dm
  const u = rng(5);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  for (const [mu, sigma] of [[0, 0.3], [0.2, 0.4], [-0.5, 1]]) {
    let truth = 0;
    for (let m = 0; m < 40; m += 1e-3) truth += Math.exp(-m) * upperTail((m - mu) / sigma) * 1e-3;
    const n = 3000, trials = 80;
    let covered = 0, sumEst = 0;
    for (let t = 0; t < trials; t++) {
      const margin = Float64Array.from({ length: n }, () => -Math.log(1 - u()));
      const shrink = Float64Array.from({ length: n }, () => mu + sigma * gauss());
      const r = marginRate(margin, shrink, 0.95);
      if (r.upper >= truth) covered++;
      sumEst += r.estimate;
    }
    assert.ok(Math.abs(sumEst / trials - truth) < 0.05 * truth, `mu ${mu}: mean estimate ${sumEst / trials} vs ${truth}`);
    assert.ok(covered / trials >= 0.88, `mu ${mu}: the bound covered the rate in ${covered} of ${trials}`);
  }
});

test("margin-aware decision: the bound within the share, and a count that does not contradict it", () => {
  assert.equal(marginDecision(3, 6000, 0.999, 0.7, { upper: 0.0006 }), true);
  assert.equal(marginDecision(0, 6000, 0.999, 0.7, { upper: 0.00071 }), false);
  // 12 of 6,000 rows differ: a rate above 0.0007 at 95% whatever the margins say
  assert.equal(marginDecision(12, 6000, 0.999, 0.7, { upper: 0.0001 }), false);
  // monotone in the count
  const u = rng(3);
  for (let t = 0; t < 200; t++) {
    const n = 1000 + Math.floor(u() * 9000), share = 0.25 + 0.75 * u(), up = u() * 0.001;
    let was = true;
    for (let k = 0; k < 30; k++) {
      const ok = marginDecision(k, n, 0.999, share, { upper: up });
      assert.ok(!ok || was, `not monotone at k ${k}`);
      was = ok;
    }
  }
});

test("fits: the margin-aware rule by default, the count on rows that are the whole domain, the binomial on request", async () => {
  const { fits, ruleOf } = await import("../../src/passes/budget.ts");
  type S = Parameters<typeof fits>[0];
  const state = (extra: object): S => ({ classifier: true, budget: { tolerance: 1, minAgreement: 0.999, exact: false }, ...extra }) as unknown as S;
  const m = { maxAbsErr: 0.1, disagree: 3, rows: 6000, rate: { estimate: 0.0009, upper: 0.0012 } };
  assert.equal(ruleOf(state({})), "margin");
  assert.equal(fits(state({}), m, 0.7), false, "the margin bound is over 0.7 x 0.1%");
  assert.equal(fits(state({}), { ...m, rate: { estimate: 0.0003, upper: 0.0005 } }, 0.7), true);
  assert.equal(ruleOf(state({ exhaustive: true })), "count");
  assert.equal(fits(state({ exhaustive: true }), m, 0.7), true, "3 <= floor(0.7 x 0.001 x 6000)");
  const binomial = state({ budget: { tolerance: 1, minAgreement: 0.999, exact: false, agreementRule: "binomial" } });
  assert.equal(fits(binomial, m, 0.7), false);
  assert.equal(fits(binomial, { ...m, disagree: 1 }, 0.7), true);
  // not a classifier: max error against share x tolerance
  assert.equal(fits(state({ classifier: false }), m, 0.05), false);
  assert.equal(fits(state({ classifier: false }), m, 0.5), true);
});
