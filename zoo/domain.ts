// Points of a case's domain: every point of a bits domain, and for a box its corners (when few),
// a grid (one input) and seeded uniform samples; points failing the case's promise are skipped.
import type { CaseDef, Domain } from "./case.ts";
import { rng } from "../src/util/rng.ts";

export interface SampleOptions {
  /** Random points drawn from a box (before the promise filter). */
  random?: number;
  seed?: number;
}

/** All 2^n points of {0,1}^n, in counting order with x0 as the lowest bit. */
export function allBits(n: number): number[][] {
  if (n > 16) throw new Error(`allBits: 2^${n} points is too many`);
  return Array.from({ length: 2 ** n }, (_, k) => Array.from({ length: n }, (_, i) => (k >> i) & 1));
}

/** Sample points of a domain, deterministic in the seed. */
export function sampleDomain(d: Domain, accept: ((x: readonly number[]) => boolean) | undefined, opts: SampleOptions = {}): number[][] {
  if (d.kind === "bits") return allBits(d.n).filter((x) => !accept || accept(x));
  const n = d.lo.length;
  const discrete = new Set(d.discrete ?? []);
  const u = rng(opts.seed ?? 1);
  const pts: number[][] = [];
  if (n <= 10) for (const c of allBits(n)) pts.push(c.map((b, i) => (b ? d.hi[i] : d.lo[i])));
  if (n === 1) for (let k = 0; k <= 400; k++) pts.push([d.lo[0] + ((d.hi[0] - d.lo[0]) * k) / 400]);
  const count = opts.random ?? 1000;
  for (let k = 0; k < count; k++) {
    pts.push(d.lo.map((lo, i) => (discrete.has(i) ? (u() < 0.5 ? lo : d.hi[i]) : lo + u() * (d.hi[i] - lo))));
  }
  return pts.filter((x) => !accept || accept(x));
}

/** The domain points of a case used for checks and for its data file. */
export function casePoints(c: CaseDef, opts: SampleOptions = {}): number[][] {
  return sampleDomain(c.domain, c.accept, opts);
}
