// Range: start, start + delta, ... up to (not including) limit.
import { OpError } from "../errors.ts";
import { allocData, type DType } from "../graph/tensor.ts";
import type { Op } from "./op.ts";
import { foldable, info, need, scalarOf } from "./util/shaping.ts";

/** Element count: max(ceil((limit - start) / delta), 0), the difference taken in the dtype as onnxruntime does. */
function count(start: number, limit: number, delta: number, round: (v: number) => number): number {
  return Math.max(0, Math.ceil(round(limit - start) / delta));
}

/** Round a running value to what the dtype holds, so accumulation matches a typed implementation. */
function roundFor(dtype: DType): (v: number) => number {
  return dtype === "float32" ? Math.fround : (v) => v;
}

export const range: Op = foldable({
  name: "Range",
  shape(inputs, ctx) {
    const s = need(ctx.node, inputs, 0, "start");
    const l = need(ctx.node, inputs, 1, "limit");
    const d = need(ctx.node, inputs, 2, "delta");
    if (s.value && l.value && d.value) {
      const [a, b, c] = [s.value, l.value, d.value].map((v, i) => scalarOf(ctx.node, v, ["start", "limit", "delta"][i]));
      return [info(s.dtype, [count(a, b, c, roundFor(s.dtype))])];
    }
    return [info(s.dtype, [null])];
  },
  run(inputs, ctx) {
    const node = ctx.node;
    const sT = need(node, inputs, 0, "start");
    const start = scalarOf(node, sT, "start");
    const limit = scalarOf(node, need(node, inputs, 1, "limit"), "limit");
    const delta = scalarOf(node, need(node, inputs, 2, "delta"), "delta");
    if (delta === 0) throw new OpError(node, "delta must not be 0");
    const round = roundFor(sT.dtype);
    const n = count(start, limit, delta, round);
    const data = allocData(sT.dtype, n) as Float64Array;
    // Accumulate like onnxruntime and the ONNX function body do (value += delta), not start + i*delta.
    let v = start;
    for (let i = 0; i < n; i++) {
      data[i] = v;
      v = round(v + delta);
    }
    return [{ dtype: sT.dtype, shape: [n], data }];
  },
});
