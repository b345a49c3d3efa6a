// The stopping rule of the budgeted passes for classifiers: does a candidate keep --min-agreement A?
//
// A flip count on the check rows is a sample. The budget is a promise about data no choice has seen (the held-out
// split, and new inputs), so a candidate passes only when the disagreement rate it implies is <= 1 - A with a stated
// confidence: a one-sided Clopper-Pearson upper bound from k disagreeing rows of n. What it assumes: the check rows
// and the data the promise is about are independent draws from one distribution (the split is a seeded shuffle),
// and the rate is of one fixed candidate (a search that keeps the smallest passing candidate picks among several,
// so the bound is a little optimistic for the one it keeps; the candidates are nested, which keeps that small).
// Rows whose original top-1 is tied within rounding agree whichever tied class the candidate picks (topAgrees),
// so a tie is not counted as evidence either way.
//
// Each pass also keeps its share of the budget as before (k <= share x (1 - A) x n), so later passes have room.

/** The confidence of the bound when the budget does not say (one-sided). */
export const AGREEMENT_CONFIDENCE = 0.95;

/** How a classifier's agreement is judged on the check rows: "count", the disagreeing rows against share x (1 - A)
 *  alone (the rule before the bounds); "binomial", also the Clopper-Pearson bound on their rate <= 1 - A;
 *  "margin", also the margin-aware bound (marginRate) <= share x (1 - A). */
export type AgreementRule = "count" | "binomial" | "margin";

/** Every agreement rule, for option parsing. */
export const AGREEMENT_RULES: readonly AgreementRule[] = ["margin", "binomial", "count"];

/** log C(n, i) p^i (1-p)^(n-i) for i = 0 .. k, summed: log P(Binomial(n, p) <= k). */
export function logBinomialCdf(k: number, n: number, p: number): number {
  if (k >= n || p <= 0) return 0;
  if (k < 0) return -Infinity;
  if (p >= 1) return -Infinity;
  const lq = Math.log1p(-p), lr = Math.log(p) - lq;
  let lt = n * lq; // log of the i = 0 term: (1-p)^n
  let acc = lt;
  for (let i = 0; i < k; i++) {
    lt += Math.log((n - i) / (i + 1)) + lr;
    acc = acc > lt ? acc + Math.log1p(Math.exp(lt - acc)) : lt + Math.log1p(Math.exp(acc - lt));
  }
  return Math.min(0, acc);
}

/** One-sided Clopper-Pearson upper bound on a rate from k events in n trials at `confidence` (0..1): the p at which
 *  P(Binomial(n, p) <= k) = 1 - confidence. 1 when n = 0 or k >= n. */
export function rateUpperBound(k: number, n: number, confidence: number): number {
  if (n <= 0 || k >= n) return 1;
  const la = Math.log(1 - confidence);
  let lo = k / n, hi = 1;
  for (let it = 0; it < 100 && hi - lo > 1e-12 * Math.max(hi, 1e-300); it++) {
    const mid = (lo + hi) / 2;
    if (logBinomialCdf(k, n, mid) > la) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** What the rule decides for k disagreeing rows of n. */
export interface AgreementDecision {
  ok: boolean;
  /** The upper bound on the disagreement rate at the confidence (rateUpperBound), or the point rate k/n when the
   *  rule is the point count (confidence 0). */
  bound: number;
  /** Largest k this rule would accept for this n and share. */
  allowed: number;
}

/** Does a candidate with `k` of `n` rows disagreeing keep top-1 agreement `minAgreement` at `confidence`, within
 *  `share` of the budget? Both must hold: k <= share x (1 - A) x n (the pass's share of the budget, as a count), and
 *  the Clopper-Pearson upper bound on the disagreement rate <= 1 - A. Confidence 0 is the point count alone (the
 *  rule before the bound: the rate measured on the rows, no allowance for the sample). */
export function agreementDecision(k: number, n: number, minAgreement: number, share: number, confidence = AGREEMENT_CONFIDENCE): AgreementDecision {
  const floor = 1 - minAgreement;
  const byShare = Math.floor(share * floor * n + 1e-9);
  if (!(confidence > 0)) return { ok: k <= byShare, bound: n > 0 ? k / n : 1, allowed: byShare };
  const most = allowed(n, floor, byShare, confidence);
  return { ok: k <= most, bound: rateUpperBound(k, n, confidence), allowed: most };
}

/** Largest j <= cap with P(Binomial(n, floor) <= j) <= 1 - confidence ("the upper bound at j is <= floor"; the CDF
 *  rises with j), -1 when none: the CDF summed term by term, once. */
function allowed(n: number, floor: number, cap: number, confidence: number): number {
  if (floor >= 1) return cap;
  if (floor <= 0) return -1;
  const la = Math.log(1 - confidence), lq = Math.log1p(-floor), lr = Math.log(floor) - lq;
  let lt = n * lq, acc = lt, j = 0;
  if (acc > la) return -1;
  while (j < cap && j + 1 < n) {
    lt += Math.log((n - j) / (j + 1)) + lr;
    acc = acc > lt ? acc + Math.log1p(Math.exp(lt - acc)) : lt + Math.log1p(Math.exp(acc - lt));
    if (acc > la) break;
    j++;
  }
  return j;
}

/** Fewest rows on which a candidate with no disagreeing row passes at `confidence`: (A)^n <= 1 - confidence. */
export function rowsForAgreement(minAgreement: number, confidence = AGREEMENT_CONFIDENCE): number {
  if (!(confidence > 0)) return 0;
  if (minAgreement <= 0) return 1;
  if (minAgreement >= 1) return Infinity;
  return Math.ceil(Math.log(1 - confidence) / Math.log(minAgreement) - 1e-9);
}

// The margin-aware rule. A flip count has the variance of a few rare events; a row's top-1 flips when the candidate
// shrinks its original top-1 margin m by more than m, so the flips are read from two distributions the check rows
// measure well: the original margins m_r and the candidate's margin shrinks d_r = m_r - m'_r (m' the candidate's
// score of the original's class minus its best other score). Assuming a row's shrink is independent of its margin
// (checked on MNIST: bench/results/simplify-seeds.json, the estimate against the flips), the rate is
// p = P(d > m), estimated over all n x n pairs: p^ = (1/n^2) sum_r sum_s [d_s > m_r]; its upper bound is p^ plus z
// standard errors (the first-order variance of this two-sample statistic: Var ~ mean_i(S(m_i) + G(d_i) - 2p^)^2 / n,
// S(x) the share of shrinks above x, G(x) the share of margins below x). Rows tied within rounding on the original
// (topAgrees) agree whatever the candidate does: their margin counts as never crossed.

/** The original's top-1 margins and the candidate's shrinks of them, per row of k scores (ref: the original's).
 *  A margin within rounding of 0 (a tie, relative to the row's largest |score|: `tieRel`) is +Infinity. */
export function marginShrinks(ref: ArrayLike<number>, got: ArrayLike<number>, k: number, tieRel: number): { margin: Float64Array; shrink: Float64Array } {
  const n = Math.floor(ref.length / k);
  const margin = new Float64Array(n), shrink = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const o = r * k;
    let c = 0, big = 0;
    for (let j = 0; j < k; j++) { if (ref[o + j] > ref[o + c]) c = j; big = Math.max(big, Math.abs(ref[o + j])); }
    let other = -Infinity, otherGot = -Infinity;
    for (let j = 0; j < k; j++) if (j !== c) { other = Math.max(other, ref[o + j]); otherGot = Math.max(otherGot, got[o + j]); }
    const m = ref[o + c] - other, mg = got[o + c] - otherGot;
    margin[r] = m <= tieRel * big ? Infinity : m;
    shrink[r] = Number.isNaN(mg) ? Infinity : m - mg;
  }
  return { margin, shrink };
}

/** The margin-aware estimate of the disagreement rate and its one-sided upper bound at `confidence` (see above). */
export function marginRate(margin: ArrayLike<number>, shrink: ArrayLike<number>, confidence = AGREEMENT_CONFIDENCE): { estimate: number; upper: number } {
  const n = margin.length;
  if (n === 0) return { estimate: 1, upper: 1 };
  const ms = Float64Array.from(margin).sort(), ds = Float64Array.from(shrink).sort();
  // S(x): share of shrinks > x; G(x): share of margins < x (binary searches on the sorted copies)
  const above = (x: number) => { let lo = 0, hi = n; while (lo < hi) { const h = (lo + hi) >> 1; if (ds[h] > x) hi = h; else lo = h + 1; } return (n - lo) / n; };
  const below = (x: number) => { let lo = 0, hi = n; while (lo < hi) { const h = (lo + hi) >> 1; if (ms[h] < x) lo = h + 1; else hi = h; } return lo / n; };
  const S = new Float64Array(n), G = new Float64Array(n);
  let p = 0;
  for (let i = 0; i < n; i++) { S[i] = above(margin[i]); G[i] = below(shrink[i]); p += S[i]; }
  p /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (S[i] + G[i] - 2 * p) ** 2;
  const se = Math.sqrt(v / n / n);
  return { estimate: p, upper: Math.min(1, p + normalQuantile(confidence) * se) };
}

/** The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(q: number): number {
  if (q <= 0) return -Infinity;
  if (q >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (q < lo) {
    const t = Math.sqrt(-2 * Math.log(q));
    return (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) / ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1);
  }
  if (q > 1 - lo) return -normalQuantile(1 - q);
  const t = q - 0.5, r = t * t;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * t) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** The margin-aware decision: the margin-aware upper bound on the rate within the share (upper <= share x (1 - A)),
 *  and the count not against it: k disagreeing rows of n must not show, at `confidence`, a rate above
 *  share x (1 - A) (P(Binomial(n, share x (1 - A)) >= k) > 1 - confidence), a guard for where the margins and
 *  the shrinks are not independent. */
export function marginDecision(k: number, n: number, minAgreement: number, share: number, rate: { upper: number }, confidence = AGREEMENT_CONFIDENCE): boolean {
  const limit = share * (1 - minAgreement);
  if (!(rate.upper <= limit)) return false;
  if (k <= 0) return true;
  // P(Bin >= k) = 1 - P(Bin <= k - 1)
  return 1 - Math.exp(logBinomialCdf(k - 1, n, limit)) > 1 - confidence;
}

/** Does `rule` keep A for k disagreeing rows of n within `share`? "margin" reads the margin-aware `rate` (without one
 *  it falls back to the binomial bound), "binomial" the Clopper-Pearson bound, "count" the point count. */
export function agreementHolds(rule: AgreementRule, k: number, n: number, minAgreement: number, share: number, rate?: { upper: number }, confidence = AGREEMENT_CONFIDENCE): boolean {
  if (rule === "margin" && rate) return marginDecision(k, n, minAgreement, share, rate, confidence);
  return agreementDecision(k, n, minAgreement, share, rule === "count" ? 0 : confidence).ok;
}
