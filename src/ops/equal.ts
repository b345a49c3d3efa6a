// Equal: a == b -> bool, numpy broadcasting. Numbers, bools and (opset 19) strings.
import type { Node } from "../graph/graph.ts";
import { sizeOf, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import type { Op } from "./op.ts";
import { BOOL, NUMERIC, binaryOp, broadcastInfo, broadcastOrThrow, forEachRun, planRuns, required } from "./util/elementwise.ts";

/** a == b over one run, as 1/0. */
function eqRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = a[ao + i * as] === b[bo + i * bs] ? 1 : 0;
}

const numeric = binaryOp({ name: "Equal", types: [...NUMERIC, ...BOOL], bool: true, kernel: () => eqRun });

/** String equality, broadcast like the numeric case. */
function equalStrings(node: Node, a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== b.dtype) throw new OpError(node, `inputs have different types ${a.dtype} and ${b.dtype}`);
  const shape = broadcastOrThrow(node, a.shape, b.shape);
  const out = new Uint8Array(sizeOf(shape));
  const plan = planRuns(shape, [a.shape, b.shape]);
  const [as, bs] = plan.steps;
  const ad = a.data as string[];
  const bd = b.data as string[];
  forEachRun(plan, (offs, oo) => {
    for (let i = 0; i < plan.inner; i++) out[oo + i] = ad[offs[0] + i * as] === bd[offs[1] + i * bs] ? 1 : 0;
  });
  return { dtype: "bool", shape, data: out };
}

export const Equal: Op = {
  name: "Equal",
  shape(infos, ctx) {
    const a = required(ctx.node, infos, 0);
    const b = required(ctx.node, infos, 1);
    if (a.dtype !== "string" && b.dtype !== "string") return numeric.shape(infos, ctx);
    if (a.dtype !== b.dtype) throw new OpError(ctx.node, `inputs have different types ${a.dtype} and ${b.dtype}`);
    return [{ dtype: "bool", shape: broadcastInfo(ctx.node, a.shape, b.shape) }];
  },
  run(inputs, ctx) {
    const a = required(ctx.node, inputs, 0);
    const b = required(ctx.node, inputs, 1);
    if (a.dtype !== "string" && b.dtype !== "string") return numeric.run(inputs, ctx);
    return [equalStrings(ctx.node, a, b)];
  },
};
