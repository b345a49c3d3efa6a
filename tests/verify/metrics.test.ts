// Fidelity metrics: definitions on small cases, NaN handling, class-score detection, shape errors.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compareAll, compareOutput, fidelityLine, looksLikeScores, maxAbsErr, meanAbsErr, relErr, top1Agreement, topAgrees } from "../../src/verify/metrics.ts";
import { f32, tensor } from "../../src/graph/tensor.ts";
import { UserError } from "../../src/errors.ts";
import { randnArray, rng } from "../helpers/rng.ts";

describe("fidelity metrics", () => {
  it("maxAbsErr, meanAbsErr and relErr = maxAbsErr / max|expected|", () => {
    const y = [1, -4, 2], z = [1.5, -4, 1];
    assert.equal(maxAbsErr(y, z), 1);
    assert.equal(meanAbsErr(y, z), 0.5);
    assert.equal(relErr(y, z), 0.25);
    assert.equal(relErr([0, 0], [0, 0.5]), 0.5, "all-zero reference: relErr is maxAbsErr");
  });

  it("are 0 for identical data and symmetric in their arguments (random property)", () => {
    const r = rng(3);
    for (let k = 0; k < 50; k++) {
      const a = randnArray(r, 20), b = randnArray(r, 20);
      assert.equal(maxAbsErr(a, a), 0);
      assert.equal(maxAbsErr(a, b), maxAbsErr(b, a));
      assert.ok(meanAbsErr(a, b) <= maxAbsErr(a, b));
    }
  });

  it("treat NaN in one side only as an infinite error, NaN on both sides as agreement", () => {
    assert.equal(maxAbsErr([NaN, 1], [NaN, 1]), 0);
    assert.equal(maxAbsErr([NaN, 1], [0, 1]), Infinity);
    assert.equal(maxAbsErr([Infinity], [Infinity]), 0);
  });

  it("top-1 agreement only for outputs that look like class scores", () => {
    const y = f32([3, 2], [1, 0, 0, 1, 5, 4]);
    const z = f32([3, 2], [0.9, 0.1, 0.6, 0.4, 5, 4]);
    assert.ok(looksLikeScores(y));
    assert.equal(top1Agreement(y, z), 2 / 3);
    assert.equal(compareOutput("p", y, z).top1Agreement, 2 / 3);
    assert.equal(looksLikeScores(f32([2, 1, 4, 4], new Float32Array(32))), false, "images are not scores");
    assert.equal(looksLikeScores(tensor("int64", [3], [1, 2, 3])), false);
    assert.equal(compareOutput("img", f32([1, 1, 2, 2], [1, 2, 3, 4]), f32([1, 1, 2, 2], [1, 2, 3, 4])).top1Agreement, undefined);
  });

  it("top-1 agreement counts ties within rounding on either side as agreeing (topAgrees)", () => {
    // A named program's exact bits [1, 1, 0] against a network's [1.001, 0.999, 0] (and the other way round):
    // either tied class is the program's top-1.
    const net = f32([2, 3], [1.001, 0.999, 0, 0.999, 1.001, 0]);
    const prog = f32([2, 3], [1, 1, 0, 1, 1, 0]);
    assert.equal(top1Agreement(net, prog), 1);
    assert.equal(top1Agreement(prog, net), 1);
    assert.ok(topAgrees([1, 1 + 1e-7, 0], [0, 1, 0], 0, 3), "a rounding-level tie in the reference agrees on either");
    // Not a tie: the program's top is another class.
    assert.equal(top1Agreement(net, f32([2, 3], [0.9, 1, 0, 1, 0.9, 0])), 0);
    assert.ok(!topAgrees([1, 0.99, 0], [0.99, 1, 0], 0, 3));
    // A row with every class tied (a net pruned to nothing outputs zeros) has no top-1: it agrees with no row.
    assert.ok(!topAgrees([0.2, 1, 0.1], [0, 0, 0], 0, 3));
    assert.ok(!topAgrees([0, 0, 0], [0.2, 1, 0.1], 0, 3));
    // (its argmax is still class 0, as before ties counted: the first row's top-1 is 0, the second's 1)
    assert.equal(top1Agreement(net, f32([2, 3], [0, 0, 0, 5, 5, 5])), 0.5);
    // Property: agreement is symmetric and equals plain argmax agreement on rows without ties.
    const r = rng(9);
    for (let k = 0; k < 200; k++) {
      const a = randnArray(r, 4), b = randnArray(r, 4);
      const plain = a.indexOf(Math.max(...a)) === b.indexOf(Math.max(...b));
      assert.equal(topAgrees(a, b, 0, 4), plain);
      assert.equal(topAgrees(b, a, 0, 4), plain);
    }
  });

  it("a tie at an error budget: the program's top class (any, for a row of equal scores) within `tie` of the original's best", () => {
    // adder2's exact bits [0, 0, 0] against the net's noisy [-0.002, 0.004, 0.001]: a tie at 1e-2, not at rounding.
    assert.ok(!topAgrees([-0.002, 0.004, 0.001], [0, 0, 0], 0, 3));
    assert.ok(topAgrees([-0.002, 0.004, 0.001], [0, 0, 0], 0, 3, 1e-2));
    // A row of zeros "contains" any winner: only a caller that also bounds max |a - b| by the same budget may pass
    // one (the ledger does; here |0 - 1| = 1 > 1e-2 rejects it there).
    assert.ok(topAgrees([0.2, 1, 0.1], [0, 0, 0], 0, 3, 1e-2));
    // The program's top class must score within the budget of the original's best.
    assert.ok(!topAgrees([1, 0.95, 0], [0.9, 1, 0], 0, 3, 1e-2));
    assert.ok(topAgrees([1, 0.995, 0], [0.9, 1, 0], 0, 3, 1e-2));
    // Property: tie = 0 is the strict rule, and a larger budget never turns agreement into disagreement.
    const r = rng(11);
    for (let k = 0; k < 200; k++) {
      const a = randnArray(r, 4), b = randnArray(r, 4);
      assert.equal(topAgrees(a, b, 0, 4, 0), topAgrees(a, b, 0, 4));
      if (topAgrees(a, b, 0, 4, 0.1)) assert.ok(topAgrees(a, b, 0, 4, 0.5));
    }
  });

  it("summarise several outputs by the worst of each metric", () => {
    const f = compareAll(["a", "b"], [f32([2, 2], [1, 2, 3, 4]), f32([2], [10, 10])], [f32([2, 2], [1, 2, 3, 4.5]), f32([2], [10, 11])], "held-out");
    assert.equal(f.maxAbsErr, 1);
    assert.equal(f.relErr, 0.125);
    assert.equal(f.samples, 2);
    assert.equal(f.top1Agreement, 1);
    assert.equal(fidelityLine(f), "maxAbsErr 1, relErr 1.3e-1, top-1 agreement 100%");
  });

  it("reject outputs whose shapes differ, naming the output", () => {
    assert.throws(() => compareOutput("logits", f32([2, 3], new Float32Array(6)), f32([3, 2], new Float32Array(6))),
      (e: unknown) => e instanceof UserError && /output 'logits': shape \[3, 2\] differs from the original's \[2, 3\]/.test(e.message));
  });
});
