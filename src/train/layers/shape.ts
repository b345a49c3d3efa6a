// Softmax / log-softmax along a per-sample axis, and concatenation, forward and backward. Both view a batch as
// [outer, len, inner] around their axis (the batch axis folds into outer).
import type { FArr } from "../types.ts";

/** Sizes of a batch of per-sample shape `shape` around `axis`: [outer (with the batch), len, inner]. */
export function around(n: number, shape: readonly number[], axis: number): [number, number, number] {
  let outer = n, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[axis] ?? 1, inner];
}

/** y = (log)softmax(x) along the middle axis of [outer, len, inner]. */
export function softmaxForward(log: boolean, x: FArr, [outer, len, inner]: [number, number, number], y: FArr): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let m = -Infinity;
      for (let k = 0; k < len; k++) m = Math.max(m, x[base + k * inner]);
      let s = 0;
      for (let k = 0; k < len; k++) s += Math.exp(x[base + k * inner] - m);
      const ls = Math.log(s);
      for (let k = 0; k < len; k++) {
        const z = x[base + k * inner] - m;
        y[base + k * inner] = log ? z - ls : Math.exp(z) / s;
      }
    }
  }
}

/** dx += softmax^T dy: softmax: y (dy - <dy, y>); log-softmax: dy - softmax(x) sum(dy). */
export function softmaxBackward(log: boolean, y: FArr, dy: FArr, [outer, len, inner]: [number, number, number], dx: FArr): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let s = 0;
      for (let k = 0; k < len; k++) s += log ? dy[base + k * inner] : dy[base + k * inner] * y[base + k * inner];
      for (let k = 0; k < len; k++) {
        const i = base + k * inner;
        dx[i] += log ? dy[i] - Math.exp(y[i]) * s : y[i] * (dy[i] - s);
      }
    }
  }
}

/** Concatenate parts (each [outer, len_i * inner]) into y. */
export function concatForward(parts: readonly FArr[], lens: readonly number[], outer: number, inner: number, y: FArr): void {
  const total = lens.reduce((a, b) => a + b, 0) * inner;
  let off = 0;
  parts.forEach((p, k) => {
    const w = lens[k] * inner;
    for (let o = 0; o < outer; o++) y.set(p.subarray(o * w, (o + 1) * w), o * total + off);
    off += w;
  });
}

/** d part_k += the slice of dy that part k filled. */
export function concatBackward(dy: FArr, lens: readonly number[], outer: number, inner: number, dparts: readonly (FArr | undefined)[]): void {
  const total = lens.reduce((a, b) => a + b, 0) * inner;
  let off = 0;
  lens.forEach((len, k) => {
    const w = len * inner, d = dparts[k];
    if (d) for (let o = 0; o < outer; o++) for (let i = 0; i < w; i++) d[o * w + i] += dy[o * total + off + i];
    off += w;
  });
}
