// InstanceNormalization: for each sample and channel of X (N x C x D1 x ...), normalise over the spatial
// dims, then y = scale[c] * (x - mean) / sqrt(var + epsilon) + B[c] (epsilon default 1e-5).
import { allocData, sizeOf, type NumericArray } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrFloat } from "./op.ts";
import { groupNorm } from "./groupnormalization.ts";
import { FLOATS, checkType, finish, foldable, numInput, required } from "./util/elementwise.ts";

export const InstanceNormalization = foldable({
  name: "InstanceNormalization",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    checkType(ctx.node, x.dtype, FLOATS, "input 0");
    for (const i of [1, 2]) {
      const p = required(ctx.node, infos, i);
      const c = x.shape?.[1];
      if (p.shape && typeof c === "number" && p.shape.length === 1 && typeof p.shape[0] === "number" && p.shape[0] !== c) {
        throw new OpError(ctx.node, `input ${i} has ${p.shape[0]} values, expected ${c} (one per channel)`);
      }
    }
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  run(inputs, ctx) {
    const x = numInput(ctx.node, inputs, 0, FLOATS);
    const [scale, bias] = [1, 2].map((i) => numInput(ctx.node, inputs, i, [x.dtype]));
    if (x.shape.length < 3) throw new OpError(ctx.node, `input has rank ${x.shape.length}; expected N x C x D1 x ... (rank >= 3)`);
    const c = x.shape[1];
    for (const [i, p] of [scale, bias].entries()) {
      if (p.data.length !== c) throw new OpError(ctx.node, `input ${i + 1} has ${p.data.length} values, expected ${c} (one per channel)`);
    }
    const y = allocData(x.dtype, x.data.length) as NumericArray;
    // One group per channel.
    groupNorm(x.data, y, scale.data, bias.data, x.shape[0], c, c, sizeOf(x.shape.slice(2)), attrFloat(ctx.node, "epsilon", 1e-5));
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape: [...x.shape], data: y }];
  },
});
