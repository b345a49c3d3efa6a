// A 3-input gate formula, the multiplexer: y = x1 if x2 else x0 = (x2 and x1) or (not x2 and x0),
// compiled as relu(x1 + x2 - 1) + relu(x0 - x2) (the two products never hold at once).
import type { CaseDef } from "../case.ts";
import { compileNet } from "../compile.ts";
import { pick, single, st } from "../refprog.ts";

export const mux3Case: CaseDef = {
  name: "mux3",
  title: "y = x1 if x2 else x0 = (x2 and x1) or (not x2 and x0) on bits",
  inputShape: [3],
  outputSize: 1,
  domain: { kind: "bits", n: 3 },
  output: "bits",
  build: () =>
    compileNet([0, 0, 0], [1, 1, 1], (C, [x0, x1, x2]) => [
      C.combo([[1, C.relu(C.combo([[1, x1], [1, x2]], -1))], [1, C.relu(C.combo([[1, x0], [-1, x2]]))]]),
    ]),
  reference: ([x0, x1, x2]) => [x2 ? x1 : x0],
  program: () =>
    single(
      "mux3",
      [{ name: "x", n: 3, bits: true }],
      [
        pick("a", "x", 0), pick("b", "x", 1), pick("s", "x", 2),
        st("t", { kind: "logic", op: "and" }, "s", "b"), st("ns", { kind: "logic", op: "not" }, "s"), st("u", { kind: "logic", op: "and" }, "ns", "a"),
        st("y", { kind: "logic", op: "or" }, "t", "u"),
      ],
      ["y"],
    ),
  primitives: ["logic:and", "logic:or"],
};
