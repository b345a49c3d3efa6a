// Exhaustive maximum of |a(x) - b(x)| over a 2-D box for two small ReLU MLPs: for every activation pattern of
// all hidden units of both nets, the pattern's region is a polygon on which a - b is affine, so the maximum is
// at a vertex; every vertex (two tight constraints) of every feasible region is evaluated exactly (float64).
import type { Net } from "../../src/net/net.ts";
import { evalMLP64 } from "./bound-nets.ts";

/** An affine form c + g·x over the input. */
interface Aff { c: number; g: number[] }

// The pre-activations of every hidden unit as affine forms of x, given the activation pattern (in unit order).
function constraints(net: Net, pattern: boolean[], at: { k: number }, d: number, out: { f: Aff; on: boolean }[]): void {
  let v: Aff[] = Array.from({ length: d }, (_, i) => ({ c: 0, g: Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)) }));
  for (const l of net.layers) {
    if (l.kind === "affine") {
      v = Array.from({ length: l.outFeatures }, (_, o) => {
        const f: Aff = { c: l.b[o], g: new Array(d).fill(0) };
        for (let i = 0; i < l.inFeatures; i++) {
          const w = l.W[o * l.inFeatures + i];
          f.c += w * v[i].c;
          for (let j = 0; j < d; j++) f.g[j] += w * v[i].g[j];
        }
        return f;
      });
    } else if (l.kind === "act") {
      v = v.map((f) => {
        const on = pattern[at.k++];
        out.push({ f, on });
        return on ? f : { c: 0, g: new Array(d).fill(0) };
      });
    }
  }
}

/** Number of hidden (ReLU) units of an MLP. */
export function hiddenUnits(net: Net): number {
  return net.layers.filter((l) => l.kind === "act").reduce((s, l) => s + l.shape[0], 0);
}

/** The exact max over the box [lo, hi]^2 of |a - b| per output, by enumerating linear regions. */
export function exhaustiveMaxDiff(a: Net, b: Net, lo: number, hi: number): number[] {
  const H = hiddenUnits(a) + hiddenUnits(b);
  const nOut = evalMLP64(a, [0, 0]).length;
  const best = new Array(nOut).fill(0);
  for (let mask = 0; mask < 1 << H; mask++) {
    const pattern = Array.from({ length: H }, (_, i) => ((mask >> i) & 1) === 1);
    const cons: { f: Aff; on: boolean }[] = [];
    const at = { k: 0 };
    constraints(a, pattern, at, 2, cons);
    constraints(b, pattern, at, 2, cons);
    // half-planes: on -> f >= 0, off -> f <= 0; box faces
    const hp: Aff[] = cons.map(({ f, on }) => (on ? f : { c: -f.c, g: f.g.map((t) => -t) }));
    hp.push({ c: -lo, g: [1, 0] }, { c: hi, g: [-1, 0] }, { c: -lo, g: [0, 1] }, { c: hi, g: [0, -1] });
    for (let i = 0; i < hp.length; i++) for (let j = i + 1; j < hp.length; j++) {
      const [p, q] = [hp[i], hp[j]];
      const det = p.g[0] * q.g[1] - p.g[1] * q.g[0];
      if (Math.abs(det) < 1e-12) continue;
      const x = [(-p.c * q.g[1] + q.c * p.g[1]) / det, (-q.c * p.g[0] + p.c * q.g[0]) / det];
      const tol = 1e-9 * (1 + Math.abs(x[0]) + Math.abs(x[1]));
      if (!hp.every((h) => h.c + h.g[0] * x[0] + h.g[1] * x[1] >= -tol * (1 + Math.abs(h.c) + Math.abs(h.g[0]) + Math.abs(h.g[1])))) continue;
      for (let k = 0; k < 2; k++) x[k] = Math.min(Math.max(x[k], lo), hi);
      const ya = evalMLP64(a, x), yb = evalMLP64(b, x);
      ya.forEach((v, o) => (best[o] = Math.max(best[o], Math.abs(v - yb[o]))));
    }
  }
  return best;
}
