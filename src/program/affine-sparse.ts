// The program interpreter's affine kernel (run.ts): the same values as kernels.ts's `affine` (the kernel emitted
// programs inline: float64 sums in input order, one rounding to float32), over the non-zero terms only. A simplified
// program keeps a third of its dense weights or fewer, and inputs are often mostly zeros (MNIST digits, values
// after a ReLU): each row adds, input by input in order, each non-zero input times its column's non-zero weights.
// Why the values are the same: each output's sum gets its terms in input order either way; for finite x, a zero
// term (a zero weight or a zero input) adds +-0, which changes a non-zero sum not at all, and once a non-zero term
// arrives the sign of an earlier zero is gone. So the sums agree unless both are zero (then only the zero's sign
// may differ): outputs that come out 0, and rows with a non-finite input (0 * inf is NaN), are summed densely.
import { applyAct, type ActArgs, type Arr } from "./kernels.ts";

/** W by columns (CSC): for input i, the outputs `row[start[i] .. start[i+1])` with weights `val`, ascending. */
interface Columns {
  start: Int32Array;
  row: Int32Array;
  val: Float32Array;
}

/** Above this share of non-zero weights the kernel as emitted is used (the column walk gains little there). */
const MAX_DENSITY = 0.75;

const cache = new WeakMap<Float32Array, Columns | null>();

function columnsOf(W: Float32Array, nOut: number, nIn: number): Columns | null {
  let hit = cache.get(W);
  if (hit !== undefined) return hit;
  let nnz = 0;
  for (let i = 0; i < W.length; i++) if (W[i] !== 0) nnz++;
  hit = null;
  if (nnz <= MAX_DENSITY * W.length) {
    const start = new Int32Array(nIn + 1), row = new Int32Array(nnz), val = new Float32Array(nnz);
    for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) if (W[o * nIn + i] !== 0) start[i + 1]++;
    for (let i = 0; i < nIn; i++) start[i + 1] += start[i];
    const at = start.slice(0, nIn);
    for (let o = 0; o < nOut; o++) {
      for (let i = 0; i < nIn; i++) {
        const w = W[o * nIn + i];
        if (w !== 0) (row[at[i]] = o), (val[at[i]++] = w);
      }
    }
    hit = { start, row, val };
  }
  cache.set(W, hit);
  return hit;
}

/** y = act(x W^T + b), x [..., nIn], W [nOut, nIn]: kernels.ts's affine, to the bit, faster on sparse W or x. */
export function affineInterp(x: Arr, W: Float32Array, b: Float32Array, nOut: number, act: ActArgs | undefined, dense: (x: Arr, W: Float32Array, b: Float32Array, nOut: number, act?: ActArgs) => Arr): Arr {
  const nIn = x.shape[x.shape.length - 1];
  const cols = nIn > 0 && W.length === nOut * nIn ? columnsOf(W, nOut, nIn) : null;
  if (!cols) return dense(x, W, b, nOut, act);
  const rows = x.data.length / nIn;
  const y = new Float32Array(rows * nOut);
  const xd = x.data;
  const { start, row, val } = cols;
  const acc = new Float64Array(nOut);
  for (let r = 0; r < rows; r++) {
    const xo = r * nIn, yo = r * nOut;
    let finite = true;
    for (let i = 0; i < nIn; i++) if (!Number.isFinite(xd[xo + i])) { finite = false; break; }
    if (finite) {
      for (let o = 0; o < nOut; o++) acc[o] = b[o];
      for (let i = 0; i < nIn; i++) {
        const v = xd[xo + i];
        if (v === 0) continue;
        for (let q = start[i], e = start[i + 1]; q < e; q++) acc[row[q]] += val[q] * v;
      }
    }
    for (let o = 0; o < nOut; o++) {
      let s = acc[o];
      if (!finite || s === 0) {
        s = b[o];
        const wo = o * nIn;
        for (let i = 0; i < nIn; i++) s += W[wo + i] * xd[xo + i];
      }
      y[yo + o] = s;
    }
  }
  applyAct(y, act);
  return { data: y, shape: [...x.shape.slice(0, -1), nOut] };
}
