// Named primitives fitted on the data, for slices no identity explains (trained networks): each output of a
// small slice is fitted on the probe sample by least squares as
//   y ~ alpha * P(x) + beta + sum_i gamma_i x_i,   P in { |x_i|, |x_i - x_j|, max(x_i, x_j), min(x_i, x_j) }
// and the best P is kept when it explains the output far better than any affine map does. When none does,
// clamp(x_i, lo, hi) is tried with its breakpoints fitted too (fit-clamp.ts). The named form is
// never trusted: the builder measures it against the slice's units and keeps the difference as the stated
// residual (`y = max(x0, x1) + r`, max |r| on the data).
import { evalLin } from "./atom-kinds.ts";
import { clampColumn, fitClamp } from "./fit-clamp.ts";
import type { SliceRecogniser } from "./recogniser.ts";
import { atomLin, linKey, nice, type Atom, type Lin } from "./symbolic.ts";
import type { ActivationSample } from "../passes/stats.ts";

/** Largest number of source entries and outputs fitted (candidates grow with the square of the entries). */
const MAX_SOURCES = 6;
const MAX_OUTPUTS = 8;
/** A primitive is kept when its fit leaves at most this fraction of the output's range... */
const FIT_FRACTION = 0.05;
/** ... and at most this fraction of the best affine fit's error. */
const GAIN = 0.2;
/** Fit errors closer than this fraction of the output's range are a tie (float32 rounding of the slice is ~1e-7). */
const TIE_FLOOR = 1e-6;

interface Candidate {
  kind: "abs" | "max" | "min" | "clamp";
  args: Lin[];
  /** clamp: [lo, hi]. */
  params?: number[];
  values: Float64Array;
}

/** Least squares of y on the columns (plus a constant): coefficients and max |residual|. */
export function leastSquares(cols: Float64Array[], y: Float64Array): { coef: number[]; maxRes: number } {
  const m = y.length, k = cols.length + 1;
  const col = (j: number, r: number) => (j === 0 ? 1 : cols[j - 1][r]);
  const A = Array.from({ length: k }, () => new Float64Array(k + 1));
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < k; i++) {
      const ci = col(i, r);
      for (let j = 0; j < k; j++) A[i][j] += ci * col(j, r);
      A[i][k] += ci * y[r];
    }
  }
  for (let i = 0; i < k; i++) A[i][i] += 1e-9 * m;
  // Gaussian elimination with partial pivoting.
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < k; r++) {
      if (r === c || A[c][c] === 0) continue;
      const f = A[r][c] / A[c][c];
      for (let j = c; j <= k; j++) A[r][j] -= f * A[c][j];
    }
  }
  const coef = A.map((row, i) => (row[i] === 0 ? 0 : row[k] / row[i]));
  let maxRes = 0;
  for (let r = 0; r < m; r++) {
    let s = coef[0];
    for (let j = 1; j < k; j++) s += coef[j] * cols[j - 1][r];
    maxRes = Math.max(maxRes, Math.abs(y[r] - s));
  }
  return { coef, maxRes };
}

/** Per source atom (an entry of a slice source), its values on the probe sample; undefined when one has none. */
export function sourceColumns(srcs: readonly Atom[], sample: ActivationSample): Float64Array[] | undefined {
  const cols = srcs.map((a) => sample.inputs[a.src!.value] ?? sample.activations[a.src!.value]);
  if (!cols.length || cols.some((t) => !t)) return undefined;
  const m = cols[0].shape[0];
  return srcs.map((a, k) => {
    const t = cols[k], w = t.shape[1] ?? 1;
    return Float64Array.from({ length: m }, (_, r) => (t.data as Float32Array)[r * w + a.src!.index]);
  });
}

export const fitRecogniser: SliceRecogniser = {
  name: "fit",
  observed: true,
  doc: "outputs of a small slice nothing else explained, fitted on the data as alpha * P + affine, P = |x|, max, min",
  identity: "none: fitted (the residual is kept and its size stated)",
  vector(fs, v, ctx) {
    const sample = ctx.stats?.sample;
    if (!sample || fs.length > MAX_OUTPUTS) return undefined;
    if (!fs.some((f) => [...f.t.keys()].some((id) => v.at(id).kind === "relu"))) return undefined;
    if (v.atoms.some((a) => a.kind !== "src" && a.kind !== "relu")) return undefined;
    const srcs = v.atoms.filter((a) => a.kind === "src" && a.src);
    if (!srcs.length || srcs.length > MAX_SOURCES) return undefined;
    const xs = sourceColumns(srcs, sample);
    if (!xs) return undefined;
    const m = xs[0].length;
    // Enough samples per fitted parameter that a fit is a finding, not an interpolation.
    if (m < 8 * (srcs.length + 2)) return undefined;
    const envs = Array.from({ length: m }, (_, r) => new Map(srcs.map((a, k) => [a.id, xs[k][r]])));
    const cands: Candidate[] = [];
    srcs.forEach((a, i) => {
      cands.push({ kind: "abs", args: [atomLin(a.id)], values: xs[i].map(Math.abs) });
      srcs.forEach((b, j) => {
        if (j <= i) return;
        const [p, q] = linKey(atomLin(a.id)) <= linKey(atomLin(b.id)) ? [atomLin(a.id), atomLin(b.id)] : [atomLin(b.id), atomLin(a.id)];
        // max, min and |a - b| span the same functions with a + b ((a + b + |a - b|) / 2 = max): on a tie the
        // first wins, and the one needing no affine part is found by trying it alone first (below).
        cands.push({ kind: "max", args: [p, q], values: xs[i].map((x, r) => Math.max(x, xs[j][r])) });
        cands.push({ kind: "min", args: [p, q], values: xs[i].map((x, r) => Math.min(x, xs[j][r])) });
        cands.push({ kind: "abs", args: [{ t: new Map([[a.id, 1], [b.id, -1]]), c: 0 }], values: xs[i].map((x, r) => Math.abs(x - xs[j][r])) });
      });
    });
    let changed = false;
    const out = fs.map((f) => {
      if (![...f.t.keys()].some((id) => v.at(id).kind === "relu")) return f;
      const y = Float64Array.from(envs, (env) => evalLin(v, f, new Map(env)));
      let lo = Infinity, hi = -Infinity;
      for (const t of y) { lo = Math.min(lo, t); hi = Math.max(hi, t); }
      const affine = leastSquares(xs, y);
      let best: { c: Candidate; coef: number[]; maxRes: number } | undefined;
      for (const c of cands) {
        const fit = leastSquares([...xs, c.values], y);
        // Prefer (within 1%, or within rounding: TIE_FLOOR of the output's range) the candidate whose fit needs the
        // smallest affine part: max(x0, x1) over 0.5 x0 + 0.5 x1 + 0.5 |x0 - x1|. Both span the same functions, so
        // when a slice is exactly max their errors are float noise (1.2e-8 vs 4.3e-9 on a trained 2-8-1 net), whose
        // ratio says nothing.
        const affinePart = (f: { coef: number[] }) => f.coef.slice(1, xs.length + 1).reduce((a2, g) => a2 + Math.abs(g), 0);
        const tie = best ? Math.max(0.01 * best.maxRes, TIE_FLOOR * (hi - lo)) : 0;
        if (!best || fit.maxRes < best.maxRes - tie || (fit.maxRes <= best.maxRes + tie && affinePart(fit) < affinePart(best) - 1e-3)) best = { c, ...fit };
      }
      const fails = (b: typeof best) => !b || b.maxRes > FIT_FRACTION * (hi - lo) || b.maxRes > GAIN * affine.maxRes;
      if (fails(best)) best = clampFits(srcs, xs, y).find((c) => !fails(c)) ?? best;
      if (!best || fails(best)) return f;
      const scale = Math.max(...best.coef.map(Math.abs), 1e-30);
      const eps = 0.02 * scale;
      const alpha = nice(best.coef[xs.length + 1], eps);
      if (alpha === 0) return f;
      const units = [...f.t.keys()].flatMap((id) => v.at(id).units);
      const atom = v.atom(best.c.kind, best.c.args, best.c.params ?? [], { units });
      const g: Lin = { t: new Map([[atom.id, alpha]]), c: nice(best.coef[0], eps) };
      srcs.forEach((a, i) => {
        const gamma = nice(best!.coef[i + 1], eps);
        if (gamma !== 0) g.t.set(a.id, gamma);
      });
      changed = true;
      // A fit is judged on the data it was fitted to: the builder must keep the residual whatever it measures.
      v.assumed.push(`output fitted as ${best.c.kind} on ${m} analysis samples`);
      v.fire(`fit:${best.c.kind}`);
      return g;
    });
    return changed ? out : undefined;
  },
};

/** The best clamp(x_i, lo, hi) over the sources, breakpoints fitted, with its fit: first with the breakpoints
 *  rounded to the simplest numbers within 2% of the source's range (clamp(x, -1, 2), not clamp(x, -0.981, 2.013):
 *  integers, then halves, one significant digit, 24ths), then as fitted (when the rounded ones do not fit). */
function clampFits(srcs: readonly Atom[], xs: readonly Float64Array[], y: Float64Array): { c: Candidate; coef: number[]; maxRes: number }[] {
  let best: { i: number; lo: number; hi: number; sse: number } | undefined;
  xs.forEach((x, i) => {
    const fit = fitClamp(x, xs, y);
    if (fit && (!best || fit.sse < best.sse)) best = { i, lo: fit.lo, hi: fit.hi, sse: fit.sse };
  });
  if (!best) return [];
  const { i, lo, hi } = best;
  let xlo = Infinity, xhi = -Infinity;
  for (const t of xs[i]) { xlo = Math.min(xlo, t); xhi = Math.max(xhi, t); }
  const eps = 0.02 * (xhi - xlo);
  const [slo, shi] = [simplest(lo, eps), simplest(hi, eps)];
  const pairs = slo < shi && (slo !== lo || shi !== hi) ? [[slo, shi], [lo, hi]] : [[lo, hi]];
  return pairs.map(([a, b]) => {
    const values = clampColumn(xs[i], a, b);
    return { c: { kind: "clamp" as const, args: [atomLin(srcs[i].id)], params: [a, b], values }, ...leastSquares([...xs, values], y) };
  });
}

/** The simplest number within eps of x: an integer, a half, one significant digit, a 24th; else x. */
function simplest(x: number, eps: number): number {
  for (const c of [Math.round(x), Math.round(2 * x) / 2, Number(x.toPrecision(1)), Math.round(24 * x) / 24]) if (Math.abs(c - x) <= eps) return c;
  return x;
}
