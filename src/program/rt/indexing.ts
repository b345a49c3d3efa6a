// The runtime of the emitted program.ts, part 9: the remaining ops that move values around: Pad (constant, edge,
// reflect, wrap; negative pads crop), Tile, GatherElements, GatherND, Trilu, Size.
import { intsOf, newData, normAxis, numel, stridesFor, type Ten } from "./core.ts";

/** The source index along one axis of length d for output position i shifted by the begin pad p (-1: padding). */
function padSource(i: number, p: number, d: number, mode: string): number {
  let j = i - p;
  if (j >= 0 && j < d) return j;
  if (mode === "constant" || d === 0) return -1;
  if (mode === "edge") return j < 0 ? 0 : d - 1;
  if (mode === "wrap") return ((j % d) + d) % d;
  // reflect: mirror without repeating the edge value
  if (d === 1) return 0;
  const period = 2 * (d - 1);
  j = ((j % period) + period) % period;
  return j < d ? j : period - j;
}

/** Pad every axis (or the listed ones) by begin/end amounts: pads as input (opset >= 11) or attribute (before). */
export function Pad(x: Ten, pads: Ten | undefined, value: Ten | undefined, axes: Ten | undefined, at: { mode?: string; pads?: number[]; value?: number }): Ten {
  const r = x.shape.length;
  const p = intsOf(pads) ?? at.pads ?? new Array(2 * r).fill(0);
  const ax = (intsOf(axes) ?? x.shape.map((_, i) => i)).map((a) => normAxis(a, r));
  const begin = new Array(r).fill(0), end = new Array(r).fill(0);
  ax.forEach((a, k) => { begin[a] = p[k]; end[a] = p[k + ax.length]; });
  const shape = x.shape.map((d, k) => d + begin[k] + end[k]);
  const mode = at.mode ?? "constant";
  const fill = value && value.data.length ? value.data[0] : at.value ?? 0;
  const st = stridesFor(x.shape);
  const src = shape.map((d, k) => Array.from({ length: d }, (_, i) => padSource(i, begin[k], x.shape[k], mode)));
  const data = newData(x.dtype, numel(shape));
  const pos = new Array(r).fill(0);
  for (let i = 0; i < data.length; i++) {
    let off = 0;
    for (let k = 0; k < r; k++) {
      const s = src[k][pos[k]];
      if (s < 0) { off = -1; break; }
      off += s * st[k];
    }
    data[i] = off < 0 ? fill : x.data[off];
    for (let k = r - 1; k >= 0; k--) {
      if (++pos[k] < shape[k]) break;
      pos[k] = 0;
    }
  }
  return { dtype: x.dtype, shape, data };
}

/** Each element of `shape`'s index space mapped to a flat source offset by `f(index)`. */
function gatherBy(dtype: string, x: Ten, shape: number[], f: (idx: number[]) => number): Ten {
  const data = newData(dtype, numel(shape));
  const pos = new Array(shape.length).fill(0);
  for (let i = 0; i < data.length; i++) {
    data[i] = x.data[f(pos)];
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++pos[k] < shape[k]) break;
      pos[k] = 0;
    }
  }
  return { dtype, shape, data };
}

/** x repeated `repeats[k]` times along each axis k. */
export function Tile(x: Ten, repeats: Ten): Ten {
  const rep = intsOf(repeats)!;
  const st = stridesFor(x.shape);
  return gatherBy(x.dtype, x, x.shape.map((d, k) => d * rep[k]), (idx) => idx.reduce((s, v, k) => s + (v % x.shape[k]) * st[k], 0));
}

/** out[i] = x[i with axis position replaced by indices[i]] (negative indices count from the end). */
export function GatherElements(x: Ten, indices: Ten, at: { axis?: number }): Ten {
  const a = normAxis(at.axis ?? 0, x.shape.length);
  const st = stridesFor(x.shape), ist = stridesFor(indices.shape);
  return gatherBy(x.dtype, x, [...indices.shape], (idx) => {
    let j = indices.data[idx.reduce((s, v, k) => s + v * ist[k], 0)];
    if (j < 0) j += x.shape[a];
    return idx.reduce((s, v, k) => s + (k === a ? j : v) * st[k], 0);
  });
}

/** Slices of x addressed by the last axis of indices, after `batch_dims` shared leading axes. */
export function GatherND(x: Ten, indices: Ten, at: { batch_dims?: number }): Ten {
  const b = at.batch_dims ?? 0;
  const q = indices.shape[indices.shape.length - 1];
  const lead = indices.shape.slice(0, -1), tail = x.shape.slice(b + q);
  const st = stridesFor(x.shape), ist = stridesFor(indices.shape);
  return gatherBy(x.dtype, x, [...lead, ...tail], (idx) => {
    let off = 0, ibase = 0;
    for (let k = 0; k < lead.length; k++) ibase += idx[k] * ist[k];
    for (let k = 0; k < b; k++) off += idx[k] * st[k];
    for (let k = 0; k < q; k++) {
      let j = indices.data[ibase + k];
      if (j < 0) j += x.shape[b + k];
      off += j * st[b + k];
    }
    for (let k = 0; k < tail.length; k++) off += idx[lead.length + k] * st[b + q + k];
    return off;
  });
}

/** Keep the upper (default) or lower triangle of the last two axes, shifted by the diagonal k; zero the rest. */
export function Trilu(x: Ten, k: Ten | undefined, at: { upper?: number }): Ten {
  const kk = k ? k.data[0] : 0, upper = at.upper ?? 1;
  const [rows, cols] = x.shape.slice(-2);
  const data = newData(x.dtype, x.data.length);
  for (let i = 0; i < data.length; i++) {
    const c = i % cols, rr = Math.floor(i / cols) % rows;
    if (upper ? c - rr >= kk : c - rr <= kk) data[i] = x.data[i];
  }
  return { dtype: x.dtype, shape: [...x.shape], data };
}

/** The number of elements, as an int64 scalar. */
export function Size(x: Ten): Ten { return { dtype: "int64", shape: [], data: Float64Array.of(x.data.length) }; }
