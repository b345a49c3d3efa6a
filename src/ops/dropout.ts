// Dropout at inference: the output is the input and the mask keeps everything.
import { OpError } from "../errors.ts";
import { allocData, sizeOf, type DType, type Tensor } from "../graph/tensor.ts";
import type { Op, OpCtx } from "./op.ts";
import { foldable, info, need, scalarOf, view } from "./util/shaping.ts";

/**
 * The mask dtype: the data's type before opset 10 (Dropout-7), bool after. The mask is all true (every unit kept),
 * as the spec says; onnxruntime returns all false for opsets 7-11, a quirk we do not copy.
 */
function maskType(ctx: OpCtx, dtype: DType): DType {
  return ctx.opset < 10 ? dtype : "bool";
}

/** True when the node asks for the mask output. */
function wantsMask(ctx: OpCtx): boolean {
  return ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== "";
}

export const dropout: Op = foldable({
  name: "Dropout",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    const out = [info(x.dtype, x.shape)];
    if (wantsMask(ctx)) out.push(info(maskType(ctx, x.dtype), x.shape));
    return out;
  },
  run(inputs: (Tensor | undefined)[], ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    // Opset 12 moved training to an input; a random mask has no reproducible meaning here.
    const training = ctx.opset >= 12 && inputs[2] ? scalarOf(ctx.node, inputs[2], "training_mode") !== 0 : false;
    const ratio = ctx.opset >= 12 && inputs[1] ? scalarOf(ctx.node, inputs[1], "ratio") : 0.5;
    if (training && ratio !== 0) {
      throw new OpError(ctx.node, "training_mode = true with a non-zero ratio drops random units; pseudonet runs inference only");
    }
    const out: Tensor[] = [view(x, [...x.shape])];
    if (wantsMask(ctx)) {
      const dtype = maskType(ctx, x.dtype);
      const data = allocData(dtype, sizeOf(x.shape));
      (data as Uint8Array).fill(1);
      out.push({ dtype, shape: [...x.shape], data });
    }
    return out;
  },
});
