// xor of two bits: relu(a - b) + relu(b - a).
import type { CaseDef } from "../case.ts";
import { compileNet, xor } from "../compile.ts";
import { pick, single, st } from "../refprog.ts";

export const xorCase: CaseDef = {
  name: "xor",
  title: "y = x0 xor x1 on bits",
  inputShape: [2],
  outputSize: 1,
  domain: { kind: "bits", n: 2 },
  output: "bits",
  build: () => compileNet([0, 0], [1, 1], (C, [a, b]) => [xor(C, a, b)]),
  reference: ([a, b]) => [a ^ b],
  program: () => single("xor", [{ name: "x", n: 2, bits: true }], [pick("a", "x", 0), pick("b", "x", 1), st("y", { kind: "logic", op: "xor" }, "a", "b")], ["y"]),
  primitives: ["logic:xor"],
};
