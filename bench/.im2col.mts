import { im2col } from "../src/ops/util/conv.ts";
import type { Geom3 } from "../src/ops/util/spatial.ts";
const g: Geom3 = { in: [1, 28, 28], out: [1, 28, 28], kernel: [1, 5, 5], strides: [1, 1, 1], dilations: [1, 1, 1], padBegin: [0, 2, 2], padEnd: [0, 2, 2] };
const x = new Float32Array(1000 * 784).map(() => Math.random());
const col = new Float32Array(25 * 784 * 2);
function copyLoop(n: number) { for (let b = 0; b < n; b++) { const o = (b % 2) * 19600; for (let i = 0; i < 19600; i++) col[o + i] = x[(b * 784 + i) % x.length]; } }
for (let rep = 0; rep < 5; rep++) {
  let t = performance.now();
  for (let b = 0; b < 1000; b++) im2col(x, b * 784, 1, g, col, 0, 784);
  const a = performance.now() - t;
  t = performance.now();
  copyLoop(1000);
  console.log("im2col", a.toFixed(1), "plain copy loop", (performance.now() - t).toFixed(1));
}
