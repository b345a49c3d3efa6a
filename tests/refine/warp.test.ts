// The warps refine samples image rows with: identity copies, a shift moves every pixel by whole pixels (fill where
// the image ends), a quarter turn is the transpose-and-flip, and random warps stay within the pixel range.
import test from "node:test";
import assert from "node:assert/strict";
import { IDENTITY, randomWarp, warpImage } from "../../src/refine/warp.ts";
import { refineData, BatchSampler } from "../../src/refine/data.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { rng } from "../../src/util/rng.ts";

const img = (c: number, h: number, w: number, seed: number) => { const u = rng(seed); return Float32Array.from({ length: c * h * w }, () => u()); };

test("warpImage: the identity copies; a shift by (1, 2) moves pixels; a quarter turn of a square is dst[i][j] = src[j][w-1-i]", () => {
  const c = 2, h = 9, w = 9, src = img(c, h, w, 1), fill = new Float32Array(c * h * w).fill(-1), dst = new Float32Array(src.length);
  warpImage(src, dst, c, h, w, IDENTITY, fill);
  assert.deepEqual(dst, src);
  warpImage(src, dst, c, h, w, { ...IDENTITY, dx: 1, dy: 2 }, fill);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
    const want = i >= 2 && j >= 1 ? src[ch * h * w + (i - 2) * w + (j - 1)] : -1;
    assert.ok(Math.abs(dst[ch * h * w + i * w + j] - want) < 1e-6, `(${ch}, ${i}, ${j})`);
  }
  warpImage(src, dst, c, h, w, { ...IDENTITY, angle: Math.PI / 2 }, fill);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) assert.ok(Math.abs(dst[i * w + j] - src[j * w + (w - 1 - i)]) < 1e-5, `(${i}, ${j})`);
});

test("random warps are convex mixtures of pixels and fill: within [min, max]; image rows sample warps, flat rows do not", () => {
  const u = rng(2), src = img(1, 12, 12, 3), fill = new Float32Array(144), dst = new Float32Array(144);
  for (let k = 0; k < 20; k++) {
    warpImage(src, dst, 1, 12, 12, randomWarp(u), fill);
    for (const v of dst) assert.ok(v >= -1e-6 && v <= 1 + 1e-6);
  }
  const rows = 50, x = img(rows, 12, 12, 4);
  const image = refineData(f32([rows, 1, 12, 12], x), 0.2, 0.2, 0), flat = refineData(f32([rows, 144], x), 0.2, 0.2, 0);
  assert.ok(image.image && !flat.image);
  const b = new BatchSampler(image, 0).next(4, 2);
  assert.equal(b.n, 12);
  // The real rows come first, unchanged.
  for (let k = 0; k < 4; k++) assert.deepEqual(b.x.subarray(k * 144, (k + 1) * 144), image.train.x.subarray(b.rows[k] * 144, (b.rows[k] + 1) * 144));
});
