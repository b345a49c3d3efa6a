// Affine maps with small integer or rational coefficients, printed exactly: `x1 + 2*x3 - 1`. Each weight is
// replaced by the nearest fraction with a small denominator when that is within a relative tolerance of the
// row's largest weight; the rounding cost is bounded over a box (sum |dW| max|x| + |db|) and stated.

export interface RationalAffine {
  /** Rounded weights of the row and its bias: every entry a fraction num/den with den <= maxDen. */
  W: number[];
  b: number;
  inFeatures: number;
  /** num/den of each weight (den 1 for integers), then of the bias. */
  fractions: [number, number][];
  /** max |rounded - original| of one weight or bias. */
  maxChange: number;
  /** Bound of |rounded row . x - original row . x| over the box (Infinity without a box). */
  boxCost: number;
}

/** The nearest fraction p/q to v with q <= maxDen (the smallest such q among ties). */
export function nearestFraction(v: number, maxDen: number): [number, number] {
  let best: [number, number] = [Math.round(v), 1];
  let bestD = Math.abs(v - best[0]);
  for (let q = 2; q <= maxDen; q++) {
    const p = Math.round(v * q);
    const d = Math.abs(v - p / q);
    if (d < bestD - 1e-15) { best = [p, q]; bestD = d; }
  }
  const g = gcd(Math.abs(best[0]), best[1]);
  return [best[0] / g + 0, best[1] / g]; // + 0: no -0
}

/** One row w.x + b with every weight rounded to a fraction within relTol of the row's scale (largest |w|),
 *  or undefined when some weight has no such fraction. lo/hi bound the inputs (optional). */
export function roundRow(w: ArrayLike<number>, b: number, opts: { maxDen?: number; relTol?: number; lo?: ArrayLike<number>; hi?: ArrayLike<number> } = {}): RationalAffine | undefined {
  const maxDen = opts.maxDen ?? 12, relTol = opts.relTol ?? 1e-3;
  let scale = 0;
  for (let i = 0; i < w.length; i++) scale = Math.max(scale, Math.abs(w[i]));
  const tol = relTol * Math.max(scale, 1e-30);
  const fractions: [number, number][] = [];
  const W: number[] = [];
  let maxChange = 0, boxCost = 0;
  for (let i = 0; i <= w.length; i++) {
    const v = i < w.length ? w[i] : b;
    const f = nearestFraction(v, maxDen);
    const r = f[0] / f[1];
    const d = Math.abs(r - v);
    if (d > tol) return undefined;
    fractions.push(f);
    maxChange = Math.max(maxChange, d);
    if (i < w.length) {
      W.push(r);
      const m = opts.lo && opts.hi ? Math.max(Math.abs(opts.lo[i]), Math.abs(opts.hi[i])) : Infinity;
      boxCost += d === 0 ? 0 : d * m;
    } else boxCost += d;
  }
  return { W, b: fractions[w.length][0] / fractions[w.length][1], inFeatures: w.length, fractions, maxChange, boxCost };
}

/** The row as text over named inputs: `x1 + 2*x3 - 1`, `x0/2 - 3/4`, `-x2`; 0 when empty. */
export function rowText(fr: readonly [number, number][], names: readonly string[]): string {
  const terms: string[] = [];
  const coefText = (p: number, q: number, name: string) => {
    const a = Math.abs(p);
    const core = a === 1 && q === 1 ? name : q === 1 ? `${a}*${name}` : a === 1 ? `${name}/${q}` : `${a}*${name}/${q}`;
    return [p < 0 ? "-" : "+", core] as const;
  };
  const parts: (readonly [string, string])[] = [];
  fr.forEach(([p, q], i) => {
    if (p === 0) return;
    if (i < names.length) parts.push(coefText(p, q, names[i]));
    else parts.push([p < 0 ? "-" : "+", q === 1 ? String(Math.abs(p)) : `${Math.abs(p)}/${q}`]);
  });
  if (!parts.length) return "0";
  parts.forEach(([sign, core], i) => terms.push(i === 0 ? (sign === "-" ? `-${core}` : core) : `${sign} ${core}`));
  return terms.join(" ");
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a || 1;
}
