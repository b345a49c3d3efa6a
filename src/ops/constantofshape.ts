// ConstantOfShape: a tensor of the given shape filled with one value (default float32 0).
import { OpError } from "../errors.ts";
import { allocData, sizeOf, type Tensor } from "../graph/tensor.ts";
import { attrTensor, type Op } from "./op.ts";
import { foldable, info, intsOf, need, type Cells } from "./util/shaping.ts";

export const constantOfShape: Op = foldable({
  name: "ConstantOfShape",
  shape(inputs, ctx) {
    const s = need(ctx.node, inputs, 0, "shape");
    const dtype = attrTensor(ctx.node, "value")?.dtype ?? "float32";
    if (s.value) return [info(dtype, intsOf(ctx.node, s.value, "shape"))];
    const n = s.shape?.[0];
    return [info(dtype, typeof n === "number" ? new Array(n).fill(null) : null)];
  },
  run(inputs, ctx) {
    const shape = intsOf(ctx.node, need(ctx.node, inputs, 0, "shape"), "shape");
    if (shape.some((d) => d < 0 || !Number.isInteger(d))) {
      throw new OpError(ctx.node, `shape [${shape.join(", ")}] has a negative or fractional dim`);
    }
    const v: Tensor | undefined = attrTensor(ctx.node, "value");
    if (v && sizeOf(v.shape) !== 1) throw new OpError(ctx.node, `'value' must hold one element, got [${v.shape.join(", ")}]`);
    const dtype = v?.dtype ?? "float32";
    const data = allocData(dtype, sizeOf(shape));
    if (v) {
      const fill = (v.data as Cells)[0];
      const d: Cells = data;
      if (typeof fill === "number" && !Array.isArray(data)) (data as Float32Array).fill(fill);
      else for (let i = 0; i < data.length; i++) d[i] = fill;
    }
    return [{ dtype, shape, data }];
  },
});
