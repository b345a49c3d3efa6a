// Mean: elementwise mean of one or more inputs, numpy broadcasting (float types only, per the spec).
import type { NumericArray } from "../graph/tensor.ts";
import { addRun } from "./add.ts";
import { FLOATS } from "./util/elementwise.ts";
import { variadicOp } from "./util/variadic.ts";

/** Divide the folded sum by the number of inputs. */
function divideByCount(out: NumericArray, count: number): void {
  for (let i = 0; i < out.length; i++) out[i] /= count;
}

export const Mean = variadicOp({ name: "Mean", types: FLOATS, kernel: () => addRun, after: divideByCount });
