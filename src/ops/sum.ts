// Sum: elementwise sum of one or more inputs, numpy broadcasting.
import { addRun } from "./add.ts";
import { NUMERIC } from "./util/elementwise.ts";
import { variadicOp } from "./util/variadic.ts";

export const Sum = variadicOp({ name: "Sum", types: NUMERIC, kernel: () => addRun });
