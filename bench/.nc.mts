const variants: [string, any][] = [];
import { readFileSync, writeFileSync } from "node:fs";
const src = readFileSync("src/ops/util/gemm.ts", "utf8");
for (const [kc, nc] of [[256, 256], [256, 512], [128, 512], [384, 256]]) {
  const f = `/tmp/gb/gemm_${kc}_${nc}.mts`;
  writeFileSync(f, src.replace("const KC = 256;", `const KC = ${kc};`).replace("const NC = 256;", `const NC = ${nc};`).replace('"./gemm-simd.ts"', '"/work/main/src/ops/util/gemm-simd.ts"'));
  variants.push([`KC${kc} NC${nc}`, await import(f)]);
}
const dims = [[1000, 256, 784], [64, 50176, 576], [1000, 10, 256], [16, 6400, 150]];
for (const [M, N, K] of dims) {
  const A = new Float32Array(M * K).map(() => Math.random() - 0.5), B = new Float32Array(K * N).map(() => Math.random() - 0.5), C = new Float32Array(M * N);
  const res = new Map<string, number[]>();
  for (let round = 0; round < 7; round++) for (const [name, mod] of variants) {
    const t = performance.now(); mod.gemm({ m: M, n: N, k: K, a: A, b: B, c: C }); const dt = performance.now() - t;
    if (round >= 2) res.set(name, [...(res.get(name) ?? []), dt]);
  }
  console.log(M, N, K, [...res].map(([n, ts]) => `${n}: ${ts.sort((a, b) => a - b)[2].toFixed(1)}`).join("  "));
}
