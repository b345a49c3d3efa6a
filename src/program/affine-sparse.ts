// The program interpreter's affine kernel (run.ts): the same values as kernels.ts's `affine` (the kernel emitted
// programs inline: float64 sums in input order, one rounding to float32), over each output row's non-zero weights
// only. A simplified program keeps a third of its dense weights or fewer; the zeros cost as much as the rest there.
// Why the values are the same: for finite x, a zero weight adds +-0 to the sum, which changes a non-zero sum not at
// all, and once a non-zero term arrives the sign of an earlier zero is gone. So the sparse sum equals the dense one
// unless both are zero (then only the zero's sign may differ): outputs that come out 0, and rows with a non-finite
// input (0 * inf is NaN), are summed densely, as kernels.ts does.
import { applyAct, type ActArgs, type Arr } from "./kernels.ts";

/** Non-zero weights of each output row: start offsets into `idx` (input index) and `val` (weight). */
interface SparseW {
  start: Int32Array;
  idx: Int32Array;
  val: Float32Array;
}

/** Below this share of non-zero weights the sparse loop pays for its index loads. */
const MAX_DENSITY = 0.6;

const cache = new WeakMap<Float32Array, SparseW | null>();

function sparseOf(W: Float32Array, nOut: number, nIn: number): SparseW | null {
  let hit = cache.get(W);
  if (hit !== undefined) return hit;
  let nnz = 0;
  for (let i = 0; i < W.length; i++) if (W[i] !== 0) nnz++;
  hit = null;
  if (nnz <= MAX_DENSITY * W.length) {
    const start = new Int32Array(nOut + 1), idx = new Int32Array(nnz), val = new Float32Array(nnz);
    let q = 0;
    for (let o = 0; o < nOut; o++) {
      for (let i = 0; i < nIn; i++) {
        const w = W[o * nIn + i];
        if (w !== 0) (idx[q] = i), (val[q++] = w);
      }
      start[o + 1] = q;
    }
    hit = { start, idx, val };
  }
  cache.set(W, hit);
  return hit;
}

/** y = act(x W^T + b), x [..., nIn], W [nOut, nIn]: kernels.ts's affine, to the bit, faster on sparse W. */
export function affineInterp(x: Arr, W: Float32Array, b: Float32Array, nOut: number, act: ActArgs | undefined, dense: (x: Arr, W: Float32Array, b: Float32Array, nOut: number, act?: ActArgs) => Arr): Arr {
  const nIn = x.shape[x.shape.length - 1];
  const sp = nIn > 0 && W.length === nOut * nIn ? sparseOf(W, nOut, nIn) : null;
  if (!sp) return dense(x, W, b, nOut, act);
  const rows = x.data.length / nIn;
  const y = new Float32Array(rows * nOut);
  const xd = x.data;
  const { start, idx, val } = sp;
  for (let r = 0; r < rows; r++) {
    const xo = r * nIn;
    let finite = true;
    for (let i = 0; i < nIn; i++) if (!Number.isFinite(xd[xo + i])) { finite = false; break; }
    for (let o = 0; o < nOut; o++) {
      let s = b[o];
      if (finite) for (let q = start[o]; q < start[o + 1]; q++) s += val[q] * xd[xo + idx[q]];
      if (!finite || s === 0) {
        s = b[o];
        const wo = o * nIn;
        for (let i = 0; i < nIn; i++) s += W[wo + i] * xd[xo + i];
      }
      y[r * nOut + o] = s;
    }
  }
  applyAct(y, act);
  return { data: y, shape: [...x.shape.slice(0, -1), nOut] };
}
