// The training max pool's row-at-a-time kernel against the interpreter's window-by-window indexed kernel
// (ops/util/pool.ts): the same maxima and the same argmax indices (first maximum on ties) over random geometries
// with padding, strides, dilations and many ties.
import test from "node:test";
import assert from "node:assert/strict";
import { maxPool } from "../../src/ops/util/pool.ts";
import type { Geom3 } from "../../src/ops/util/spatial.ts";
import { maxPoolArgmax } from "../../src/train/layers/pool.ts";
import { rng } from "../../src/util/rng.ts";

test("maxPoolArgmax: the interpreter's maxima and indices on random geometries, ties included", () => {
  const u = rng(7);
  const int = (a: number, b: number) => a + Math.floor(u() * (b - a + 1));
  for (let trial = 0; trial < 200; trial++) {
    const dims = int(1, 3), g: Geom3 = { in: [1, 1, 1], out: [1, 1, 1], kernel: [1, 1, 1], strides: [1, 1, 1], dilations: [1, 1, 1], padBegin: [0, 0, 0], padEnd: [0, 0, 0] } as Geom3;
    for (let a = 3 - dims; a < 3; a++) {
      g.in[a] = int(1, 9);
      g.kernel[a] = int(1, 3);
      g.strides[a] = int(1, 3);
      g.dilations[a] = int(1, 2);
      g.padBegin[a] = int(0, g.kernel[a] - 1);
      g.padEnd[a] = int(0, g.kernel[a] - 1);
      g.out[a] = Math.floor((g.in[a] + g.padBegin[a] + g.padEnd[a] - g.dilations[a] * (g.kernel[a] - 1) - 1) / g.strides[a]) + 1;
    }
    if (g.out.some((o) => o < 1)) continue;
    const planes = int(1, 3), inVol = g.in[0] * g.in[1] * g.in[2], outVol = g.out[0] * g.out[1] * g.out[2];
    // Values from a small set, so windows often hold ties.
    const x = Float32Array.from({ length: planes * inVol }, () => int(-3, 3));
    const want = new Float32Array(planes * outVol), idx = new Float64Array(want.length);
    maxPool(x, planes, g, { y: want, indices: idx, columnMajor: false, empty: -Infinity });
    const got = new Float32Array(want.length), at = new Int32Array(want.length);
    maxPoolArgmax(x, planes, g, got, at);
    assert.deepEqual([...got], [...want], `trial ${trial}: ${JSON.stringify(g)}`);
    assert.deepEqual([...at], [...idx], `trial ${trial}: indices, ${JSON.stringify(g)}`);
  }
});
