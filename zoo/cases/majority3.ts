// Majority of 3 bits: relu(s - 1) - relu(s - 2) with s = x0 + x1 + x2.
import type { CaseDef } from "../case.ts";
import { compileNet } from "../compile.ts";
import { single, st } from "../refprog.ts";

export const majority3Case: CaseDef = {
  name: "majority3",
  title: "y = majority(x0, x1, x2) = [x0 + x1 + x2 >= 2] on bits",
  inputShape: [3],
  outputSize: 1,
  domain: { kind: "bits", n: 3 },
  output: "bits",
  build: () =>
    compileNet([0, 0, 0], [1, 1, 1], (C, xs) => {
      const s = C.combo(xs.map((x) => [1, x] as [number, typeof x]));
      return [C.combo([[1, C.relu(C.combo([[1, s]], -1))], [-1, C.relu(C.combo([[1, s]], -2))]])];
    }),
  reference: ([a, b, c]) => [a + b + c >= 2 ? 1 : 0],
  program: () =>
    single(
      "majority3",
      [{ name: "x", n: 3, bits: true }],
      [st("s", { kind: "affine", W: [[1, 1, 1]], b: [0] }, "x"), st("y", { kind: "threshold", c: 2, strict: false }, "s")],
      ["y"],
    ),
  primitives: ["threshold|logic"],
};
