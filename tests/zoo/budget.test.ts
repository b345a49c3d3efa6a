// zoo/budget.ts: the budget at which a compiled case's reference program is an admissible explanation of its net.
// Unobfuscated, the net is its reference, so the budget is explain's default (1e-3 of the outputs' range); with weight
// noise the reference is d away, and the budget covers d over the ledger's share on points beyond the case's own samples.
import { test } from "node:test";
import assert from "node:assert/strict";
import { referenceTolerance, REFERENCE_BUDGET_FACTOR } from "../../zoo/budget.ts";
import { findCase } from "../../zoo/cases/index.ts";
import { generateCase } from "../../zoo/generate.ts";
import { forwardNet } from "../../zoo/net.ts";

test("referenceTolerance: explain's default on an exact net; at least d / share under noise, and seeded", () => {
  const def = findCase("max2")!;
  const clean = generateCase(def, 1, []);
  let lo = Infinity, hi = -Infinity;
  for (const x of clean.points) for (const v of forwardNet(clean.net, x)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  assert.ok(Math.abs(referenceTolerance(clean, 1) - 1e-3 * (hi - lo)) < 1e-12);
  const noisy = generateCase(findCase("argmax4")!, 1, ["noise", "nearzero", "rescale", "split"]);
  const t = referenceTolerance(noisy, 1);
  assert.ok(t >= REFERENCE_BUDGET_FACTOR * noisy.fidelity.maxAbsErr, `${t} vs ${noisy.fidelity.maxAbsErr}`);
  assert.equal(referenceTolerance(noisy, 1), t);
});
