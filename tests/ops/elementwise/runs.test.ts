// The run planner behind every broadcasting kernel: walking runs must visit exactly the numpy-broadcast
// element pairs, and same-shape / scalar operands must collapse to one run (the fast path).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sizeOf } from "../../../src/graph/tensor.ts";
import { broadcastIndex, broadcastShapes } from "../../../src/ops/util/broadcast.ts";
import { forEachRun, planRuns } from "../../../src/ops/util/elementwise.ts";
import { rng } from "../../helpers/rng.ts";
import { broadcastableTo, randomShape } from "./harness.ts";

/** For each output element, the operand's flat index, collected by walking runs. */
function indicesByRuns(outShape: number[], inShapes: number[][]): number[][] {
  const plan = planRuns(outShape, inShapes);
  const got = inShapes.map(() => new Array<number>(sizeOf(outShape)).fill(-1));
  forEachRun(plan, (offs, oo) => {
    for (let i = 0; i < plan.inner; i++) inShapes.forEach((_, k) => (got[k][oo + i] = offs[k] + i * plan.steps[k]));
  });
  return got;
}

describe("planRuns / forEachRun", () => {
  it("visit the numpy broadcast pairs for random shapes (seeded)", () => {
    const r = rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const out = randomShape(r, Math.floor(r() * 5), 4);
      const shapes = [broadcastableTo(r, out), broadcastableTo(r, out), out];
      const full = broadcastShapes(...shapes)!;
      const got = indicesByRuns(full, shapes);
      shapes.forEach((s, k) => {
        const idx = broadcastIndex(full, s);
        const want = Array.from({ length: sizeOf(full) }, (_, i) => (idx ? idx[i] : i));
        assert.deepEqual(got[k], want, `operand ${k} [${s}] in [${full}]`);
      });
    }
  });

  it("same-shape operands are one run with step 1", () => {
    const p = planRuns([8, 3, 5], [[8, 3, 5], [8, 3, 5]]);
    assert.deepEqual([p.inner, p.outer, p.steps], [120, [], [1, 1]]);
  });

  it("a scalar operand is one run with step 0", () => {
    const p = planRuns([8, 3, 5], [[8, 3, 5], []]);
    assert.deepEqual([p.inner, p.outer, p.steps], [120, [], [1, 0]]);
  });

  it("a bias row repeats in runs of its length", () => {
    const p = planRuns([1000, 256], [[1000, 256], [256]]);
    assert.deepEqual([p.inner, p.outer, p.steps, p.strides], [256, [1000], [1, 1], [[256], [0]]]);
  });

  it("a zero-size output visits nothing", () => {
    let calls = 0;
    forEachRun(planRuns([0, 3], [[0, 3], [3]]), () => calls++);
    assert.equal(calls, 0);
  });
});
