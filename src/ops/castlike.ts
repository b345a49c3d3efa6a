// CastLike (opset 15): Cast input 0 to the dtype of input 1 (whose values are ignored). Same rules as Cast.
// The `saturate` attribute (opset 19) only concerns float8 targets, which are not supported.
import { castTensor } from "./cast.ts";
import { foldable, required } from "./util/elementwise.ts";

export const CastLike = foldable({
  name: "CastLike",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    return [{ dtype: required(ctx.node, infos, 1).dtype, shape: x.shape }];
  },
  run(inputs, ctx) {
    return [castTensor(required(ctx.node, inputs, 0), required(ctx.node, inputs, 1).dtype)];
  },
});
