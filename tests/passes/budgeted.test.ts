// The budgeted passes (prune-units, prune-weights, round-weights, quantize): each makes the net smaller or
// simpler, stays within its share of the budget on the analysis rows it did not fit on, reports what it cost,
// and does nothing under --exact. The least-squares re-fit recovers weights exactly when they are reachable.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Layer, Net } from "../../src/net/net.ts";
import { simplifyState } from "../../src/passes/state.ts";
import type { SimplifyState } from "../../src/passes/simplify.ts";
import { pruneWeightsPass } from "../../src/passes/prune-weights.ts";
import { pruneUnitsPass } from "../../src/passes/prune-units.ts";
import { roundWeightsPass } from "../../src/passes/round-weights.ts";
import { quantizePass } from "../../src/passes/quantize.ts";
import { budgetedPasses } from "../../src/passes/index.ts";
import { nonzeroWeights, hiddenUnits } from "../../src/passes/net-edit.ts";
import { BUDGET_SHARE } from "../../src/passes/budget.ts";
import { meanBits } from "../../src/passes/grid-weights.ts";
import { crossAug, refitProblem, refitRow } from "../../src/passes/refit.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { randn, rng } from "../helpers/rng.ts";
import { act, boxRows, dense, maxDiff, net } from "./simplify-helpers.ts";

/** A regression MLP 8 -> 16 -> 16 -> 1 where a third of the weights are small and four units of each hidden
 *  layer barely matter (tiny outgoing weights): room for every budgeted pass. */
function redundantNet(seed: number): Net {
  const r = rng(seed);
  const mat = (o: number, i: number, small: (a: number, b: number) => boolean) =>
    Array.from({ length: o }, (_, a) => Array.from({ length: i }, (_, b) => (small(a, b) ? 0.01 : 1) * randn(r) / Math.sqrt(i)));
  const layers: Layer[] = [
    dense("fc1", "x", mat(16, 8, (a, b) => (a + b) % 3 === 0), Array.from({ length: 16 }, () => 0.2 * randn(r))),
    act("relu1", "fc1", 16),
    dense("fc2", "relu1", mat(16, 16, (a, b) => b >= 12 || (a * b) % 3 === 1), Array.from({ length: 16 }, () => 0.2 * randn(r))),
    act("relu2", "fc2", 16),
    dense("fc3", "relu2", mat(1, 16, (_, b) => b >= 12), [0.1]),
  ];
  return net(8, layers);
}

function stateOf(nt: Net, tolerance: number, exact = false, total = 2000): SimplifyState {
  const rows = boxRows(3, total, 8);
  const x = rows.x.data as Float32Array;
  const cut = Math.floor(total * 0.8);
  return simplifyState(nt, { x: f32([cut, 8], x.slice(0, cut * 8)) }, { x: f32([total - cut, 8], x.slice(cut * 8)) }, { tolerance, exact });
}

test("the least-squares re-fit recovers a row exactly when the pruned weights were already zero", () => {
  const r = rng(5);
  const rows = 200, d = 6;
  const X = Float32Array.from({ length: rows * d }, () => randn(r));
  const W = Float32Array.from([0.5, 0, -1.25, 0, 2, 0]), b = Float32Array.from([0.75]);
  const G = crossAug(X, d, X, d, rows);
  const p = refitProblem(G, G, d, d, W, b, 1);
  const row = refitRow(p, 0, [0, 2, 4], new Float64Array(d + 1));
  [0.5, 0, -1.25, 0, 2, 0, 0.75].forEach((v, i) => assert.ok(Math.abs(row[i] - v) < 1e-4, `entry ${i}: ${row[i]} vs ${v}`));
});

test("prune-weights keeps fewer weights within its share of the tolerance, re-fit, and reports it", () => {
  const nt = redundantNet(1);
  const s = stateOf(nt, 0.05);
  const r = pruneWeightsPass.run(s);
  assert.equal(r.report.kind, "budgeted");
  assert.ok(r.report.weights.after < 0.8 * r.report.weights.before, `weights ${r.report.weights.before} -> ${r.report.weights.after}`);
  assert.equal(r.report.weights.after, nonzeroWeights(r.out.net));
  assert.ok(r.report.heldOut.maxAbsErr <= s.budget.tolerance, `held-out error ${r.report.heldOut.maxAbsErr}`);
  assert.match(r.report.details.join("\n"), /budget share 0.7: max \|error\| /, r.report.details.join("\n"));
  assert.equal(pruneWeightsPass.run(stateOf(nt, 0.05, true)).out.net, nt, "--exact changes nothing");
});

test("prune-units removes the units that barely matter and re-fits the next layer within its share", () => {
  const nt = redundantNet(2);
  const s = stateOf(nt, 0.05);
  const r = pruneUnitsPass.run(s);
  assert.ok(hiddenUnits(r.out.net) <= hiddenUnits(nt) - 4, `units ${hiddenUnits(nt)} -> ${hiddenUnits(r.out.net)}`);
  assert.ok(maxDiff(nt, r.out.net, s.analysis) <= BUDGET_SHARE.units * s.budget.tolerance * 1.5);
  assert.ok(r.report.heldOut.maxAbsErr <= s.budget.tolerance);
});

test("round-weights puts each layer on a decimal grid within budget; quantize only adopts fewer bits", () => {
  const nt = redundantNet(3);
  const s = stateOf(nt, 0.05);
  const r = roundWeightsPass.run(s);
  const steps = [...r.report.details.join("\n").matchAll(/(fc\d): step ([\d.e-]+)/g)].map((m) => [m[1], Number(m[2])] as const);
  assert.ok(steps.length >= 1, r.report.details.join("\n"));
  for (const [id, q] of steps) {
    const l = r.out.net.layers.find((x) => x.id === id)!;
    if (l.kind !== "affine") throw new Error("affine expected");
    for (const w of [...l.W, ...l.b]) assert.ok(Math.abs(w / q - Math.round(w / q)) < 1e-3, `${id}: ${w} is not a multiple of ${q}`);
  }
  assert.ok(r.report.heldOut.maxAbsErr <= s.budget.tolerance);
  const q = quantizePass.run({ ...s, net: r.out.net });
  if (q.out.net !== r.out.net) assert.ok(meanBits(q.out.net) < meanBits(r.out.net), q.report.summary);
  // on the raw net (float weights, ~8+ bits spanned) quantisation to a few bits fits a loose budget
  const raw = quantizePass.run(stateOf(nt, 0.5));
  assert.ok(raw.out.net !== nt && meanBits(raw.out.net) <= 8, raw.report.details.join("\n"));
  assert.ok(raw.report.heldOut.maxAbsErr <= 0.5);
});

test("a classifier's budget is top-1 agreement: the pruned net keeps it on the analysis rows it did not fit", () => {
  const r = rng(9);
  const layers: Layer[] = [
    dense("fc1", "x", Array.from({ length: 24 }, () => Array.from({ length: 8 }, () => randn(r))), Array.from({ length: 24 }, () => 0.1 * randn(r))),
    act("relu1", "fc1", 24),
    dense("fc2", "relu1", Array.from({ length: 4 }, () => Array.from({ length: 24 }, () => randn(r) / 5)), [0, 0, 0, 0]),
    { kind: "softmax", log: false, axis: 0, id: "sm", inputs: ["fc2"], shape: [4], dtype: "float32", origin: [] },
  ];
  const nt = net(8, layers);
  const s = { ...stateOf(nt, 1e-9), budget: { tolerance: 1e-9, minAgreement: 0.98, exact: false } };
  assert.equal(s.classifier, true);
  let cur = s;
  for (const p of budgetedPasses.filter((x) => x.name !== "near-zero")) cur = { ...p.run(cur).out, stats: undefined };
  assert.ok(nonzeroWeights(cur.net) < nonzeroWeights(nt), "something was pruned despite a tiny tolerance: agreement is the measure");
  const fin = pruneWeightsPass.run(cur).report.heldOut.top1Agreement!;
  assert.ok(fin >= 0.95, `held-out agreement ${fin}`);
});

test("with too few analysis rows to judge the budget, every budgeted pass declines and says why", () => {
  const nt = redundantNet(4);
  const s = stateOf(nt, 0.05, false, 400);
  for (const p of [pruneUnitsPass, pruneWeightsPass, roundWeightsPass, quantizePass]) {
    const r = p.run(s);
    assert.equal(r.out.net, nt, p.name);
    assert.match(r.report.summary, /too few analysis rows to choose within budget \(240 not used by the re-fits; 1000 needed\)/, p.name);
  }
});
