// Certified bounds are computed only up to BOUND_WEIGHT_LIMIT weights: above it near-zero (which keeps a change only
// with a certificate) is not tried, before any forward run, and runSimplify's reports say "not computed" instead
// of carrying a bound.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BOUND_WEIGHT_LIMIT, boundsUnaffordable } from "../../src/passes/bound-limit.ts";
import { nearZeroPass } from "../../src/passes/near-zero.ts";
import { runSimplify } from "../../src/passes/index.ts";
import { act, dense, net, randomNet, stateFor } from "./simplify-helpers.ts";

// A dense layer just over the limit: n inputs x m outputs with every weight non-zero.
const n = 64;
const m = Math.floor(BOUND_WEIGHT_LIMIT / n) + 1;
const rows = Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => (j === i % n ? 1 : 1e-7 * (1 + ((i + j) % 5)))));
const big = net(n, [dense("fc1", "x", rows, new Array(m).fill(0.5)), act("relu1", "fc1", m), dense("fc2", "relu1", [new Array(m).fill(1)], [0])]);

test("the limit: a small net is affordable, a net over the limit is not, and the reason names both counts", () => {
  assert.equal(boundsUnaffordable(randomNet(1, [4, 8, 2])), undefined);
  const why = boundsUnaffordable(big);
  assert.match(why ?? "", /^not computed: [\d,]+ weights over the limit of 200,000$/);
});

test("near-zero over the limit is not tried (and says why), though its tiny weights would fit the budget", () => {
  const s = { ...stateFor(big, { rows: 8 }), budget: { tolerance: 1, minAgreement: 0.999, exact: false } };
  const r = nearZeroPass.run(s);
  assert.equal(r.out.net, big);
  assert.match(r.report.summary, /not tried: .*not computed: [\d,]+ weights over the limit/);
});

test("runSimplify with a box over the limit: no certified bound, and a report says it was not computed", () => {
  const s = stateFor(big, { rows: 8, withBox: true });
  const run = runSimplify({ ...s, budget: { ...s.budget, exact: true } });
  assert.ok(run.reports.every((r) => r.certifiedMaxErr === undefined));
  // merge-parallel merges the duplicate units (row i and i + 64 are equal): a change whose bound is not computed
  assert.ok(run.reports.some((r) => r.units.after < r.units.before));
  assert.ok(run.reports.some((r) => r.details.some((d) => /certified bound over the box not computed/.test(d))));
});
