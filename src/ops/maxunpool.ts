// MaxUnpool: scatter pooled values back to the positions MaxPool's Indices recorded; zeros elsewhere.
// Indices address the unpooled tensor of the inferred shape ((in-1)*stride + kernel - pads per axis); with
// a larger output_shape each value keeps its coordinates and the extra rows/columns stay zero, as the ONNX
// conformance vectors expect (onnxruntime instead reuses the flat index in the larger shape).
import type { Dim, Node } from "../graph/graph.ts";
import { allocData, sizeOf, stridesOf, type NumericArray, type NumTensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import type { Op } from "./op.ts";
import { checkType, FLOATS } from "./util/elementwise.ts";
import { checkPoolRank } from "./util/pool.ts";
import { info, intsOf, need } from "./util/shaping.ts";
import { fmtShape, readWindow } from "./util/spatial.ts";

/** The unpooled shape implied by the attributes: [N, C, (in-1)*stride + kernel - padBegin - padEnd...]. */
function inferredDims(node: Node, x: readonly Dim[]): Dim[] {
  checkPoolRank(node, x);
  const n = x.length - 2;
  const w = readWindow(node, n);
  return x.map((d, i) => {
    if (i < 2 || typeof d !== "number") return i < 2 ? d : null;
    const a = i - 2;
    return (d - 1) * w.strides[a] + w.kernel[a] - w.pads[a] - w.pads[a + n];
  });
}

export const maxUnpool: Op = {
  name: "MaxUnpool",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "X");
    checkType(ctx.node, x.dtype, FLOATS, "X");
    const i = need(ctx.node, inputs, 1, "I");
    if (i.dtype !== "int64") throw new OpError(ctx.node, `indices I must be int64, got ${i.dtype}`);
    const os = inputs[2];
    if (os) {
      if (os.value) return [info(x.dtype, intsOf(ctx.node, os.value, "output_shape"))];
      return [info(x.dtype, os.shape && typeof os.shape[0] === "number" ? new Array<Dim>(os.shape[0]).fill(null) : null)];
    }
    return [info(x.dtype, x.shape ? inferredDims(ctx.node, x.shape) : null)];
  },
  run(inputs, ctx) {
    const node = ctx.node;
    const x = need(node, inputs, 0, "X") as NumTensor;
    const ind = need(node, inputs, 1, "I") as NumTensor;
    checkType(node, x.dtype, FLOATS, "X");
    if (ind.dtype !== "int64") throw new OpError(node, `indices I must be int64, got ${ind.dtype}`);
    if (ind.shape.length !== x.shape.length || ind.shape.some((d, k) => d !== x.shape[k])) {
      throw new OpError(node, `indices I ${fmtShape(ind.shape)} must have the shape of X ${fmtShape(x.shape)}`);
    }
    const inferred = inferredDims(node, x.shape) as number[];
    const shape = inputs[2] ? intsOf(node, inputs[2], "output_shape") : inferred;
    if (shape.length !== x.shape.length) throw new OpError(node, `output_shape ${fmtShape(shape)} must have rank ${x.shape.length}`);
    if (shape.some((d, k) => d < inferred[k])) {
      throw new OpError(node, `output_shape ${fmtShape(shape)} is smaller than the unpooled shape ${fmtShape(inferred)}`);
    }
    const y = allocData(x.dtype, sizeOf(shape)) as NumericArray;
    const total = sizeOf(inferred);
    const inSt = stridesOf(inferred), outSt = stridesOf(shape);
    const same = shape.every((d, k) => d === inferred[k]);
    for (let e = 0; e < x.data.length; e++) {
      let idx = ind.data[e];
      if (!Number.isInteger(idx) || idx < 0 || idx >= total) {
        throw new OpError(node, `index ${idx} at position ${e} is outside the unpooled tensor ${fmtShape(inferred)}`);
      }
      if (!same) {
        // Same coordinates, re-expressed in the larger output shape.
        let r = idx;
        idx = 0;
        for (let k = 0; k < inSt.length; k++) {
          const q = Math.floor(r / inSt[k]);
          r -= q * inSt[k];
          idx += q * outSt[k];
        }
      }
      y[idx] = x.data[e];
    }
    return [{ dtype: x.dtype, shape, data: y }];
  },
};
