// Size: the input's element count as an int64 scalar.
import { sizeOf, tensor } from "../graph/tensor.ts";
import type { Op } from "./op.ts";
import { concrete, info, need } from "./util/shaping.ts";

export const size: Op = {
  name: "Size",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    const known = concrete(x.shape);
    return [known ? { dtype: "int64", shape: [], value: tensor("int64", [], [sizeOf(known)]) } : info("int64", [])];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    return [tensor("int64", [], [sizeOf(x.shape)])];
  },
};
