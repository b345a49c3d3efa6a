// A unit that is two-valued on the data is a threshold of its pre-activation: out = low + (high - low) [z > c].
// For a ReLU unit relu(w.x + b) whose values are {0, v}: z <= 0 where it is 0 and z = v where it fires, so
// `w.x > -b` (or any c in the gap between the two classes of z) decides it. The reading picks the simplest c
// in the middle of that gap and states the margin; it is exact on the data when the unit takes exactly two values there.
import { snap } from "./piecewise.ts";

export interface ThresholdReading {
  /** The unit is `low` where the condition fails and `high` where it holds. */
  low: number;
  high: number;
  /** Condition: l(x) > c (strict) or l(x) >= c, with l(x) = z - bias (the weighted sum without the bias). */
  c: number;
  strict: boolean;
  /** Smallest gap between the classes' values of l: how far the data is from the decision boundary. */
  margin: number;
  /** max |unit - reading| on the data: 0 when the unit takes exactly two values. */
  error: number;
}

/** Read a unit as a threshold from its pre-activations z (with the bias `bias` included) and outputs on the
 *  same rows; `tol` is how far (relative to high - low) an output may sit from its class value. Undefined when
 *  the outputs are not two-valued within tol or the classes of z overlap. */
export function readThreshold(z: ArrayLike<number>, out: ArrayLike<number>, bias: number, tol = 0): ThresholdReading | undefined {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < out.length; i++) { lo = Math.min(lo, out[i]); hi = Math.max(hi, out[i]); }
  if (!(hi > lo)) return undefined;
  const span = hi - lo;
  let zl = -Infinity, zh = Infinity, error = 0;
  for (let i = 0; i < out.length; i++) {
    const dLow = out[i] - lo, dHigh = hi - out[i];
    if (dLow <= dHigh) { zl = Math.max(zl, z[i]); error = Math.max(error, dLow); } else { zh = Math.min(zh, z[i]); error = Math.max(error, dHigh); }
  }
  if (error > tol * span || !(zl < zh)) return undefined;
  const a = zl - bias, b = zh - bias; // the gap in l = z - bias
  // The simplest number in the middle half of the gap: robust to small changes of the weights.
  const g = b - a;
  const c = snap((a + b) / 2, g / 4) ?? (a + b) / 2;
  return { low: lo, high: hi, c, strict: true, margin: b - a, error };
}
