// |x| on [-1, 1]: relu(x) + relu(-x).
import type { CaseDef } from "../case.ts";
import { box } from "../case.ts";
import { abs, compileNet } from "../compile.ts";
import { single, st } from "../refprog.ts";

export const absCase: CaseDef = {
  name: "abs",
  title: "y = |x| on [-1, 1]",
  inputShape: [1],
  outputSize: 1,
  domain: box(1, -1, 1),
  output: "real",
  build: () => compileNet([-1], [1], (C, [x]) => [abs(C, x)]),
  reference: ([x]) => [Math.abs(x)],
  program: () => single("abs", [{ name: "x", n: 1 }], [st("y", { kind: "act", fn: "abs" }, "x")], ["y"]),
  primitives: ["act:abs"],
};
