// The scorer's measures, each a small pure function: partition agreement, token counts, kernel match.

/** n choose 2. */
const c2 = (n: number): number => (n * (n - 1)) / 2;

/** Adjusted Rand index of two labelings of the same items (1 = same partition, about 0 = chance).
 *  When both are trivial (one cluster, or all singletons, where ARI is 0/0) it is 1 if they are equal, else 0. */
export function adjustedRandIndex(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) throw new Error(`ARI: ${a.length} vs ${b.length} labels`);
  const n = a.length;
  const cont = new Map<string, number>();
  const ca = new Map<string, number>();
  const cb = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = JSON.stringify([a[i], b[i]]);
    cont.set(k, (cont.get(k) ?? 0) + 1);
    ca.set(a[i], (ca.get(a[i]) ?? 0) + 1);
    cb.set(b[i], (cb.get(b[i]) ?? 0) + 1);
  }
  let sumIJ = 0;
  for (const v of cont.values()) sumIJ += c2(v);
  let sumA = 0;
  for (const v of ca.values()) sumA += c2(v);
  let sumB = 0;
  for (const v of cb.values()) sumB += c2(v);
  const total = c2(n);
  const expected = total > 0 ? (sumA * sumB) / total : 0;
  const maxIndex = (sumA + sumB) / 2;
  if (maxIndex - expected === 0) return samePartition(a, b) ? 1 : 0;
  return (sumIJ - expected) / (maxIndex - expected);
}

/** Do two labelings group the items identically (labels may differ)? */
export function samePartition(a: readonly string[], b: readonly string[]): boolean {
  const ab = new Map<string, string>();
  const ba = new Map<string, string>();
  for (let i = 0; i < a.length; i++) {
    if ((ab.get(a[i]) ?? b[i]) !== b[i] || (ba.get(b[i]) ?? a[i]) !== a[i]) return false;
    ab.set(a[i], b[i]);
    ba.set(b[i], a[i]);
  }
  return true;
}

/** Code tokens of program text: identifiers (dotted names count once), numbers and symbols; comments,
 *  docstrings and blank lines are not code. */
export function codeTokens(text: string): number {
  let n = 0;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (line === "" || line.startsWith("#") || line.startsWith('"""')) continue;
    n += line.match(/[A-Za-z_][A-Za-z0-9_.]*|\d+(?:\.\d+)?(?:e[-+]?\d+)?|\S/g)?.length ?? 0;
  }
  return n;
}

/** Number of non-zero values in some arrays (what a sparse listing of them would print). */
export function nonzeroCount(arrays: Iterable<ArrayLike<number>>): number {
  let n = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) if (a[i] !== 0) n++;
  return n;
}

/** A kernel [oc, rest...] split into its oc channel filters, each scaled to max |value| 1. */
export function normalizedFilters(kernel: ArrayLike<number>, oc: number): number[][] {
  const per = kernel.length / oc;
  return Array.from({ length: oc }, (_, o) => {
    const f = Array.from({ length: per }, (_, i) => kernel[o * per + i]);
    const m = Math.max(...f.map(Math.abs));
    return m > 0 ? f.map((v) => v / m) : f;
  });
}

/** Worst over the truth's filters of the best match among the found ones (up to scale and sign); Infinity when shapes differ. */
export function kernelMatchError(truth: number[][], found: number[][]): number {
  let worst = 0;
  for (const t of truth) {
    let best = Infinity;
    for (const f of found) {
      if (f.length !== t.length) continue;
      for (const s of [1, -1]) best = Math.min(best, Math.max(...t.map((v, i) => Math.abs(v - s * f[i]))));
    }
    worst = Math.max(worst, best);
  }
  return worst;
}
