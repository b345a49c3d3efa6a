// The canonical form of a small ReLU function (DESIGN section 6): relu is positively homogeneous, so each unit
// is scaled to have incoming weights (with bias) of max magnitude 1, the scale moving to whoever reads it;
// units with equal canonical rows are duplicates and merge (their readers' columns add up); units are then
// sorted. Two functions equal up to unit permutation and positive scale have the same canonical form.
//   relu(s z) = s relu(z) (s > 0);   a relu(z) + b relu(z) = (a + b) relu(z)

/** One layer of a ReLU function: rows over the previous layer's units (or the function's inputs). */
export interface FnLayer {
  W: number[][];
  b: number[];
}

export interface Canonical {
  layers: FnLayer[];
  /** Per original last-layer unit: the canonical unit it became and its scale (original = scale x canonical). */
  outIndex: number[];
  outScale: number[];
}

/** Canonical form of a stack of ReLU layers; rows within `tol` (relative, after scaling) are merged. */
export function canonicalize(layers: readonly FnLayer[], tol = 1e-3): Canonical {
  let prevIndex: number[] | undefined, prevScale: number[] | undefined, prevCount = 0;
  const out: FnLayer[] = [];
  for (const l of layers) {
    // Columns: move the previous layer's scales in and merge its duplicates.
    const rows = l.W.map((r, j) => {
      if (!prevIndex) return [...r, l.b[j]];
      const c = new Array<number>(prevCount + 1).fill(0);
      r.forEach((w, i) => (c[prevIndex![i]] += w * prevScale![i]));
      c[prevCount] = l.b[j];
      return c;
    });
    const scale = rows.map((r) => Math.max(...r.map(Math.abs)) || 1);
    const norm = rows.map((r, j) => r.map((v) => v / scale[j]));
    // Sort canonical rows (lexicographically with tolerance) and merge equal neighbours.
    const order = [...norm.keys()].sort((a, c) => cmpRows(norm[a], norm[c], tol));
    const index = new Array<number>(rows.length);
    const kept: number[][] = [];
    for (const j of order) {
      if (kept.length && cmpRows(kept[kept.length - 1], norm[j], tol) === 0) index[j] = kept.length - 1;
      else { kept.push(norm[j]); index[j] = kept.length - 1; }
    }
    out.push({ W: kept.map((r) => r.slice(0, -1)), b: kept.map((r) => r[r.length - 1]) });
    prevIndex = index;
    prevScale = scale;
    prevCount = kept.length;
  }
  return { layers: out, outIndex: prevIndex ?? [], outScale: prevScale ?? [] };
}

function cmpRows(a: readonly number[], b: readonly number[], tol: number): number {
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > tol) return a[i] - b[i];
  return 0;
}

/** Do two canonical forms compute the same function (same shapes, weights within tol)? Largest difference, or Infinity. */
export function canonicalDiff(a: Canonical, b: Canonical): number {
  if (a.layers.length !== b.layers.length) return Infinity;
  let m = 0;
  for (let k = 0; k < a.layers.length; k++) {
    const x = a.layers[k], y = b.layers[k];
    if (x.W.length !== y.W.length || (x.W[0]?.length ?? 0) !== (y.W[0]?.length ?? 0)) return Infinity;
    x.W.forEach((r, j) => r.forEach((v, i) => (m = Math.max(m, Math.abs(v - y.W[j][i])))));
    x.b.forEach((v, j) => (m = Math.max(m, Math.abs(v - y.b[j]))));
  }
  return m;
}
