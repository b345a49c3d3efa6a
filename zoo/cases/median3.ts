// median of 3: max(min(a, b), min(max(a, b), c)).
import type { CaseDef } from "../case.ts";
import { box } from "../case.ts";
import { compareExchange, compileNet, max2, min2 } from "../compile.ts";
import { pick, prim, single } from "../refprog.ts";

export const median3Case: CaseDef = {
  name: "median3",
  title: "y = median(x0, x1, x2) = max(min(x0, x1), min(max(x0, x1), x2)) on [-1, 1]^3",
  inputShape: [3],
  outputSize: 1,
  domain: box(3, -1, 1),
  output: "real",
  build: () =>
    compileNet([-1, -1, -1], [1, 1, 1], (C, [a, b, c]) => {
      const [lo, hi] = compareExchange(C, a, b);
      return [max2(C, lo, min2(C, hi, c))];
    }),
  reference: (x) => [[...x].sort((p, q) => p - q)[1]],
  program: () =>
    single(
      "median3",
      [{ name: "x", n: 3 }],
      [pick("a", "x", 0), pick("b", "x", 1), pick("c", "x", 2), prim("lo", "min", "a", "b"), prim("hi", "max", "a", "b"), prim("m", "min", "hi", "c"), prim("y", "max", "lo", "m")],
      ["y"],
    ),
  primitives: ["max", "min"],
};
