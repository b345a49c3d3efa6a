// ConvTranspose: the gradient of Conv as a layer (1-D to 3-D): groups, strides, dilations, pads,
// output_padding, output_shape and auto_pad, sized the way onnxruntime sizes them.
import type { Dim, Node } from "../graph/graph.ts";
import { allocData, sizeOf, type NumTensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrInt, attrInts, type Op, type OpCtx } from "./op.ts";
import { knownKernel } from "./conv.ts";
import { convTransposeForward } from "./util/conv.ts";
import { checkType, finish, FLOATS } from "./util/elementwise.ts";
import type { FloatArray } from "./util/gemm.ts";
import { info, need } from "./util/shaping.ts";
import { dimsAgree, fmtShape, geom3, readWindow, type AxisPlan, type WindowAttrs } from "./util/spatial.ts";

interface TransposeAttrs {
  win: WindowAttrs;
  outputPadding: number[];
  /** Requested spatial output sizes (output_shape, N and C dropped when given), or undefined. */
  outputShape?: number[];
}

function readAttrs(node: Node, nSpatial: number, kernel?: readonly number[]): TransposeAttrs {
  const win = readWindow(node, nSpatial, kernel);
  const outputPadding = attrInts(node, "output_padding") ?? new Array<number>(nSpatial).fill(0);
  if (outputPadding.length !== nSpatial) throw new OpError(node, `output_padding has ${outputPadding.length} values, expected ${nSpatial}`);
  let outputShape = attrInts(node, "output_shape");
  if (outputShape && outputShape.length === nSpatial + 2) outputShape = outputShape.slice(2);
  if (outputShape && outputShape.length !== nSpatial) throw new OpError(node, `output_shape has ${outputShape.length} values, expected ${nSpatial}`);
  return { win, outputPadding, outputShape };
}

/** One axis: padding and output size. Explicit output_shape wins; SAME pads to in*stride; an odd total puts
 *  the extra pad at the end for SAME_UPPER and at the start otherwise (the ONNX formula; onnxruntime agrees). */
function planAxis(t: TransposeAttrs, i: number, inSize: number): AxisPlan {
  const w = t.win;
  const n = w.kernel.length;
  const full = (inSize - 1) * w.strides[i] + t.outputPadding[i] + (w.kernel[i] - 1) * w.dilations[i] + 1;
  const split = (total: number): [number, number] => {
    const half = Math.floor(total / 2);
    return w.autoPad === "SAME_UPPER" ? [half, total - half] : [total - half, half];
  };
  if (t.outputShape) {
    const out = t.outputShape[i];
    const [padBegin, padEnd] = split(Math.max(0, full - out));
    return { padBegin, padEnd, out };
  }
  let padBegin = w.pads[i], padEnd = w.pads[i + n];
  if (w.autoPad === "SAME_UPPER" || w.autoPad === "SAME_LOWER") [padBegin, padEnd] = split(Math.max(0, full - inSize * w.strides[i]));
  else if (w.autoPad === "VALID") padBegin = padEnd = 0;
  return { padBegin, padEnd, out: full - padBegin - padEnd };
}

/** Check X [N, C, ...] and W [C, M/group, ...], B [M]; returns the group count. */
function checkShapes(node: Node, x: readonly Dim[], w: readonly Dim[], b: readonly Dim[] | null): number {
  const group = attrInt(node, "group", 1);
  if (!Number.isInteger(group) || group < 1) throw new OpError(node, `group must be a positive integer, got ${group}`);
  if (x.length < 3) throw new OpError(node, `X must be [N, C, spatial...] (rank 3 or more), got shape ${fmtShape(x)}`);
  if (w.length !== x.length) throw new OpError(node, `W has rank ${w.length} (shape ${fmtShape(w)}) but X has rank ${x.length} (shape ${fmtShape(x)})`);
  if (!dimsAgree(x[1], w[0])) throw new OpError(node, `X has ${x[1]} channels but W ${fmtShape(w)} expects ${w[0]} (W is [C, M/group, kernel...])`);
  if (typeof x[1] === "number" && x[1] % group !== 0) throw new OpError(node, `X has ${x[1]} channels, not divisible by group ${group}`);
  const m = typeof w[1] === "number" ? w[1] * group : null;
  if (b && (b.length !== 1 || !dimsAgree(b[0], m))) throw new OpError(node, `bias B must have shape [${m ?? "?"}], got ${fmtShape(b)}`);
  return group;
}

function checkTypes(ctx: OpCtx, dtypes: (string | undefined)[]): void {
  checkType(ctx.node, dtypes[0] as NumTensor["dtype"], FLOATS, "X");
  if (dtypes.some((d) => d !== undefined && d !== dtypes[0])) {
    throw new OpError(ctx.node, `inputs must share one type, got ${dtypes.filter(Boolean).join(", ")}`);
  }
}

export const convTranspose: Op = {
  name: "ConvTranspose",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "X");
    const w = need(ctx.node, inputs, 1, "W");
    checkTypes(ctx, [x.dtype, w.dtype, inputs[2]?.dtype]);
    if (!x.shape || !w.shape) return [info(x.dtype, x.shape ? x.shape.map(() => null) : null)];
    const group = checkShapes(ctx.node, x.shape, w.shape, inputs[2]?.shape ?? null);
    const m = typeof w.shape[1] === "number" ? w.shape[1] * group : null;
    const nSpatial = x.shape.length - 2;
    const kernel = knownKernel(w.shape);
    if (!kernel && !ctx.node.attrs.kernel_shape) return [info(x.dtype, [x.shape[0], m, ...new Array<Dim>(nSpatial).fill(null)])];
    const t = readAttrs(ctx.node, nSpatial, kernel);
    const spatial = x.shape.slice(2).map((d, i) => (typeof d === "number" ? planAxis(t, i, d).out : t.outputShape ? t.outputShape[i] : null));
    return [info(x.dtype, [x.shape[0], m, ...spatial])];
  },
  run(inputs, ctx) {
    const node = ctx.node;
    const x = need(node, inputs, 0, "X") as NumTensor;
    const w = need(node, inputs, 1, "W") as NumTensor;
    const b = inputs[2] as NumTensor | undefined;
    checkTypes(ctx, [x.dtype, w.dtype, b?.dtype]);
    const group = checkShapes(node, x.shape, w.shape, b?.shape ?? null);
    const spatial = x.shape.slice(2);
    const t = readAttrs(node, spatial.length, w.shape.slice(2));
    const plans = spatial.map((d, i) => planAxis(t, i, d));
    plans.forEach((p, i) => {
      if (p.out < 1) throw new OpError(node, `spatial axis ${i} would have output size ${p.out} (pads ${p.padBegin}+${p.padEnd} too large)`);
    });
    const [n, c] = x.shape, m = w.shape[1] * group;
    const shape = [n, m, ...plans.map((p) => p.out)];
    const y = allocData(x.dtype, sizeOf(shape)) as FloatArray;
    if (sizeOf(shape) > 0) {
      // The 3-D geometry reads "in" as X's spatial sizes and "out" as Y's.
      const g = geom3(node, spatial, plans, t.win);
      convTransposeForward(x.data as FloatArray, w.data as FloatArray, b?.data as FloatArray | undefined, { n, c, m, group, g }, y);
    }
    finish(x.dtype, y);
    return [{ dtype: x.dtype, shape, data: y }];
  },
};
