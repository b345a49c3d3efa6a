// Number formatting for people: the shortest text that still means the same float32.

/** Shortest decimal that rounds back to the same float32 value. */
export function shortFloat(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const f = Math.fround(v);
  if (f === 0) return Object.is(f, -0) ? "0" : "0";
  for (let p = 1; p <= 9; p++) {
    const s = String(Number(f.toPrecision(p)));
    if (Math.fround(Number(s)) === f) return s;
  }
  return String(f);
}

/** p/q with q <= maxQ that equals the float32 value exactly (after float32 rounding), or undefined. */
export function shortRational(v: number, maxQ = 64): string | undefined {
  if (!Number.isFinite(v)) return undefined;
  const f = Math.fround(v);
  for (let q = 1; q <= maxQ; q++) {
    const p = Math.round(f * q);
    if (Math.fround(p / q) === f) return q === 1 ? String(p) : `${p}/${q}`;
  }
  return undefined;
}

/** The simplest faithful text for a float32: a short decimal, or a small rational when that is shorter. */
export function simplify(v: number): string {
  const d = shortFloat(v);
  const r = shortRational(v);
  const digits = d.replace(/[-.]/g, "").replace(/^0+/, "").length;
  if (r === undefined || digits <= 3 || d.length <= r.length) return d;
  return r;
}

/** A statistic in 3 significant digits (for summaries, where exactness is not the point). */
export function g3(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(3)));
  return v.toExponential(2).replace("e+", "e");
}

/** An integer with thousands separators. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
