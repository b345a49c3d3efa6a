// One-hot of the argmax of 4 inputs in [0, 1] whose largest entry leads the others by at least GAP:
// M = max tree, y_i = relu((x_i - M) / GAP + 1), which is 1 at the max and 0 wherever x_i <= M - GAP.
import type { CaseDef } from "../case.ts";
import { compileNet, max2 } from "../compile.ts";
import { prim, single } from "../refprog.ts";

const GAP = 0.1;

/** Largest minus second largest entry. */
function gap(x: readonly number[]): number {
  const s = [...x].sort((p, q) => q - p);
  return s[0] - s[1];
}

export const argmax4Case: CaseDef = {
  name: "argmax4",
  title: `y = onehot(argmax(x0..x3)) on [0, 1]^4 where the largest entry leads by >= ${GAP}`,
  inputShape: [4],
  outputSize: 4,
  domain: { kind: "box", lo: [0, 0, 0, 0], hi: [1, 1, 1, 1], promise: `the largest entry exceeds the second largest by at least ${GAP}` },
  accept: (x) => gap(x) >= GAP,
  output: "onehot",
  build: () =>
    compileNet([0, 0, 0, 0], [1, 1, 1, 1], (C, xs) => {
      const m = max2(C, max2(C, xs[0], xs[1]), max2(C, xs[2], xs[3]));
      return xs.map((x) => C.relu(C.combo([[1 / GAP, x], [-1 / GAP, m]], 1)));
    }),
  reference: (x) => {
    const m = x.indexOf(Math.max(...x));
    return x.map((_, i) => (i === m ? 1 : 0));
  },
  program: () => single("argmax4", [{ name: "x", n: 4 }], [prim("y", "onehot", "x")], ["y"]),
  primitives: ["argmax"],
};
