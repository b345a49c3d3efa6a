// refine's floor rules (src/refine/floor.ts) on simulated validation sets: two classes, the teacher's top-1 margins
// m_r and a student that shrinks each by d_r ~ N(0, s) independently (the margin rule's own assumption), so a row
// flips when d_r > m_r with a true rate p set by s. A copy at or over the floor must rarely pass (refine keeps the
// smallest copy that passes, so a rule that passes copies at the floor half the time keeps them); one well under it
// should pass.
import test from "node:test";
import assert from "node:assert/strict";
import { holdsAgreement } from "../../src/refine/floor.ts";
import { agreement } from "../../src/refine/distil.ts";
import { randn, rng } from "../../src/util/rng.ts";

const N = 1600, A = 0.999;

/** A validation set: the teacher's and the student's [n, 2] scores. Margins |N(0, 3)| + 0.01, shrinks N(0, s). */
function draw(u: () => number, s: number, n = N): { t: Float32Array; st: Float32Array } {
  const t = new Float32Array(2 * n), st = new Float32Array(2 * n);
  for (let r = 0; r < n; r++) {
    const m = Math.abs(3 * randn(u)) + 0.01, d = s * randn(u);
    t[2 * r] = m / 2; t[2 * r + 1] = -m / 2;
    st[2 * r] = (m - d) / 2; st[2 * r + 1] = -(m - d) / 2;
  }
  return { t, st };
}

/** The true flip rate at shrink scale s (a large draw). */
function rate(s: number): number {
  const { t, st } = draw(rng(99), s, 400000);
  return 1 - agreement(t, st, 2).agreement;
}

/** How often a rule passes over `sets` validation sets at shrink scale s. */
function passRate(rule: "count" | "margin", s: number, sets = 200): number {
  const u = rng(7);
  let pass = 0;
  for (let i = 0; i < sets; i++) {
    const { t, st } = draw(u, s);
    if (holdsAgreement(t, st, 2, agreement(t, st, 2).disagreements, A, rule).ok) pass++;
  }
  return pass / sets;
}

test("identical scores pass count and margin; the binomial bound needs ~3,000 rows at 99.9% even without a flip", () => {
  const { t } = draw(rng(1), 0);
  for (const rule of ["count", "margin"] as const) assert.ok(holdsAgreement(t, t, 2, 0, A, rule).ok, rule);
  assert.equal(holdsAgreement(t, t, 2, 0, A, "margin").upper, 0);
  // 0.999^n <= 0.05 needs n >= 2,995: so on 1,600 validation rows the binomial rule keeps nothing.
  assert.ok(!holdsAgreement(t, t, 2, 0, A, "binomial").ok);
  const big = draw(rng(1), 0, 3000).t;
  assert.ok(holdsAgreement(big, big, 2, 0, A, "binomial").ok);
});

test("count is the point count: floor((1 - A) n) flips pass, one more fails", () => {
  const { t } = draw(rng(2), 0);
  const allowed = Math.floor((1 - A) * N + 1e-9);
  assert.ok(holdsAgreement(t, t, 2, allowed, A, "count").ok);
  assert.ok(!holdsAgreement(t, t, 2, allowed + 1, A, "count").ok);
});

test("a copy exactly at the floor: the count passes it about half the time, the margin rule under 15%; 3x over, never; 5x under, nearly always", () => {
  // Shrink scales and their true rates (rate()): 0.02 -> 0.001, 0.04 -> 0.003, 0.01 -> 0.0002.
  const at = rate(0.02), over = rate(0.04), under = rate(0.01);
  assert.ok(Math.abs(at - (1 - A)) < 0.0002, `rate at ${at}`);
  assert.ok(over > 2.5 * (1 - A), `rate over ${over}`);
  assert.ok(under < (1 - A) / 4, `rate under ${under}`);
  const countAt = passRate("count", 0.02), marginAt = passRate("margin", 0.02);
  assert.ok(countAt >= 0.3, `count passed ${countAt} of copies at the floor`);
  assert.ok(marginAt <= 0.15, `margin rule passed ${marginAt} of copies at the floor`);
  assert.ok(passRate("margin", 0.04) <= 0.02, "3x over the floor: the margin rule does not pass it");
  const marginUnder = passRate("margin", 0.01);
  assert.ok(marginUnder >= 0.9, `5x under the floor the margin rule passes it: ${marginUnder}`);
});
