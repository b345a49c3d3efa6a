// Identity: the input, unchanged (shares its data; kernels never mutate inputs).
import type { Op } from "./op.ts";
import { need, view } from "./util/shaping.ts";

export const identity: Op = {
  name: "Identity",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "input");
    return [x.value ? { dtype: x.dtype, shape: x.shape, value: x.value } : { dtype: x.dtype, shape: x.shape }];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "input");
    return [view(x, [...x.shape])];
  },
};
