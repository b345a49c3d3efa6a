// One-input ops that test each element and give a bool tensor of the same shape (IsNaN, IsInf).
import type { DType, NumericArray } from "../../graph/tensor.ts";
import type { Op, OpCtx } from "../op.ts";
import { checkType, foldable, numInput, required } from "./elementwise.ts";

/** What predicateOp needs to know about an op beyond its inner loop. */
export interface PredicateSpec<A> {
  name: string;
  types: readonly DType[];
  /** Read and check the op's attributes once per call. */
  attrs(ctx: OpCtx): A;
  /** y[i] = 1 when x[i] passes, else 0, for i < x.length. */
  kernel(x: NumericArray, y: Uint8Array, attrs: A): void;
}

/** Build a one-input Op with a bool output of the input's shape. */
export function predicateOp<A>(spec: PredicateSpec<A>): Op {
  return foldable({
    name: spec.name,
    shape(infos, ctx) {
      const x = required(ctx.node, infos, 0);
      checkType(ctx.node, x.dtype, spec.types, "input 0");
      spec.attrs(ctx);
      return [{ dtype: "bool", shape: x.shape }];
    },
    run(inputs, ctx) {
      const x = numInput(ctx.node, inputs, 0, spec.types);
      const y = new Uint8Array(x.data.length);
      spec.kernel(x.data, y, spec.attrs(ctx));
      return [{ dtype: "bool", shape: [...x.shape], data: y }];
    },
  });
}
