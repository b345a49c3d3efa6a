// Variadic elementwise ops (Max, Min, Sum, Mean): fold the inputs pairwise into one broadcast output.
import { allocData, type DType, type NumericArray, type NumTensor } from "../../graph/tensor.ts";
import { OpError } from "../../errors.ts";
import type { Op } from "../op.ts";
import {
  applyBinary, broadcastInfo, broadcastOrThrow, checkType, finish, foldable, forEachRun, planRuns, type BinaryRun,
} from "./elementwise.ts";

/** What variadicOp needs to know about an op beyond its pairwise inner loop. */
export interface VariadicSpec {
  name: string;
  types: readonly DType[];
  /** acc = f(acc, x) over one run (acc is both input a and out). */
  kernel(dtype: DType): BinaryRun;
  /** Turn the folded result into the op's output (Mean divides by the input count). */
  after?(out: NumericArray, count: number): void;
}

/** Build a variadic broadcasting Op (one or more inputs of one dtype). */
export function variadicOp(spec: VariadicSpec): Op {
  return foldable({
    name: spec.name,
    shape(infos, ctx) {
      if (infos.length === 0 || infos.some((i) => i === undefined)) throw new OpError(ctx.node, "needs one or more inputs, none omitted");
      const all = infos as NonNullable<(typeof infos)[number]>[];
      for (const [k, i] of all.entries()) {
        checkType(ctx.node, i.dtype, spec.types, `input ${k}`);
        if (i.dtype !== all[0].dtype) throw new OpError(ctx.node, `inputs have different types ${all[0].dtype} and ${i.dtype}`);
      }
      return [{ dtype: all[0].dtype, shape: broadcastInfo(ctx.node, ...all.map((i) => i.shape)) }];
    },
    run(inputs, ctx) {
      if (inputs.length === 0 || inputs.some((t) => t === undefined)) throw new OpError(ctx.node, "needs one or more inputs, none omitted");
      const xs = inputs as NumTensor[];
      const dtype = xs[0].dtype;
      for (const [k, t] of xs.entries()) {
        checkType(ctx.node, t.dtype, spec.types, `input ${k}`);
        if (t.dtype !== dtype) throw new OpError(ctx.node, `inputs have different types ${dtype} and ${t.dtype}`);
      }
      const shape = broadcastOrThrow(ctx.node, ...xs.map((t) => t.shape));
      const out = allocData(dtype, shape.reduce((a, b) => a * b, 1)) as NumericArray;
      copyBroadcast(shape, xs[0], out);
      const run = spec.kernel(dtype);
      for (let k = 1; k < xs.length; k++) {
        applyBinary(shape, out, shape, xs[k].data, xs[k].shape, out, run);
        // Round float16 after every step, as a float16 numpy accumulation would.
        finish(dtype, out);
      }
      spec.after?.(out, xs.length);
      finish(dtype, out);
      return [{ dtype, shape, data: out }];
    },
  });
}

/** Copy x broadcast to shape into out. */
function copyBroadcast(shape: readonly number[], x: NumTensor, out: NumericArray): void {
  const plan = planRuns(shape, [x.shape]);
  const step = plan.steps[0];
  const d = x.data;
  forEachRun(plan, (offs, oo) => {
    const o = offs[0];
    for (let i = 0; i < plan.inner; i++) out[oo + i] = d[o + i * step];
  });
}
