// The zoo's seeded helpers: every case, obfuscation and sample is a function of the seed. The generator is
// src/util/rng.ts's rng (mulberry32).

/**
 * A standard normal sample (Box-Muller) from a uniform generator. Not src/util/rng.ts's randn on purpose: this one
 * takes log(u) where that takes log(1 - u), and keeping it keeps every published zoo case bit-identical for its seed.
 */
export function randn(u: () => number): number {
  const a = Math.max(u(), 1e-12);
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, u: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** A log-uniform sample in [lo, hi] (lo > 0): scales spread evenly over orders of magnitude. */
export function logUniform(lo: number, hi: number, u: () => number): number {
  return Math.exp(Math.log(lo) + u() * (Math.log(hi) - Math.log(lo)));
}

/** A sub-seed for a named purpose, so adding one case or flag does not shift the others' randomness. */
export function subSeed(seed: number, name: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
