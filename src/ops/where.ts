// Where: cond ? x : y elementwise, numpy broadcasting over all three. x and y may be of any one dtype
// (strings included); the output has their dtype.
import { allocData, sizeOf, type TensorData } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { broadcastInfo, broadcastOrThrow, checkType, foldable, forEachRun, planRuns, required } from "./util/elementwise.ts";

/** Indexable storage of any dtype: typed arrays and string[] alike. */
type Slots<T> = { [i: number]: T };

/** out[oo+i] = c ? x : y over one run. */
function whereRun<T>(
  c: Slots<number>, co: number, cs: number, x: Slots<T>, xo: number, xs: number,
  y: Slots<T>, yo: number, ys: number, out: Slots<T>, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = c[co + i * cs] ? x[xo + i * xs] : y[yo + i * ys];
}

export const Where = foldable({
  name: "Where",
  shape(infos, ctx) {
    const [c, x, y] = [0, 1, 2].map((i) => required(ctx.node, infos, i));
    checkType(ctx.node, c.dtype, ["bool"], "condition");
    if (x.dtype !== y.dtype) throw new OpError(ctx.node, `x and y have different types ${x.dtype} and ${y.dtype}`);
    return [{ dtype: x.dtype, shape: broadcastInfo(ctx.node, c.shape, x.shape, y.shape) }];
  },
  run(inputs, ctx) {
    const [c, x, y] = [0, 1, 2].map((i) => required(ctx.node, inputs, i));
    checkType(ctx.node, c.dtype, ["bool"], "condition");
    if (x.dtype !== y.dtype) throw new OpError(ctx.node, `x and y have different types ${x.dtype} and ${y.dtype}`);
    const shape = broadcastOrThrow(ctx.node, c.shape, x.shape, y.shape);
    const out: TensorData = allocData(x.dtype, sizeOf(shape));
    const plan = planRuns(shape, [c.shape, x.shape, y.shape]);
    const [cs, xs, ys] = plan.steps;
    const cd = c.data as Slots<number>;
    forEachRun(plan, (o, oo) => whereRun<number | string>(cd, o[0], cs, x.data, o[1], xs, y.data, o[2], ys, out, oo, plan.inner));
    return [{ dtype: x.dtype, shape, data: out }];
  },
});
