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
  // P(Bin(n, floor) <= j) <= 1 - confidence is "the upper bound at j is <= floor"; it falls as j falls
  const la = Math.log(1 - confidence);
  let allowed = -1;
  while (allowed + 1 <= byShare && logBinomialCdf(allowed + 1, n, floor) <= la) allowed++;
  return { ok: k <= allowed, bound: rateUpperBound(k, n, confidence), allowed };
}

/** Fewest rows on which a candidate with no disagreeing row passes at `confidence`: (A)^n <= 1 - confidence. */
export function rowsForAgreement(minAgreement: number, confidence = AGREEMENT_CONFIDENCE): number {
  if (!(confidence > 0)) return 0;
  if (minAgreement <= 0) return 1;
  if (minAgreement >= 1) return Infinity;
  return Math.ceil(Math.log(1 - confidence) / Math.log(minAgreement) - 1e-9);
}
