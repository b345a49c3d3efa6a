// Feature visualisation (src/recover/feature-vis.ts): on a net whose hidden units are known templates over an
// 8 x 8 image, the picture made for a unit (and for a group of two) looks like its template (cosine 0.68-0.78 with
// its own, below 0.2 with the others: jitter and blur smear the edges), drives it above the
// start, is the same for the same seed, and works for a model exported with a fixed batch of 1.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { netMacs, STEPS, stepsWithin, visualise } from "../../src/recover/feature-vis.ts";
import { toNet, type Dense } from "./slice-nets.ts";

const side = 8;
/** Templates: a horizontal bar, a vertical bar, a diagonal; weights +1 on the template, -0.2 elsewhere. */
const templates = [
  (y: number, x: number) => y === 3 || y === 4,
  (y: number, x: number) => x === 2 || x === 3,
  (y: number, x: number) => Math.abs(y - x) <= 1,
].map((f) => Array.from({ length: side * side }, (_, k) => (f(Math.floor(k / side), k % side) ? 1 : -0.2)));

function net(batch: number | string = "N") {
  const hidden: Dense = { W: templates, b: [0, 0, 0], relu: true };
  const out: Dense = { W: [[1, 1, 1]], b: [0], relu: false };
  const n = toNet([hidden, out], side * side);
  return { ...n, inputs: [{ ...n.inputs[0], batchDim: batch }] };
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) (ab += a[i] * b[i]), (aa += a[i] * a[i]), (bb += b[i] * b[i]);
  return ab / Math.sqrt(aa * bb);
}

const oneHot = (i: number) => Float64Array.from({ length: 3 }, (_, j) => (j === i ? 1 : 0));

describe("feature visualisation", () => {
  const box = { lo: 0, hi: 1 };
  const img = [1, side, side] as const;
  it("a unit's picture is its template; a group's is both of its templates", () => {
    const targets = [0, 1, 2].map((u) => ({ name: `u${u}`, layer: "relu1", weights: oneHot(u) }));
    targets.push({ name: "g", layer: "relu1", weights: Float64Array.from([1, 1, 0]) });
    const vis = visualise(net(), targets, img, box, { seed: 1, steps: 128 });
    for (const u of [0, 1, 2]) {
      const v = vis[u];
      assert.ok(v.end > v.start + 1, `u${u}: objective ${v.start} -> ${v.end}`);
      const c = cosine(Array.from(v.image, (p) => p - 0.5), templates[u]);
      assert.ok(c > 0.5, `u${u}: cosine with its template ${c.toFixed(3)}`);
      for (const o of [0, 1, 2]) if (o !== u) assert.ok(c > cosine(Array.from(v.image, (p) => p - 0.5), templates[o]), `u${u} looks more like template ${o}`);
    }
    const both = templates[0].map((w, k) => w + templates[1][k]);
    assert.ok(cosine(Array.from(vis[3].image, (p) => p - 0.5), both) > 0.5);
    for (const v of vis) for (const p of v.image) assert.ok(p >= 0 && p <= 1, "kept in the box");
  });

  it("is deterministic, and runs a fixed-batch (1) export one target at a time", () => {
    const targets = [0, 1].map((u) => ({ name: `u${u}`, layer: "relu1", weights: oneHot(u) }));
    const a = visualise(net(), targets, img, box, { seed: 3, steps: 32 });
    const b = visualise(net(), targets, img, box, { seed: 3, steps: 32 });
    assert.deepEqual(a, b);
    const one = visualise(net(1), targets, img, box, { seed: 3, steps: 32 });
    assert.equal(one.length, 2);
    assert.ok(one[1].end > one[1].start);
  });

  it("fits its steps to the budget", () => {
    assert.equal(netMacs(net()), 3 * 64 + 3);
    assert.equal(stepsWithin(net(), 10), STEPS);
    assert.equal(stepsWithin(net(), 10, 256), 256);
    const huge = { ...net(), layers: net().layers.map((l) => (l.kind === "affine" ? { ...l, W: new Float32Array(5e7) } : l)) };
    assert.equal(stepsWithin(huge, 20), 0);
  });
});
