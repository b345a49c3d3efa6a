// linear(x) = x @ W + b over the last axis of a sequence value (W is [in, out], as exporters store it).
import type { SeqDef } from "../defs.ts";

export const linearDef: SeqDef = {
  kind: "linear",
  op: "Linear",
  doc: "x @ W + b over the last axis (W [in, out]); no bias when b is absent",
  data: 1,
  weights: ["W", "b"],
  expand(e, [x, W, b]) {
    const y = e.one("MatMul", [x, W]);
    return [b ? e.one("Add", [y, b]) : y];
  },
  print: ([x], _a, w) => `${x} @ ${w.W}${w.b ? ` + ${w.b}` : ""}`,
};
