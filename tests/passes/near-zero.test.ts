// near-zero (budgeted): tiny weights go only when the certified bound on the change fits the budget, and the
// report states the bound; with no room in the budget nothing changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dropNearZero, nearZeroPass } from "../../src/passes/near-zero.ts";
import { nonzeroWeights } from "../../src/passes/net-edit.ts";
import { act, dense, maxDiff, net, boxRows, stateFor } from "./simplify-helpers.ts";

// Row 0 of fc1 has a weight 1e-6 of its row max; fc2 has one of 3e-3.
const nt = net(2, [dense("fc1", "x", [[1, 1e-6], [0.5, -1]], [0, 0.1]), act("relu1", "fc1", 2), dense("fc2", "relu1", [[1, 3e-3]], [0])]);

test("dropNearZero removes weights below tau x row max", () => {
  assert.equal(dropNearZero(nt, 1e-5).dropped, 1);
  assert.equal(dropNearZero(nt, 1e-2).dropped, 2);
});

test("within budget: the tiny weights go, the change is certified and no larger than the bound", () => {
  const s = { ...stateFor(nt), budget: { tolerance: 1e-4, minAgreement: 0.999, exact: false } };
  const r = nearZeroPass.run(s);
  assert.equal(r.report.kind, "budgeted");
  assert.equal(nonzeroWeights(r.out.net), nonzeroWeights(nt) - 1, "only the 1e-6 weight fits a 1e-4 budget");
  const bound = r.report.certifiedMaxErr!;
  assert.ok(bound <= 1e-4, `bound ${bound}`);
  assert.ok(maxDiff(nt, r.out.net, boxRows(5, 2000, 2)) <= bound + 1e-7);
  assert.match(r.report.summary, /certified change .* over the box/);
});

test("a larger budget takes the larger weight too; a zero budget takes nothing", () => {
  const big = nearZeroPass.run({ ...stateFor(nt), budget: { tolerance: 1e-2, minAgreement: 0.999, exact: false } });
  assert.equal(nonzeroWeights(big.out.net), nonzeroWeights(nt) - 2);
  const none = nearZeroPass.run({ ...stateFor(nt), budget: { tolerance: 0, minAgreement: 0.999, exact: false } });
  assert.equal(none.out.net, nt);
  assert.match(none.report.summary, /no near-zero weights fit the budget/);
});

test("an over-budget change is declined after the first chunk of analysis rows that shows it, as a full run declines it", () => {
  // 4,000 rows: 3,200 analysis rows, run 1,024 at a time. fc2's 3e-3 weight moves the output by far more than 1e-7.
  const s = { ...stateFor(nt, { rows: 4000 }), budget: { tolerance: 1e-7, minAgreement: 0.999, exact: false } };
  const r = nearZeroPass.run(s);
  assert.match(r.report.summary, /no near-zero weights fit the budget/);
  const over = r.report.details.find((d) => d.startsWith("tau 0.01:"));
  assert.ok(over, r.report.details.join("\n"));
  assert.match(over!, /change >= \S+ on the analysis rows \(the first 1024\) \(over budget\)/);
  // What a full run measures is larger or equal: the decision is the same.
  const full = maxDiff(nt, dropNearZero(nt, 1e-2).net, s.analysis);
  assert.ok(full >= Number(/>= (\S+)/.exec(over!)![1]) * (1 - 1e-2) && full > 1e-7);
});
