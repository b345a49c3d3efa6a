// max(a, b) on [-1, 1]^2: a + relu(b - a).
import type { CaseDef } from "../case.ts";
import { box } from "../case.ts";
import { compileNet, max2 } from "../compile.ts";
import { pick, prim, single } from "../refprog.ts";

export const max2Case: CaseDef = {
  name: "max2",
  title: "y = max(x0, x1) on [-1, 1]^2",
  inputShape: [2],
  outputSize: 1,
  domain: box(2, -1, 1),
  output: "real",
  build: () => compileNet([-1, -1], [1, 1], (C, [a, b]) => [max2(C, a, b)]),
  reference: ([a, b]) => [Math.max(a, b)],
  program: () => single("max2", [{ name: "x", n: 2 }], [pick("a", "x", 0), pick("b", "x", 1), prim("y", "max", "a", "b")], ["y"]),
  primitives: ["max"],
};
