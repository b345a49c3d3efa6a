// Seeded randomness for tests: every random model and input is reproducible from its seed. The generator is
// src/util/rng.ts (re-exported here for the tests that import it from this folder); the array helpers are the tests'.
import { randn } from "../../src/util/rng.ts";

export { randn, rng } from "../../src/util/rng.ts";

/** n standard normal samples times a scale, as float32. */
export function randnArray(r: () => number, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = randn(r) * scale;
  return out;
}

/** n uniform samples in [lo, hi), as float32. */
export function uniformArray(r: () => number, n: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}
