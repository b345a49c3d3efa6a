// Clip: min(max(x, lo), hi) elementwise. Bounds are attributes `min`/`max` before opset 11 and optional
// scalar inputs 1/2 from opset 11; a missing bound is the dtype's range. When lo > hi every value becomes hi
// (as np.clip and the ONNX test test_clip_min_greater_than_max).
import { allocData, sizeOf, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrFloat, type OpCtx } from "./op.ts";
import { NUMERIC, checkType, finish, foldable, numInput, required, typeRange } from "./util/elementwise.ts";

export interface ClipBounds {
  lo: number;
  hi: number;
}

/** The bounds of one Clip call, from attributes (opset < 11) or the optional scalar inputs. */
export function clipBounds(ctx: OpCtx, x: Tensor, inputs: readonly (Tensor | undefined)[]): ClipBounds {
  const [lo, hi] = typeRange(x.dtype);
  if (ctx.opset < 11) return { lo: attrFloat(ctx.node, "min", lo), hi: attrFloat(ctx.node, "max", hi) };
  const bound = (i: number, dflt: number): number => {
    const t = inputs[i];
    if (!t) return dflt;
    if (t.dtype !== x.dtype) throw new OpError(ctx.node, `bound input ${i} has type ${t.dtype}, expected ${x.dtype} like the input`);
    if (sizeOf(t.shape) !== 1) throw new OpError(ctx.node, `bound input ${i} must be a scalar, got shape [${t.shape.join(", ")}]`);
    return (t.data as NumericArray)[0];
  };
  return { lo: bound(1, lo), hi: bound(2, hi) };
}

/** Clip over a whole tensor; NaN stays NaN. */
function clipKernel(x: NumericArray, y: NumericArray, lo: number, hi: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const c = v < lo ? lo : v;
    y[i] = c > hi ? hi : c;
  }
}

export const Clip = foldable({
  name: "Clip",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    checkType(ctx.node, x.dtype, NUMERIC, "input 0");
    for (const i of [1, 2]) {
      const b = infos[i];
      if (b && b.dtype !== x.dtype) throw new OpError(ctx.node, `bound input ${i} has type ${b.dtype}, expected ${x.dtype} like the input`);
    }
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, NUMERIC);
    const { lo, hi } = clipBounds(ctx, x, inputs);
    const y = allocData(x.dtype, x.data.length) as NumericArray;
    clipKernel(x.data, y, lo, hi);
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape: [...x.shape], data: y }];
  },
});
