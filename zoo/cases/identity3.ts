// The identity on [-1, 1]^3 carried through three ReLU layers: each layer holds x as relu(x) - relu(-x).
// Nothing is computed; an explanation should say so (`y = x`), not list four weight matrices.
import type { CaseDef } from "../case.ts";
import { box } from "../case.ts";
import { Compiler } from "../compile.ts";
import { single, st } from "../refprog.ts";

const DEPTH = 3;

export const identity3Case: CaseDef = {
  name: "identity3",
  title: `y = x on [-1, 1]^3, carried through ${DEPTH} ReLU layers as relu(x) - relu(-x)`,
  inputShape: [3],
  outputSize: 3,
  domain: box(3, -1, 1),
  output: "real",
  build: () => {
    const C = new Compiler([-1, -1, -1], [1, 1, 1]);
    return { inputShape: [3], branches: [C.branch("", [0, 1, 2].map((i) => C.lift(C.input(i), DEPTH)))] };
  },
  reference: (x) => [...x],
  program: () =>
    single("identity3", [{ name: "x", n: 3 }], [st("y", { kind: "affine", W: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], b: [0, 0, 0] }, "x")], ["y"]),
  primitives: ["affine=1|act:identity"],
};
