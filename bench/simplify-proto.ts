// Prototypes of the prune-weights variants that bench/simplify-ideas.ts measures on the MNIST MLP (fixed weight
// counts per dense layer, so each idea is compared at the same size). Not used by the passes.
import type { Net, Layer } from "../src/net/net.ts";
import { crossAug, refitProblem, refitRow } from "../src/passes/refit.ts";
import { hinvApply, obsSweep, OBS_DAMP } from "../src/passes/obs.ts";
import { liveFactor } from "../src/passes/prune-weights.ts";

export type Dense = Layer & { kind: "affine" };
/** counts: dense weights kept per layer; noRefit: no least-squares re-fit after the sweep; sens: per layer, per
 *  unit cost scale; reluAware: iterations of the ReLU-aware re-fit (hidden layers); lsDamp: ridge of the first LS. */
export interface ProtoOpts { counts: number[]; noRefit?: boolean; sens?: Float64Array[]; reluAware?: number; lsDamp?: number }

/** A dense layer on rows (ReLU after it when `relu`). */
export function fwd(l: Dense, X: Float32Array, rows: number, relu: boolean): Float32Array {
  const d = l.inFeatures, o = l.outFeatures;
  const Z = new Float32Array(rows * o);
  for (let r = 0; r < rows; r++) for (let u = 0; u < o; u++) {
    let s = l.b[u];
    const xr = r * d, wr = u * d;
    for (let i = 0; i < d; i++) s += X[xr + i] * l.W[wr + i];
    Z[r * o + u] = relu ? Math.max(0, s) : s;
  }
  return Z;
}

/** The OBS sweep of augmented rows Wa0 at the threshold (bisected) that keeps about `count` weights. */
export function sweepTo(Wa0: Float64Array, outF: number, n: number, U: Float64Array, s: Float64Array, count: number): Float64Array {
  // bisection on log tau
  let lo = -60, hi = 20;
  let best: Float64Array | undefined;
  const nnz = (W: Float64Array) => { let c = 0; for (let o = 0; o < outF; o++) for (let i = 0; i < n - 1; i++) if (W[o * n + i] !== 0) c++; return c; };
  if (nnz(Wa0) <= count) return Wa0;
  for (let it = 0; it < 22; it++) {
    const mid = (lo + hi) / 2, tau = Math.exp(mid);
    const W = Float64Array.from(Wa0);
    obsSweep(W, outF, n, U, (o, _i, c) => s[o] * c < tau);
    const k = nnz(W);
    if (k > count) lo = mid; else { hi = mid; best = W; }
  }
  return best!;
}

/** Every dense layer of the chain pruned in order to counts[L] weights on the pruned net's own inputs (rows X0). */
export function protoPrune(net: Net, layers: Dense[], X0: Float32Array, rows: number, o: ProtoOpts): Net {
  // original inputs of each layer
  const orig: Float32Array[] = [X0];
  for (let L = 0; L < layers.length; L++) orig.push(fwd(layers[L], orig[L], rows, L < layers.length - 1));
  let cur = X0;
  const out = new Map<string, Layer>();
  for (let L = 0; L < layers.length; L++) {
    const l = layers[L], d = l.inFeatures, n = d + 1, outF = l.outFeatures;
    const G = crossAug(cur, d, cur, d, rows);
    const C = cur === orig[L] ? G : crossAug(cur, d, orig[L], d, rows);
    const p = refitProblem(G, C, d, d, l.W, l.b, outF);
    const U = liveFactor(G, n, OBS_DAMP);
    const Uls = liveFactor(G, n, o.lsDamp ?? 1e-6);
    const Wa = new Float64Array(outF * n);
    for (let u = 0; u < outF; u++) {
      const row = hinvApply(Uls, n, p.targets[u]);
      for (let i = 0; i < d; i++) if (G[i * n + i] === 0 || l.W[u * d + i] === 0) row[i] = 0;
      Wa.set(row, u * n);
    }
    const s = o.sens?.[L] ?? new Float64Array(outF).fill(1);
    const Ws = sweepTo(Wa, outF, n, U, s, o.counts[L]);
    const W = new Float32Array(outF * d), b = new Float32Array(outF);
    for (let u = 0; u < outF; u++) {
      const S: number[] = [];
      for (let i = 0; i < d; i++) if (Ws[u * n + i] !== 0) S.push(i);
      let row = o.noRefit ? Float64Array.from(Ws.subarray(u * n, (u + 1) * n)) : refitRow(p, u, S, Ws.subarray(u * n, (u + 1) * n) as Float64Array);
      if (o.reluAware && L < layers.length - 1) row = reluRefit(cur, orig[L + 1], rows, d, outF, u, S, row, G, o.reluAware);
      for (let i = 0; i < d; i++) W[u * d + i] = row[i];
      b[u] = row[d];
    }
    const nl: Dense = { ...l, W, b };
    out.set(l.id, nl);
    cur = fwd(nl, cur, rows, L < layers.length - 1);
  }
  return { ...net, layers: net.layers.map((l) => out.get(l.id) ?? l) };
}

/** squared-hinge-aware refit of unit u on support S: active rows (z>0) fit z, inactive rows only need pred <= 0.
 *  alternating: t_r = z_r (z_r > 0) or min(pred_r, 0); w = LS(t). */
export function reluRefit(X: Float32Array, Zorig: Float32Array, rows: number, d: number, outF: number, u: number, S: number[], row: Float64Array, G: Float64Array, iters: number): Float64Array {
  const n = d + 1;
  const Sb = [...S, d];
  const k = Sb.length;
  const t = new Float64Array(rows);
  let w = row;
  for (let it = 0; it < iters; it++) {
    for (let r = 0; r < rows; r++) {
      const z = Zorig[r * outF + u];
      if (z > 0) { t[r] = z; continue; }
      let pred = w[d];
      for (const i of S) pred += X[r * d + i] * w[i];
      t[r] = Math.min(pred, 0);
    }
    const tg = new Float64Array(n);
    for (let r = 0; r < rows; r++) { const tr = t[r]; if (tr === 0) continue; for (const i of S) tg[i] += X[r * d + i] * tr; tg[d] += tr; }
    w = refitRow({ G, n, targets: Array.from({ length: u + 1 }, (_, j) => (j === u ? tg : tg)) }, u, S, w);
  }
  return w;
}

/** Per layer, per unit: mean over rows of w_r g_{r,o}^2 (g = d margin / d z, w_r = rowWeight(margin of row r)). */
export function sensW(layers: Dense[], X: Float32Array, R: number, rowWeight: (m: number) => number): Float64Array[] {
  const Z: Float32Array[] = []; let cur = X;
  for (let L = 0; L < layers.length; L++) { const z = fwd(layers[L], cur, R, false); Z.push(z); cur = L < layers.length - 1 ? z.map((v) => Math.max(0, v)) : z; }
  const last = layers[layers.length - 1], k = last.outFeatures;
  const y = Z[Z.length - 1];
  let g = new Float64Array(R * k); const rw = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let a = 0; for (let j = 1; j < k; j++) if (y[r * k + j] > y[r * k + a]) a = j;
    let b = a === 0 ? 1 : 0; for (let j = 0; j < k; j++) if (j !== a && y[r * k + j] > y[r * k + b]) b = j;
    g[r * k + a] = 1; g[r * k + b] = -1; rw[r] = rowWeight(y[r * k + a] - y[r * k + b]);
  }
  const out: Float64Array[] = layers.map((l) => new Float64Array(l.outFeatures));
  for (let L = layers.length - 1; L >= 0; L--) {
    const l = layers[L], o = l.outFeatures, d = l.inFeatures;
    for (let r = 0; r < R; r++) for (let u = 0; u < o; u++) out[L][u] += rw[r] * g[r * o + u] ** 2 / R;
    if (L === 0) break;
    const zp = Z[L - 1];
    const gx = new Float64Array(R * d);
    for (let r = 0; r < R; r++) { for (let u = 0; u < o; u++) { const gu = g[r * o + u]; if (!gu) continue; for (let i = 0; i < d; i++) gx[r * d + i] += gu * l.W[u * d + i]; } for (let i = 0; i < d; i++) if (!(zp[r * d + i] > 0)) gx[r * d + i] = 0; }
    g = gx;
  }
  return out;
}

/** Small dense SPD solve by Cholesky (n × n, row-major). */
function spdSolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    let v = A[i * n + j];
    for (let t = 0; t < j; t++) v -= L[i * n + t] * L[j * n + t];
    L[i * n + j] = i === j ? Math.sqrt(Math.max(v, 1e-300)) : v / L[j * n + j];
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) { let v = b[i]; for (let t = 0; t < i; t++) v -= L[i * n + t] * y[t]; y[i] = v / L[i * n + i]; }
  for (let i = n - 1; i >= 0; i--) { let v = y[i]; for (let t = i + 1; t < n; t++) v -= L[t * n + i] * y[t]; y[i] = v / L[i * n + i]; }
  return y;
}

/** The last layer (dense) re-fit on the pruned net's inputs to the original's top-1 margins instead of its logits:
 *  min Σ_r ((y'_a - y'_b) - (y_a - y_b))^2 + lam ||y' - y||^2 (a, b: the original's top two classes of row r). */
export function marginRefit(net: Net, X: Float32Array, R: number, Y: Float32Array, lam: number): Net {
  const ls = net.layers.filter((l) => l.kind === "affine") as Dense[];
  let a = X;
  for (let L = 0; L < ls.length - 1; L++) a = fwd(ls[L], a, R, true);
  const last = ls[ls.length - 1], d = last.inFeatures, k = last.outFeatures, m = d + 1, N = k * m;
  const A = new Float64Array(N * N), bb = new Float64Array(N), av = new Float64Array(m);
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < d; i++) av[i] = a[r * d + i];
    av[d] = 1;
    const y = Y.subarray(r * k, r * k + k);
    let p = 0;
    for (let j = 1; j < k; j++) if (y[j] > y[p]) p = j;
    let q = p === 0 ? 1 : 0;
    for (let j = 0; j < k; j++) if (j !== p && y[j] > y[q]) q = j;
    const tg = y[p] - y[q];
    for (const [ci, si] of [[p, 1], [q, -1]] as const) for (let i = 0; i < m; i++) {
      bb[ci * m + i] += si * av[i] * tg;
      for (const [cj, sj] of [[p, 1], [q, -1]] as const) for (let j = 0; j < m; j++) A[(ci * m + i) * N + cj * m + j] += si * sj * av[i] * av[j];
    }
    for (let c = 0; c < k; c++) for (let i = 0; i < m; i++) {
      bb[c * m + i] += lam * av[i] * y[c];
      for (let j = 0; j < m; j++) A[(c * m + i) * N + c * m + j] += lam * av[i] * av[j];
    }
  }
  let tr = 0;
  for (let i = 0; i < N; i++) tr += A[i * N + i];
  for (let i = 0; i < N; i++) A[i * N + i] += (1e-6 * tr) / N;
  const w = spdSolve(A, bb, N);
  const W = new Float32Array(k * d), b = new Float32Array(k);
  for (let c = 0; c < k; c++) { for (let i = 0; i < d; i++) W[c * d + i] = w[c * m + i]; b[c] = w[c * m + d]; }
  return { ...net, layers: net.layers.map((l) => (l.id === last.id ? { ...last, W, b } : l)) };
}
