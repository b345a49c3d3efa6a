// Reading a piecewise-linear function of one variable (pl.ts, exact from the weights) as a `piecewise`
// primitive a person can read: the fewest breakpoints within a tolerance (Douglas-Peucker on the exact knots),
// then breakpoints, slopes and the anchor value snapped to short numbers when that stays within it. The
// error against the exact function is computed exactly over the interval (both are piecewise linear).
// Named shapes: affine (no breakpoint), clamp (flat, slope 1, flat), abs-like (|x - c| scaled).
import type { PiecewiseParams } from "../program/program.ts";
import { dropCollinear, plEval, plMaxDiff, plRestrict, type PL } from "./pl.ts";

/** What a piecewise-linear function looks like to a reader. */
export type PiecewiseShape =
  | { kind: "affine"; slope: number; offset: number }
  // relu(x - lo) - relu(x - hi) + lo = clamp(x, lo, hi)
  | { kind: "clamp"; lo: number; hi: number }
  // relu(x - c) + relu(c - x) = |x - c|, times s
  | { kind: "abs"; center: number; scale: number }
  | { kind: "general" };

export interface PiecewiseReading {
  params: PiecewiseParams;
  shape: PiecewiseShape;
  /** max |reading - exact function| over the interval (0 up to float64 rounding when exact). */
  error: number;
  /** The interval the reading is exact or bounded on. */
  lo: number;
  hi: number;
}

/** The shortest piecewise reading of f on [lo, hi] within `tol` (absolute). */
export function readPiecewise(f: PL, lo: number, hi: number, tol: number): PiecewiseReading {
  const g = plRestrict(f, lo, hi);
  const keep = douglasPeucker(g.knots, g.values, tol);
  const xs = keep.map((i) => g.knots[i]);
  const ys = keep.map((i) => g.values[i]);
  let best = fromPoints(xs, ys);
  let err = plMaxDiff(g, best, lo, hi);
  // Snap to short numbers: each number may move by its share of the budget (a knot moved by dx moves values by up
  // to dx times the steepest slope); the whole is then checked, and finer shares tried if needed.
  const budget = Math.max(tol, err);
  const slopeMax = Math.max(1e-12, Math.abs(best.left), Math.abs(best.right), ...best.knots.slice(1).map((x, i) => Math.abs((best.values[i + 1] - best.values[i]) / (x - best.knots[i]))));
  for (let share = 1; share >= 1 / 64; share /= 4) {
    const snapped = snapReading(best, (budget * share) / slopeMax, budget * share);
    if (!snapped) continue;
    const e = plMaxDiff(g, snapped, lo, hi);
    if (e <= budget) { best = snapped; err = e; break; }
  }
  // Snapping can make neighbouring slopes equal: such knots are no breakpoints.
  const params = toParams(dropCollinear(best), lo, hi);
  return { params, shape: shapeOf(params), error: err, lo, hi };
}

/** Indices of the knots to keep so that interpolating through them stays within tol of every knot. */
function douglasPeucker(xs: number[], ys: number[], tol: number): number[] {
  const keep = new Set([0, xs.length - 1]);
  const stack: [number, number][] = [[0, xs.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    let worst = -1, worstD = tol;
    for (let i = a + 1; i < b; i++) {
      const y = ys[a] + ((ys[b] - ys[a]) * (xs[i] - xs[a])) / (xs[b] - xs[a]);
      const d = Math.abs(y - ys[i]);
      if (d > worstD) { worst = i; worstD = d; }
    }
    if (worst >= 0) {
      keep.add(worst);
      stack.push([a, worst], [worst, b]);
    }
  }
  return [...keep].sort((p, q) => p - q);
}

/** The PL through points (first and last are the interval ends), extended by the end slopes. */
function fromPoints(xs: number[], ys: number[]): PL {
  const m = xs.length;
  const left = m > 1 ? (ys[1] - ys[0]) / (xs[1] - xs[0]) : 0;
  const right = m > 1 ? (ys[m - 1] - ys[m - 2]) / (xs[m - 1] - xs[m - 2]) : 0;
  return { knots: [...xs], values: [...ys], left, right };
}

/** Breakpoints (interior knots), slopes of each piece and the value at the first breakpoint. */
function toParams(f: PL, lo: number, hi: number): PiecewiseParams {
  const k = f.knots.filter((x) => x > lo && x < hi);
  if (!k.length) return { breakpoints: [], slopes: [f.left], value0: plEval(f, 0) };
  const slopes = [f.left];
  for (let i = 0; i + 1 < k.length; i++) slopes.push((plEval(f, k[i + 1]) - plEval(f, k[i])) / (k[i + 1] - k[i]));
  slopes.push(f.right);
  return { breakpoints: k, slopes, value0: plEval(f, k[0]) };
}

/** The same reading with every interior knot moved to a short number within dx and every knot value to one
 *  within dy (slopes follow from them: ratios of short numbers), or undefined when some has none. */
function snapReading(f: PL, dx: number, dy: number): PL | undefined {
  const m = f.knots.length;
  const xs = f.knots.map((x, i) => (i === 0 || i === m - 1 ? x : snap(x, dx)));
  const ys = f.values.map((y) => snap(y, dy));
  if (xs.some((x) => x === undefined) || ys.some((y) => y === undefined)) return undefined;
  const X = xs as number[], Y = ys as number[];
  for (let i = 1; i < m; i++) if (!(X[i] > X[i - 1])) return undefined;
  // The interval's ends are not knots of the function: the end pieces' slopes are snapped instead of their
  // end values (a slope moved by d moves the end value by d times the piece's width).
  if (m > 2) {
    const wl = X[1] - X[0], wr = X[m - 1] - X[m - 2];
    const left = snap((Y[1] - Y[0]) / wl, dy / wl), right = snap((Y[m - 1] - Y[m - 2]) / wr, dy / wr);
    if (left === undefined || right === undefined) return undefined;
    Y[0] = Y[1] - left * wl;
    Y[m - 1] = Y[m - 2] + right * wr;
  }
  return fromPoints(X, Y);
}

/** The simplest number within d of v: an integer, a decimal with few digits or a fraction with a small
 *  denominator; undefined when none is that close. */
export function snap(v: number, d: number): number | undefined {
  for (let digits = 0; digits <= 4; digits++) {
    const p = 10 ** digits;
    const r = Math.round(v * p) / p;
    if (Math.abs(r - v) <= d) return r + 0; // + 0: no -0
    for (const q of [2, 3, 4, 6, 8, 12]) {
      if (digits > 0) break;
      const s = Math.round(v * q) / q;
      if (Math.abs(s - v) <= d) return s + 0;
    }
  }
  return undefined;
}

/** affine, clamp or |x - c|, read off the slopes; anything else is general. */
export function shapeOf(p: PiecewiseParams): PiecewiseShape {
  const { breakpoints: b, slopes: s, value0 } = p;
  if (!b.length) return { kind: "affine", slope: s[0], offset: value0 };
  if (b.length === 2 && s[0] === 0 && s[2] === 0 && s[1] === 1 && value0 === b[0]) return { kind: "clamp", lo: b[0], hi: b[1] };
  if (b.length === 1 && s[0] === -s[1] && s[1] > 0 && value0 === 0) return { kind: "abs", center: b[0], scale: s[1] };
  return { kind: "general" };
}
