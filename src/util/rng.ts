// Seeded randomness: the one generator behind everything that must be reproducible from a seed (test inputs
// and weights, the zoo's cases, benchmark networks, example data).

/** A mulberry32 generator: uniform numbers in [0, 1) from a 32-bit seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One standard normal sample (Box-Muller) from a uniform generator. */
export function randn(u: () => number): number {
  const v = 1 - u(); // in (0, 1]: log stays finite
  return Math.sqrt(-2 * Math.log(v)) * Math.cos(2 * Math.PI * u());
}
