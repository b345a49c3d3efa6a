// Commander parsers for numeric option values: each returns the number or throws InvalidArgumentError, which
// commander reports as "option '--x <n>' argument '...' is invalid. <message>".
import { InvalidArgumentError } from "commander";

/** An integer >= 0 (seeds). */
export function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer");
  return n;
}

/** An integer >= 1 (counts, batch sizes). */
export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

/** A number in [0, 1). */
export function fraction(v: string): number {
  const n = Number(v);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError("expected a fraction in [0, 1), e.g. 0.2");
  return n;
}

/** A finite number >= 0 (tolerances). */
export function nonNegativeNumber(v: string): number {
  const n = Number(v);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError("expected a non-negative number, e.g. 1e-5");
  return n;
}

/** A number in [0, 1] (agreement fractions). */
export function unitFraction(v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !(n >= 0 && n <= 1)) throw new InvalidArgumentError("expected a fraction in [0, 1], e.g. 0.999");
  return n;
}
