// min of 4 as a tree: min(min(x0, x1), min(x2, x3)), each min2 = a - relu(a - b) its own module.
import type { CaseDef } from "../case.ts";
import { box } from "../case.ts";
import { compileNet, min2 } from "../compile.ts";
import { pick, prim, single } from "../refprog.ts";

export const min4Case: CaseDef = {
  name: "min4",
  title: "y = min(x0..x3) as a tree of min2 on [-1, 1]^4",
  inputShape: [4],
  outputSize: 1,
  domain: box(4, -1, 1),
  output: "real",
  build: () =>
    compileNet([-1, -1, -1, -1], [1, 1, 1, 1], (C, [a, b, c, d]) => {
      C.module = "min01";
      const m1 = min2(C, a, b);
      C.module = "min23";
      const m2 = min2(C, c, d);
      C.module = "min";
      return [min2(C, m1, m2)];
    }),
  reference: (x) => [Math.min(...x)],
  program: () =>
    single(
      "min4",
      [{ name: "x", n: 4 }],
      [pick("a", "x", 0), pick("b", "x", 1), pick("c", "x", 2), pick("d", "x", 3), prim("m1", "min", "a", "b"), prim("m2", "min", "c", "d"), prim("y", "min", "m1", "m2")],
      ["y"],
    ),
  primitives: ["min"],
};
