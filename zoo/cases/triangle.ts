// A triangle wave on [0, 4] (period 2, peaks 1 at x = 1 and 3):
// x - 2 relu(x - 1) + 2 relu(x - 2) - 2 relu(x - 3).
import type { CaseDef } from "../case.ts";
import { box } from "../case.ts";
import { compileNet } from "../compile.ts";
import { piecewiseRef, single, st } from "../refprog.ts";

const WAVE = { breakpoints: [1, 2, 3], slopes: [1, -1, 1, -1], value0: 1 };

export const triangleCase: CaseDef = {
  name: "triangle",
  title: "y = triangle wave on [0, 4]: up 0->1 on [0,1], down on [1,2], up on [2,3], down on [3,4]",
  inputShape: [1],
  outputSize: 1,
  domain: box(1, 0, 4),
  output: "real",
  build: () =>
    compileNet([0], [4], (C, [x]) => {
      const r = (k: number) => C.relu(C.combo([[1, x]], -k));
      return [C.combo([[1, x], [-2, r(1)], [2, r(2)], [-2, r(3)]])];
    }),
  reference: ([x]) => [piecewiseRef(WAVE, x)],
  program: () => single("triangle", [{ name: "x", n: 1 }], [st("y", { kind: "piecewise", ...WAVE }, "x")], ["y"]),
  primitives: ["piecewise"],
};
