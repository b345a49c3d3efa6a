// Slice: take [start, end) with a step along chosen axes; bounds are clamped as numpy does.
import type { Dim } from "../graph/graph.ts";
import { OpError } from "../errors.ts";
import { stridesOf, type Tensor } from "../graph/tensor.ts";
import { attrInts, type Op, type OpCtx, type ShapeInfo } from "./op.ts";
import { clamp, foldable, gatherStrided, info, intsOf, need, normAxes } from "./util/shaping.ts";

interface SliceSpec {
  starts: number[];
  ends: number[];
  axes: number[];
  steps: number[];
}

/** One axis, resolved: first index, step and output length. */
interface AxisRange {
  start: number;
  step: number;
  len: number;
}

/** Clamp start/end to the axis as the ONNX spec says, and count the elements taken. */
export function sliceRange(dim: number, start: number, end: number, step: number): AxisRange {
  if (dim === 0) return { start: 0, step, len: 0 };
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = clamp(start, 0, dim);
    end = clamp(end, 0, dim);
  } else {
    start = clamp(start, 0, dim - 1);
    end = clamp(end, -1, dim - 1);
  }
  return { start, step, len: Math.max(0, Math.ceil((end - start) / step)) };
}

/** Starts/ends/axes/steps from attributes (opset < 10) or inputs; undefined where an input's value is unknown. */
function specOf(ctx: OpCtx, vals: (Tensor | undefined)[], present: boolean[], rank: number): SliceSpec | undefined {
  const node = ctx.node;
  let starts: number[] | undefined, ends: number[] | undefined, axes: number[] | undefined, steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = attrInts(node, "starts");
    ends = attrInts(node, "ends");
    axes = attrInts(node, "axes");
    if (!starts || !ends) throw new OpError(node, "the 'starts' and 'ends' attributes are required before opset 10");
  } else {
    for (let i = 1; i < 5; i++) if (present[i] && !vals[i]) return undefined;
    if (!present[1] || !present[2]) throw new OpError(node, "inputs 'starts' and 'ends' are required");
    starts = intsOf(node, vals[1]!, "starts");
    ends = intsOf(node, vals[2]!, "ends");
    axes = vals[3] ? intsOf(node, vals[3], "axes") : undefined;
    steps = vals[4] ? intsOf(node, vals[4], "steps") : undefined;
  }
  axes = normAxes(node, axes ?? starts.map((_, i) => i), rank);
  steps = steps ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new OpError(node, `starts, ends, axes and steps must have the same length (${starts.length}, ${ends.length}, ${axes.length}, ${steps.length})`);
  }
  if (steps.some((s) => s === 0)) throw new OpError(node, "steps must not be 0");
  return { starts, ends, axes, steps };
}

export const slice: Op = foldable({
  name: "Slice",
  shape(inputs: (ShapeInfo | undefined)[], ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    if (!x.shape) return [info(x.dtype, null)];
    const shape = x.shape;
    const spec = specOf(ctx, inputs.map((i) => i?.value), inputs.map((i) => i !== undefined), shape.length);
    if (!spec) {
      // Only the sliced axes change; unknown which ones unless axes is known.
      const axesV = inputs[3]?.value;
      if (!axesV) return [info(x.dtype, shape.map(() => null))];
      const axes = normAxes(ctx.node, intsOf(ctx.node, axesV, "axes"), shape.length);
      return [info(x.dtype, shape.map((d, i) => (axes.includes(i) ? null : d)))];
    }
    const out: Dim[] = [...shape];
    spec.axes.forEach((a, k) => {
      const d = shape[a];
      const whole = spec.starts[k] === 0 && spec.steps[k] === 1 && spec.ends[k] >= 2 ** 31 - 1;
      if (typeof d === "number") out[a] = sliceRange(d, spec.starts[k], spec.ends[k], spec.steps[k]).len;
      else if (!whole) out[a] = null;
    });
    return [info(x.dtype, out)];
  },
  run(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    const spec = specOf(ctx, inputs, inputs.map((i) => i !== undefined), x.shape.length)!;
    const st = stridesOf(x.shape);
    const outShape = [...x.shape];
    const srcStrides = [...st];
    let base = 0;
    spec.axes.forEach((a, k) => {
      const r = sliceRange(x.shape[a], spec.starts[k], spec.ends[k], spec.steps[k]);
      outShape[a] = r.len;
      srcStrides[a] = st[a] * r.step;
      if (r.len > 0) base += r.start * st[a];
    });
    return [gatherStrided(x, base, srcStrides, outShape)];
  },
});
