// Boundary-supporting rows (src/refine/boundary.ts): each pool point lies on the original's top-1 boundary (its two
// largest scores tie to within the bisection's resolution, far closer than on the data), between two classes; draws
// stay within the data's range; refine with boundary rows is deterministic and keeps its floor.
import test from "node:test";
import assert from "node:assert/strict";
import { lift } from "../../src/net/lift.ts";
import { encodeModel } from "../../src/onnx/write.ts";
import { refine } from "../../src/refine/index.ts";
import { boundaryPool } from "../../src/refine/boundary.ts";
import { BatchSampler, refineData } from "../../src/refine/data.ts";
import { margins, valuesOn } from "../../src/refine/distil.ts";
import { trainNet } from "../../src/train/trainnet.ts";
import { mlp, rows } from "./nets.ts";

test("boundaryPool: every point is where the original's top-1 changes (top-2 scores tie), much closer than any data row", () => {
  const net = mlp(21, [5, 24, 4]), t = trainNet(net, "float32");
  const d = refineData(rows(22, 500, 5), 0.2, 0.2, 0);
  const pool = boundaryPool(t, "fc1", d, 300, 0);
  assert.equal(pool.n, 300);
  const mp = margins(valuesOn(t, "fc1", pool.x, pool.n), 4), md = [...margins(valuesOn(t, "fc1", d.train.x, d.train.n), 4)].sort((a, b) => a - b);
  const median = md[md.length >> 1];
  // Bisected to 2^-12 of a segment: the tie is at most a few thousandths of the data's median margin.
  assert.ok(Math.max(...mp) < 5e-3 * median, `largest pool margin ${Math.max(...mp)} vs data median ${median}`);
  assert.ok(Math.max(...mp) < md[0], `pool margins ${Math.max(...mp)} below the data's smallest ${md[0]}`);
  // The same seed, the same pool.
  assert.deepEqual(boundaryPool(t, "fc1", d, 300, 0).x, pool.x);
});

test("BatchSampler: boundary rows follow the real and sampled rows, within the data's range per feature", () => {
  const net = mlp(23, [4, 16, 3]), t = trainNet(net, "float32");
  const d = refineData(rows(24, 400, 4), 0.2, 0.2, 0);
  const pool = boundaryPool(t, "fc1", d, 64, 0);
  const b = new BatchSampler(d, 0, pool).next(10, 2, 1);
  assert.equal(b.n, 40);
  for (let r = 30; r < 40; r++) for (let i = 0; i < 4; i++) {
    const v = b.x[r * 4 + i];
    assert.ok(v >= d.lo[i] && v <= d.hi[i], `row ${r} feature ${i}: ${v} outside [${d.lo[i]}, ${d.hi[i]}]`);
  }
});

test("refine with boundary rows: deterministic, and the kept copy holds the floor", () => {
  const net = lift(mlp(25, [6, 20, 4]));
  const x = rows(26, 400, 6);
  const opts = { epochs: 2, maxRounds: 2, batch: 48, objectives: ["prune" as const], boundary: 1, boundaryPool: 256, minAgreement: 0.9, seed: 1 };
  const a = refine(net, x, opts), b = refine(net, x, opts);
  assert.deepEqual(encodeModel(a.model), encodeModel(b.model));
  assert.match(a.dataNote, /boundary rows: 1 per real row, from 256 points/);
  if (a.chosen) assert.ok(a.after.validationAgreement >= 0.9);
});
