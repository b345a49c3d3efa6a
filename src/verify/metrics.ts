// Fidelity metrics: how far a candidate's outputs are from the original's on the same inputs.
import type { NumericArray, Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";

/** Fidelity of one output. relErr = maxAbsErr / max|expected| (maxAbsErr itself when expected is all 0). */
export interface OutputFidelity {
  name: string;
  maxAbsErr: number;
  meanAbsErr: number;
  relErr: number;
  /** Fraction of rows whose argmax agrees; only for outputs that look like class scores. */
  top1Agreement?: number;
}

/** Fidelity over all outputs: worst case of each metric, plus per-output detail. */
export interface Fidelity {
  /** Number of samples compared. */
  samples: number;
  /** Which data: "held-out", "analysis", "box", a file name... */
  data: string;
  maxAbsErr: number;
  meanAbsErr: number;
  relErr: number;
  top1Agreement?: number;
  outputs: OutputFidelity[];
  /** Over the whole box domain (when the domain is one): a certified upper bound on max |simplified Net -
   *  original Net| from bound propagation (src/verify/bounds.ts). */
  certifiedMaxErr?: number;
  /** How certifiedMaxErr was obtained. */
  certifiedMethod?: string;
}

function numeric(t: Tensor, what: string): NumericArray {
  if (t.dtype === "string") throw new UserError(`${what} is a string tensor; fidelity needs numbers`);
  return t.data as NumericArray;
}

/** Largest |a - b|; NaN in one but not the other counts as Infinity. */
export function maxAbsErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = absDiff(a[i], b[i]);
    if (d > m) m = d;
  }
  return m;
}

/** Mean of |a - b| (0 for empty arrays). */
export function meanAbsErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += absDiff(a[i], b[i]);
  return s / a.length;
}

/** maxAbsErr / max|expected|; equals maxAbsErr when expected is all zero. */
export function relErr(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  let big = 0;
  for (let i = 0; i < expected.length; i++) if (Math.abs(expected[i]) > big) big = Math.abs(expected[i]);
  const m = maxAbsErr(expected, actual);
  return big > 0 ? m / big : m;
}

function absDiff(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y) ? 0 : Infinity;
  if (x === y) return 0; // equal infinities
  return Math.abs(x - y);
}

/** Do these (batch-first) values look like class scores: float, per-sample shape [k] (or [1,..,k]) with k >= 2. */
export function looksLikeScores(t: Tensor): boolean {
  if (t.dtype !== "float32" && t.dtype !== "float64" && t.dtype !== "float16") return false;
  if (t.shape.length < 2) return false;
  const per = t.shape.slice(1);
  const k = per[per.length - 1];
  return k >= 2 && per.slice(0, -1).every((d) => d === 1);
}

/** Scores within this fraction of a row's largest |score| are tied (float rounding: the project's exact level). */
export const TIE_REL = 1e-5;

/** Do two score rows (k entries from `off`) have the same top-1? Ties count: the rows agree when one's top class is
 *  tied (within rounding) for the other's largest score, e.g. a named program's exact bits [1, 1, 0] against a
 *  network's [1.001, 0.999, 0]: either class is the top-1 of [1, 1, 0]. */
export function topAgrees(a: ArrayLike<number>, b: ArrayLike<number>, off: number, k: number, tie = 0): boolean {
  const ia = argmaxRow(a, off, k), ib = argmaxRow(b, off, k);
  if (ia === ib) return true;
  if (tiedWith(b, off, k, ia, ib) || tiedWith(a, off, k, ib, ia)) return true;
  return tie > 0 && tiedAtBudget(a, b, off, k, ia, ib, tie);
}

/** A tie at an error budget: some class of b's top (within rounding; every class when b's row is all equal, as a
 *  program's exact bits [0, 0, 0]) scores within `tie` of a's best in a. Only a caller that also bounds
 *  max |a - b| by `tie` may pass it (the ledger): then a row of zeros against a clear winner fails on the error. */
function tiedAtBudget(a: ArrayLike<number>, b: ArrayLike<number>, off: number, k: number, ia: number, ib: number, tie: number): boolean {
  const lo = b[off + ib] - tieTol(b, off, k);
  for (let j = 0; j < k; j++) if (b[off + j] >= lo && a[off + j] >= a[off + ia] - tie) return true;
  return false;
}

/** Is class j tied within rounding for row d's largest score (at class top), in a row that has a top-1 at all? A
 *  row whose every class is tied (all zeros: a net pruned to nothing) decides nothing, so it agrees with no row. */
function tiedWith(d: ArrayLike<number>, off: number, k: number, j: number, top: number): boolean {
  const tol = tieTol(d, off, k), lo = d[off + top] - tol;
  if (!(d[off + j] >= lo)) return false;
  for (let i = 0; i < k; i++) if (d[off + i] < lo) return true;
  return false;
}

function tieTol(d: ArrayLike<number>, off: number, k: number): number {
  let m = 0;
  for (let j = 0; j < k; j++) m = Math.max(m, Math.abs(d[off + j]));
  return TIE_REL * m;
}

/** Fraction of rows (last axis = classes) where both argmaxes agree, ties within rounding counting as agreeing
 *  (topAgrees). */
export function top1Agreement(expected: Tensor, actual: Tensor): number {
  const k = expected.shape[expected.shape.length - 1];
  const a = numeric(expected, "expected output");
  const b = numeric(actual, "actual output");
  const rows = a.length / k;
  if (rows === 0) return 1;
  let agree = 0;
  for (let r = 0; r < rows; r++) if (topAgrees(a, b, r * k, k)) agree++;
  return agree / rows;
}

function argmaxRow(d: ArrayLike<number>, off: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (d[off + j] > d[off + best]) best = j;
  return best;
}

/** Top-1 agreement of outputs whose every position is a decision: float outputs with classes on the last axis
 *  (k >= 2) and more than one position per sample, e.g. a sequence tagger's [batch, steps, k], which compareOutput
 *  does not read as scores. The smallest over such outputs; undefined when there is none. verify's --min-agreement
 *  uses it, so a state machine read from a recurrent net (a decision per step) is judged by its decisions. */
export function positionAgreement(expected: readonly Tensor[], actual: readonly Tensor[]): number | undefined {
  let worst: number | undefined;
  expected.forEach((e, i) => {
    const k = e.shape[e.shape.length - 1];
    if (e.dtype !== "float32" && e.dtype !== "float64" && e.dtype !== "float16") return;
    if (e.shape.length < 3 || !(k >= 2) || actual[i] === undefined) return;
    const a = top1Agreement(e, actual[i]);
    worst = worst === undefined ? a : Math.min(worst, a);
  });
  return worst;
}

/** Compare one output; shapes must agree. */
export function compareOutput(name: string, expected: Tensor, actual: Tensor): OutputFidelity {
  if (expected.shape.join(",") !== actual.shape.join(",")) {
    throw new UserError(
      `output '${name}': shape [${actual.shape.join(", ")}] differs from the original's [${expected.shape.join(", ")}]`,
    );
  }
  const a = numeric(expected, `output '${name}'`);
  const b = numeric(actual, `output '${name}'`);
  const f: OutputFidelity = { name, maxAbsErr: maxAbsErr(a, b), meanAbsErr: meanAbsErr(a, b), relErr: relErr(a, b) };
  if (looksLikeScores(expected)) f.top1Agreement = top1Agreement(expected, actual);
  return f;
}

/** Compare every output (same order and names); the summary takes the worst of each metric. */
export function compareAll(names: readonly string[], expected: readonly Tensor[], actual: readonly Tensor[], data: string): Fidelity {
  if (expected.length !== actual.length) {
    throw new UserError(`expected ${expected.length} outputs, got ${actual.length}`);
  }
  const outputs = names.map((n, i) => compareOutput(n, expected[i], actual[i]));
  const tops = outputs.map((o) => o.top1Agreement).filter((x): x is number => x !== undefined);
  return {
    samples: expected[0]?.shape[0] ?? 0,
    data,
    maxAbsErr: Math.max(0, ...outputs.map((o) => o.maxAbsErr)),
    meanAbsErr: Math.max(0, ...outputs.map((o) => o.meanAbsErr)),
    relErr: Math.max(0, ...outputs.map((o) => o.relErr)),
    ...(tops.length ? { top1Agreement: Math.min(...tops) } : {}),
    outputs,
  };
}

/** One line, e.g. "maxAbsErr 2.4e-7, relErr 3.1e-8, top-1 agreement 100%". */
export function fidelityLine(f: Fidelity): string {
  const parts = [`maxAbsErr ${sci(f.maxAbsErr)}`, `relErr ${sci(f.relErr)}`];
  if (f.top1Agreement !== undefined) parts.push(`top-1 agreement ${pct(f.top1Agreement)}`);
  return parts.join(", ");
}

/** "(held-out, 200 samples): maxAbsErr ..., relErr ..." as program headers show it. */
export function fidelitySummary(f: Fidelity): string {
  return `(${f.data}, ${f.samples} sample${f.samples === 1 ? "" : "s"}): ${fidelityLine(f)}`;
}

/** A number in short scientific form (0 stays 0). */
export function sci(x: number): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  const [m, e] = x.toExponential(1).split("e");
  const mant = m.replace(/\.0$/, "");
  return e === "+0" ? mant : `${mant}e${e.replace("+", "")}`;
}

/** A fraction as a percentage with at most one decimal. */
export function pct(x: number): string {
  const p = x * 100;
  return `${Number.isInteger(p) ? p : p.toFixed(1)}%`;
}
