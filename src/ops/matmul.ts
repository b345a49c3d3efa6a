// MatMul: numpy matmul (1-D operands promoted, batch axes broadcast). Floats, and int32/int64/uint32/uint64.
import { allocData, type DType, type NumericArray, type NumTensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import type { Op } from "./op.ts";
import { checkType, finish, FLOATS } from "./util/elementwise.ts";
import { asFloat, MATMUL_INTS, matmulDims, matmulRun } from "./util/matmul.ts";
import { info, need } from "./util/shaping.ts";

const TYPES: readonly DType[] = [...FLOATS, ...MATMUL_INTS];

export const matmul: Op = {
  name: "MatMul",
  shape(inputs, ctx) {
    const a = need(ctx.node, inputs, 0, "A");
    const b = need(ctx.node, inputs, 1, "B");
    checkType(ctx.node, a.dtype, TYPES, "A");
    if (b.dtype !== a.dtype) throw new OpError(ctx.node, `B has type ${b.dtype} but A has type ${a.dtype}`);
    return [info(a.dtype, matmulDims(ctx.node, a.shape, b.shape))];
  },
  run(inputs, ctx) {
    const a = need(ctx.node, inputs, 0, "A") as NumTensor;
    const b = need(ctx.node, inputs, 1, "B") as NumTensor;
    checkType(ctx.node, a.dtype, TYPES, "A");
    if (b.dtype !== a.dtype) throw new OpError(ctx.node, `B has type ${b.dtype} but A has type ${a.dtype}`);
    const r = matmulRun(ctx.node, asFloat(a.data), a.shape, asFloat(b.data), b.shape);
    let data: NumericArray = r.data;
    if (a.dtype !== "float32" && a.dtype !== "float16" && a.dtype !== "float64") {
      // Integers were computed in Float64; store them in their own typed array (int32 wraps like C).
      data = allocData(a.dtype, r.data.length) as NumericArray;
      data.set(r.data);
    }
    finish(a.dtype, data);
    return [{ dtype: a.dtype, shape: r.shape, data }];
  },
};
