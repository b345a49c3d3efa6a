// max of 4 as a tree: max(max(x0, x1), max(x2, x3)); each max2 is its own module.
import type { CaseDef } from "../case.ts";
import { box } from "../case.ts";
import { compileNet, max2 } from "../compile.ts";
import { pick, prim, single } from "../refprog.ts";

export const max4Case: CaseDef = {
  name: "max4",
  title: "y = max(x0..x3) as a tree of max2 on [-1, 1]^4",
  inputShape: [4],
  outputSize: 1,
  domain: box(4, -1, 1),
  output: "real",
  build: () =>
    compileNet([-1, -1, -1, -1], [1, 1, 1, 1], (C, [a, b, c, d]) => {
      C.module = "max01";
      const m1 = max2(C, a, b);
      C.module = "max23";
      const m2 = max2(C, c, d);
      C.module = "max";
      return [max2(C, m1, m2)];
    }),
  reference: (x) => [Math.max(...x)],
  program: () =>
    single(
      "max4",
      [{ name: "x", n: 4 }],
      [pick("a", "x", 0), pick("b", "x", 1), pick("c", "x", 2), pick("d", "x", 3), prim("m1", "max", "a", "b"), prim("m2", "max", "c", "d"), prim("y", "max", "m1", "m2")],
      ["y"],
    ),
  primitives: ["max"],
};
