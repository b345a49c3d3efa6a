// Affine layer y = x W^T + b over the last axis (rows = batch x leading per-sample axes), forward and backward,
// on the interpreter's sgemm.
import { gemm } from "../../ops/util/gemm.ts";
import type { AffineLayer } from "../../net/net.ts";
import type { FArr, LayerParams } from "../types.ts";

/** y[rows, out] = x[rows, in] W^T + b. */
export function affineForward(l: AffineLayer, p: LayerParams, x: FArr, rows: number, y: FArr): void {
  gemm({ m: rows, n: l.outFeatures, k: l.inFeatures, a: x, b: p.w, transB: true, c: y, colBias: p.b });
}

/** Given dy[rows, out]: dx = dy W (when dx is given) and, when g is given, g.w += dy^T x and g.b += column sums of dy. */
export function affineBackward(l: AffineLayer, p: LayerParams, x: FArr, dy: FArr, rows: number, dx: FArr | undefined, g: LayerParams | undefined): void {
  const out = l.outFeatures, inF = l.inFeatures;
  if (dx) gemm({ m: rows, n: inF, k: out, a: dy, b: p.w, c: dx, beta: 1 });
  if (!g) return;
  // dW = dy^T x, with dy transposed first: the sgemm packs a plain A faster than a transposed one.
  const dyT = dy instanceof Float32Array ? new Float32Array(dy.length) : new Float64Array(dy.length);
  for (let r = 0; r < rows; r++) for (let j = 0; j < out; j++) dyT[j * rows + r] = dy[r * out + j];
  gemm({ m: out, n: inF, k: rows, a: dyT, b: x, c: g.w, beta: 1 });
  for (let r = 0; r < rows; r++) {
    const o = r * out;
    for (let j = 0; j < out; j++) g.b[j] += dy[o + j];
  }
}
