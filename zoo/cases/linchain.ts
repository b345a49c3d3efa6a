// A deep linear chain (no activations, MatMul + Add as exporters write batched Linear layers):
// five random layers 4 -> 6 -> 8 -> 5 -> 7 -> 3 whose product is exactly y = A x + c with small
// integer A and c. The last layer is A P^+ (P the product of the first four), so fusing gives A back.
import type { CaseDef } from "../case.ts";
import { box } from "../case.ts";
import { dense, forwardNet, type DenseLayer, type ZooNet } from "../net.ts";
import { rng } from "../../src/util/rng.ts";
import { randn } from "../rng.ts";
import { single, st } from "../refprog.ts";

const A = [
  [1, -2, 0, 3],
  [0, 1, 1, -1],
  [2, 0, -1, 0],
];
const C = [1, 0, -2];
const WIDTHS = [4, 6, 8, 5, 7];

/** Solve the n x n system M X = B (Gauss-Jordan with partial pivoting); B has k columns. */
function solve(M: number[][], B: number[][]): number[][] {
  const n = M.length;
  const a = M.map((r, i) => [...r, ...B[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let j = c; j < a[r].length; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((r, i) => r.slice(n).map((v) => v / a[i][i]));
}

/** A random nOut x nIn matrix with orthonormal columns (nOut >= nIn) or rows (nOut < nIn): well conditioned. */
function orthoRandom(nOut: number, nIn: number, u: () => number): number[][] {
  const tall = nOut >= nIn;
  const [m, k] = tall ? [nOut, nIn] : [nIn, nOut];
  const vs: number[][] = [];
  while (vs.length < k) {
    const v = Array.from({ length: m }, () => randn(u));
    for (const q of vs) {
      const d = v.reduce((s, x, i) => s + x * q[i], 0);
      q.forEach((x, i) => (v[i] -= d * x));
    }
    const n = Math.hypot(...v);
    if (n > 1e-6) vs.push(v.map((x) => x / n));
  }
  return tall ? Array.from({ length: m }, (_, r) => vs.map((q) => q[r])) : vs;
}

function build(): ZooNet {
  const u = rng(20261);
  const layers: DenseLayer[] = [];
  for (let k = 0; k + 1 < WIDTHS.length; k++) {
    const [nIn, nOut] = [WIDTHS[k], WIDTHS[k + 1]];
    const rows = orthoRandom(nOut, nIn, u);
    layers.push(dense(rows, Array.from({ length: nOut }, () => 0.1 * randn(u)), false, new Array(nOut).fill("chain")));
  }
  // P (7 x 4) and q: the chain so far is h = P x + q; read them off by running it on e_i and 0.
  const chain: ZooNet = { inputShape: [4], branches: [{ name: "", layers }] };
  const q = [...forwardNet(chain, [0, 0, 0, 0])];
  const cols = [0, 1, 2, 3].map((i) => [...forwardNet(chain, [0, 1, 2, 3].map((j) => (j === i ? 1 : 0)))].map((v, r) => v - q[r]));
  const P = q.map((_, r) => cols.map((c) => c[r]));
  // L = A (P^T P)^-1 P^T, so L P = A.
  const PtP = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => P.reduce((s, row) => s + row[i] * row[j], 0)));
  const inv = solve(PtP, [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? 1 : 0))));
  const L = A.map((ar) => P.map((prow) => ar.reduce((s, a, i) => s + a * inv[i].reduce((t, v, j) => t + v * prow[j], 0), 0)));
  const b = C.map((c, o) => c - L[o].reduce((s, l, r) => s + l * q[r], 0));
  layers.push(dense(L, b, false, ["out", "out", "out"]));
  return chain;
}

export const linchainCase: CaseDef = {
  name: "linchain",
  title: "y = A x + c (A 3x4, small integers) written as 5 linear layers 4-6-8-5-7-3",
  inputShape: [4],
  outputSize: 3,
  domain: box(4, -1, 1),
  output: "real",
  build,
  reference: (x) => A.map((r, o) => r.reduce((s, a, i) => s + a * x[i], C[o])),
  program: () => single("linchain", [{ name: "x", n: 4 }], [st("y", { kind: "affine", W: A, b: C }, "x")], ["y"]),
  // One affine map, not five: a dump of the layers has "affine" too, so the count is what says it fused.
  primitives: ["affine=1"],
  matmul: true,
};
