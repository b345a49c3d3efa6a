// Numpy-style multidirectional broadcasting, shared by every elementwise kernel and shape rule.
import type { Dim } from "../../graph/graph.ts";
import { sizeOf, stridesOf } from "../../graph/tensor.ts";

/** Broadcast concrete shapes; null when they are incompatible. */
export function broadcastShapes(...shapes: readonly (readonly number[])[]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else return null;
    }
  }
  return out;
}

/** Broadcast possibly symbolic shapes for shape inference; null when known dims clash. */
export function broadcastDims(...shapes: readonly (readonly Dim[])[]): Dim[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = new Array<Dim>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      const cur = out[o];
      if (d === 1 || d === cur) continue;
      if (cur === 1) out[o] = d;
      else if (typeof d === "number" && typeof cur === "number") return null;
      else if (typeof cur !== "number" || cur === null) out[o] = typeof d === "number" ? d : cur ?? d;
    }
  }
  return out;
}

/**
 * For each flat index of `outShape`, the flat index into an input of `inShape` broadcast to it.
 * Returns null when the input already has the output's shape (identity mapping).
 */
export function broadcastIndex(outShape: readonly number[], inShape: readonly number[]): Int32Array | null {
  if (inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i])) return null;
  const n = sizeOf(outShape);
  const rank = outShape.length;
  const inStr = stridesOf(inShape);
  // Stride 0 along broadcast axes.
  const st = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = rank - inShape.length + i;
    st[o] = inShape[i] === 1 ? 0 : inStr[i];
  }
  const idx = new Int32Array(n);
  const counter = new Array<number>(rank).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = off;
    for (let a = rank - 1; a >= 0; a--) {
      counter[a]++;
      off += st[a];
      if (counter[a] < outShape[a]) break;
      off -= st[a] * counter[a];
      counter[a] = 0;
    }
  }
  return idx;
}
