// sort, fitted on the data: a trained network that sorts has no compare-exchange units for the symbolic sort rule
// (rules-order.ts) to prove, but its outputs are still the order statistics of its inputs. Each output of a small
// slice is fitted by least squares on every order statistic of the slice's source entries,
//   y_k ~ alpha_k * s_(pi(k)) + beta_k,     s_(1) <= ... <= s_(n) the sorted sources on each sample,
// and the slice is read as sort when every output has its own order statistic (pi one to one) and each fit leaves
// at most 5% of the output's range and at most a fifth of the best affine fit's error. Never trusted: the builder
// measures the named slice against its units and keeps the difference as the stated residual (`y = s + r`).
import { evalLin } from "./atom-kinds.ts";
import type { SliceRecogniser } from "./recogniser.ts";
import { leastSquares, sourceColumns } from "./rules-fit.ts";
import { atomLin, nice, type Lin } from "./symbolic.ts";

const MAX_SOURCES = 8;
const FIT_FRACTION = 0.05;
const GAIN = 0.2;

export const fitSortRecogniser: SliceRecogniser = {
  name: "fit-sort",
  observed: true,
  doc: "outputs of a small slice that are, on the data, the order statistics of its source entries: sort(x) + residual",
  identity: "none: fitted on the data (y_k ~ alpha_k * k-th smallest + beta_k; the residual is kept and its size stated)",
  vector(fs, v, ctx) {
    const sample = ctx.stats?.sample;
    if (!sample || fs.length < 2) return undefined;
    if (!fs.every((f) => [...f.t.keys()].some((id) => v.at(id).kind === "relu"))) return undefined;
    const srcs = v.atoms.filter((a) => a.kind === "src" && a.src);
    const n = srcs.length;
    if (n < fs.length || n > MAX_SOURCES) return undefined;
    const xs = sourceColumns(srcs, sample);
    if (!xs) return undefined;
    const m = xs[0].length;
    if (m < 8 * (n + 2)) return undefined;
    // Order statistics per sample.
    const stats = Array.from({ length: n }, () => new Float64Array(m));
    const row = new Float64Array(n);
    for (let r = 0; r < m; r++) {
      for (let i = 0; i < n; i++) row[i] = xs[i][r];
      row.sort();
      for (let i = 0; i < n; i++) stats[i][r] = row[i];
    }
    const envs = Array.from({ length: m }, (_, r) => new Map(srcs.map((a, k) => [a.id, xs[k][r]])));
    const fits: { k: number; coef: number[] }[] = [];
    for (const f of fs) {
      const y = Float64Array.from(envs, (env) => evalLin(v, f, new Map(env)));
      let lo = Infinity, hi = -Infinity;
      for (const t of y) { lo = Math.min(lo, t); hi = Math.max(hi, t); }
      const affine = leastSquares(xs, y).maxRes;
      let best: { k: number; coef: number[]; maxRes: number } | undefined;
      for (let k = 0; k < n; k++) {
        const fit = leastSquares([stats[k]], y);
        if (!best || fit.maxRes < best.maxRes) best = { k, ...fit };
      }
      if (!best || best.maxRes > FIT_FRACTION * (hi - lo) || best.maxRes > GAIN * affine || best.coef[1] <= 0) return undefined;
      // The plain order statistic (alpha = 1, beta = 0) when it fits nearly as well as the fitted line.
      let plain = 0;
      for (let r = 0; r < m; r++) plain = Math.max(plain, Math.abs(y[r] - stats[best.k][r]));
      fits.push(plain <= 1.5 * best.maxRes ? { k: best.k, coef: [0, 1] } : best);
    }
    if (new Set(fits.map((x) => x.k)).size !== fits.length) return undefined;
    const args = srcs.map((a) => atomLin(a.id));
    const out: Lin[] = fits.map(({ k, coef }, j) => {
      const units = [...fs[j].t.keys()].flatMap((id) => v.at(id).units);
      const atom = v.atom("order", args, [k], { units });
      const scale = Math.max(Math.abs(coef[0]), Math.abs(coef[1]), 1e-30);
      return { t: new Map([[atom.id, nice(coef[1], 1e-3 * scale)]]), c: nice(coef[0], 1e-3 * scale) };
    });
    v.assumed.push(`outputs fitted as sort on ${m} analysis samples`);
    v.fire("fit:sort");
    return out;
  },
};
