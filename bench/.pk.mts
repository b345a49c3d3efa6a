import { im2col, implicitColumns } from "../src/ops/util/im2col.ts";
import type { Geom3 } from "../src/ops/util/spatial.ts";
const C = 64, HW = 224;
const g: Geom3 = { in: [1, HW, HW], out: [1, HW, HW], kernel: [1, 3, 3], strides: [1, 1, 1], dilations: [1, 1, 1], padBegin: [0, 1, 1], padEnd: [0, 1, 1] };
const x = new Float32Array(C * HW * HW).map(() => Math.random());
const K = C * 9, N = HW * HW;
const mem = new Float32Array(K * N + 1000);
const col = new Float32Array(K * N);
const pk = implicitColumns(x, () => 0, 1, C * HW * HW, C, g);
const KC = 256;
function packAll() { for (let pc = 0; pc < K; pc += KC) { const kc = Math.min(KC, K - pc); for (let j = 0; j < N; j += 8) pk(mem, pc * N + j * kc, pc, kc, j); } }
function viaIm2col() {
  im2col(x, 0, C, g, col, 0, N);
  for (let pc = 0; pc < K; pc += KC) { const kc = Math.min(KC, K - pc);
    for (let j = 0; j < N; j += 8) { let dst = pc * N + j * kc; let s = pc * N + j;
      for (let p = 0; p < kc; p++, s += N, dst += 8) { mem[dst] = col[s]; mem[dst+1] = col[s+1]; mem[dst+2] = col[s+2]; mem[dst+3] = col[s+3]; mem[dst+4] = col[s+4]; mem[dst+5] = col[s+5]; mem[dst+6] = col[s+6]; mem[dst+7] = col[s+7]; } } }
}
for (let r = 0; r < 4; r++) {
  let t = performance.now(); packAll(); const a = performance.now() - t;
  t = performance.now(); viaIm2col(); const b = performance.now() - t;
  console.log("implicit", a.toFixed(0), "im2col+pack", b.toFixed(0), "elements", (K*N/1e6).toFixed(1)+"M");
}
