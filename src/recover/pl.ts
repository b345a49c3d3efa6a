// Piecewise-linear functions of one real variable, computed exactly (float64) through ReLU layers: the value
// of every unit of a one-source slice is such a function, so its breakpoints and slopes can be read off the
// weights instead of fitted. Operations: affine combination, relu, restriction to an interval.

/** f(x): linear through (knots[i], values[i]), slope `left` before the first knot and `right` after the last.
 *  There is always at least one knot (an affine function has one, anywhere). */
export interface PL {
  knots: number[];
  values: number[];
  left: number;
  right: number;
}

/** a x + b. */
export function plAffine(a: number, b: number): PL {
  return { knots: [0], values: [b], left: a, right: a };
}

/** f(x) at one point. */
export function plEval(f: PL, x: number): number {
  const k = f.knots, v = f.values, m = k.length;
  if (x <= k[0]) return v[0] + f.left * (x - k[0]);
  if (x >= k[m - 1]) return v[m - 1] + f.right * (x - k[m - 1]);
  let lo = 0, hi = m - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (k[mid] <= x) lo = mid; else hi = mid;
  }
  const t = (x - k[lo]) / (k[hi] - k[lo]);
  return v[lo] + t * (v[hi] - v[lo]);
}

/** sum_i c_i f_i(x) + d, on the union of the knots. */
export function plCombine(fs: readonly PL[], cs: ArrayLike<number>, d: number): PL {
  const set = new Set<number>();
  let left = 0, right = 0;
  fs.forEach((f, i) => {
    if (cs[i] === 0) return;
    f.knots.forEach((k) => set.add(k));
    left += cs[i] * f.left;
    right += cs[i] * f.right;
  });
  const knots = set.size ? [...set].sort((a, b) => a - b) : [0];
  const values = knots.map((x) => fs.reduce((s, f, i) => (cs[i] === 0 ? s : s + cs[i] * plEval(f, x)), d));
  return { knots, values, left, right };
}

/** relu(f): zero crossings become knots. */
export function plRelu(f: PL): PL {
  const k = f.knots, v = f.values, m = k.length;
  const knots: number[] = [], values: number[] = [];
  const push = (x: number, y: number) => { knots.push(x); values.push(Math.max(0, y)); };
  // Left of the first knot: f crosses zero at k0 - v0 / left when the sign changes there.
  if (f.left !== 0 && Math.sign(v[0]) === Math.sign(f.left) && v[0] !== 0) push(k[0] - v[0] / f.left, 0);
  for (let i = 0; i < m; i++) {
    push(k[i], v[i]);
    if (i + 1 < m && ((v[i] < 0 && v[i + 1] > 0) || (v[i] > 0 && v[i + 1] < 0))) {
      push(k[i] + ((k[i + 1] - k[i]) * v[i]) / (v[i] - v[i + 1]), 0);
    }
  }
  if (f.right !== 0 && Math.sign(v[m - 1]) === -Math.sign(f.right) && v[m - 1] !== 0) push(k[m - 1] - v[m - 1] / f.right, 0);
  const left = plEval(f, knots[0] - 1) > 0 ? f.left : 0;
  const right = plEval(f, knots[knots.length - 1] + 1) > 0 ? f.right : 0;
  return { knots, values, left, right };
}

/** One dense layer over a vector of PL functions: y_o = sum_i W[o, i] x_i + b[o], then relu when asked. */
export interface DenseStep {
  W: ArrayLike<number>;
  b: ArrayLike<number>;
  inFeatures: number;
  outFeatures: number;
  relu: boolean;
}

/** Push PL functions through dense steps. */
export function plPropagate(xs: readonly PL[], steps: readonly DenseStep[]): PL[] {
  let cur = [...xs];
  for (const s of steps) {
    const next: PL[] = [];
    for (let o = 0; o < s.outFeatures; o++) {
      const row = Array.from({ length: s.inFeatures }, (_, i) => s.W[o * s.inFeatures + i]);
      const y = plCombine(cur, row, s.b[o]);
      next.push(s.relu ? plRelu(y) : y);
    }
    cur = next.map(dropCollinear);
  }
  return cur;
}

/** f on [lo, hi] only: knots outside are dropped, the end slopes become those of the end pieces inside, and
 *  lo and hi become knots. Exact on the interval. */
export function plRestrict(f: PL, lo: number, hi: number): PL {
  const inside = f.knots.map((x, i) => [x, f.values[i]] as const).filter(([x]) => x > lo && x < hi);
  const pts = [[lo, plEval(f, lo)] as const, ...inside, [hi, plEval(f, hi)] as const];
  const slope = (a: readonly [number, number], b: readonly [number, number]) => (b[1] - a[1]) / (b[0] - a[0]);
  return {
    knots: pts.map((p) => p[0]), values: pts.map((p) => p[1]),
    left: slope(pts[0], pts[1]), right: slope(pts[pts.length - 2], pts[pts.length - 1]),
  };
}

/** Knots where the slope does not change (to float64 rounding) removed: same function, fewer knots. */
export function dropCollinear(f: PL): PL {
  const k = f.knots, v = f.values, m = k.length;
  if (m <= 1) return f;
  const keepK: number[] = [], keepV: number[] = [];
  const slopes = [f.left, ...k.slice(1).map((x, i) => (v[i + 1] - v[i]) / (x - k[i])), f.right];
  for (let i = 0; i < m; i++) {
    const a = slopes[i], b = slopes[i + 1];
    if (Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(a), Math.abs(b))) { keepK.push(k[i]); keepV.push(v[i]); }
  }
  if (!keepK.length) return { knots: [k[0]], values: [v[0]], left: f.left, right: f.left };
  return { knots: keepK, values: keepV, left: f.left, right: f.right };
}

/** max |f - g| over [lo, hi]: both are linear between the union of their knots, so the knots and ends decide. */
export function plMaxDiff(f: PL, g: PL, lo: number, hi: number): number {
  const xs = [lo, hi, ...f.knots, ...g.knots].filter((x) => x >= lo && x <= hi);
  return Math.max(0, ...xs.map((x) => Math.abs(plEval(f, x) - plEval(g, x))));
}
