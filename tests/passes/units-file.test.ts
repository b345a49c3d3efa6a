// units.json (src/passes/units-file.ts): each unit's top rows are the first rows of the order "largest value first,
// ties by row" (checked against a full sort on data with many ties), its histogram counts every row once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TOP, BINS, unitsFile } from "../../src/passes/units-file.ts";
import type { NetStats } from "../../src/passes/stats.ts";
import { rng } from "../../src/util/rng.ts";

function statsOf(n: number, units: number, value: (r: number, u: number) => number): NetStats {
  const act = Float32Array.from({ length: n * units }, (_, i) => value(Math.floor(i / units), i % units));
  const x = Float32Array.from({ length: n * 2 }, (_, i) => i);
  return {
    samples: n, skipped: [],
    layers: [{ layer: "h" } as NetStats["layers"][number]],
    sample: { rows: n, inputs: { x: { dtype: "float32", shape: [n, 2], data: x } }, activations: { h: { dtype: "float32", shape: [n, units], data: act } } } as unknown as NetStats["sample"],
  };
}

describe("unitsFile", () => {
  for (const [n, seed] of [[3, 1], [50, 2], [513, 3]]) {
    it(`top rows and histograms of ${n} rows with ties match a full sort`, () => {
      const r = rng(seed);
      // Few distinct values (many ties), some zeros and negatives.
      const vals = Array.from({ length: n * 6 }, () => Math.round(r() * 8 - 2) / 2);
      const f = unitsFile(statsOf(n, 6, (row, u) => vals[row * 6 + u]));
      for (let u = 0; u < 6; u++) {
        const a = (row: number) => Math.fround(vals[row * 6 + u]);
        const want = Array.from({ length: n }, (_, i) => i).sort((x, y) => a(y) - a(x) || x - y).slice(0, Math.min(TOP, n)).filter((row) => a(row) > 0);
        const view = f.layers.h[u];
        assert.deepEqual(view.top.map((t) => t.row), want, `unit ${u}`);
        assert.equal(view.counts.length, BINS);
        assert.equal(view.counts.reduce((p, c) => p + c, 0), n);
      }
    });
  }
});
