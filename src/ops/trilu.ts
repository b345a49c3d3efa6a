// Trilu: keep the upper (upper = 1, default) or lower triangle of the last two dims, zero the rest. Element
// (i, j) is kept when j - i >= k (upper) or j - i <= k (lower); k is the optional int64 input 1 (default 0).
// Causal attention masks in transformer exports are built with it.
import { allocData, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrInt, type OpCtx } from "./op.ts";
import { BOOL, NUMERIC, checkType, finish, foldable, numInput, required } from "./util/elementwise.ts";

const TYPES = [...NUMERIC, ...BOOL];

/** The diagonal offset k from input 1 (a scalar or 1-element int64 tensor), 0 when omitted. */
function diagonal(ctx: OpCtx, k: Tensor | undefined): number {
  if (!k) return 0;
  if (k.dtype !== "int64") throw new OpError(ctx.node, `k must be int64, got ${k.dtype}`);
  if (k.data.length !== 1) throw new OpError(ctx.node, `k must hold one value, got [${k.shape.join(", ")}]`);
  return (k.data as NumericArray)[0];
}

/** Copy the kept triangle of every rows x cols matrix of x into y (y starts zeroed). */
function triluKernel(x: NumericArray, y: NumericArray, rows: number, cols: number, k: number, upper: boolean): void {
  const size = rows * cols;
  if (size === 0) return;
  for (let m = 0; m < x.length; m += size) {
    for (let i = 0; i < rows; i++) {
      // Kept columns: j >= i + k (upper) or j <= i + k (lower), clipped to [0, cols).
      const from = upper ? Math.max(0, i + k) : 0;
      const to = upper ? cols : Math.min(cols, i + k + 1);
      const row = m + i * cols;
      for (let j = from; j < to; j++) y[row + j] = x[row + j];
    }
  }
}

export const Trilu = foldable({
  name: "Trilu",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    checkType(ctx.node, x.dtype, TYPES, "input 0");
    if (x.shape && x.shape.length < 2) throw new OpError(ctx.node, `input has rank ${x.shape.length}; expected rank >= 2`);
    if (infos[1]) checkType(ctx.node, infos[1].dtype, ["int64"], "input 1 (k)");
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, TYPES);
    const rank = x.shape.length;
    if (rank < 2) throw new OpError(ctx.node, `input has rank ${rank}; expected rank >= 2`);
    const y = allocData(x.dtype, x.data.length) as NumericArray;
    const upper = attrInt(ctx.node, "upper", 1) !== 0;
    triluKernel(x.data, y, x.shape[rank - 2], x.shape[rank - 1], diagonal(ctx, inputs[1]), upper);
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape: [...x.shape], data: y }];
  },
});
