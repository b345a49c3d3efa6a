// Parity of 4 bits as a tree of xors: (x0 ^ x1) ^ (x2 ^ x3); each xor is a module.
import type { CaseDef } from "../case.ts";
import { compileNet, xor } from "../compile.ts";
import { pick, single, st } from "../refprog.ts";

const XOR = { kind: "logic", op: "xor" } as const;

export const parity4Case: CaseDef = {
  name: "parity4",
  title: "y = x0 ^ x1 ^ x2 ^ x3 on bits, as a tree of xors",
  inputShape: [4],
  outputSize: 1,
  domain: { kind: "bits", n: 4 },
  output: "bits",
  build: () =>
    compileNet([0, 0, 0, 0], [1, 1, 1, 1], (C, [a, b, c, d]) => {
      C.module = "xor01";
      const p = xor(C, a, b);
      C.module = "xor23";
      const q = xor(C, c, d);
      C.module = "xor";
      return [xor(C, p, q)];
    }),
  reference: ([a, b, c, d]) => [a ^ b ^ c ^ d],
  program: () =>
    single(
      "parity4",
      [{ name: "x", n: 4, bits: true }],
      [pick("a", "x", 0), pick("b", "x", 1), pick("c", "x", 2), pick("d", "x", 3), st("p", XOR, "a", "b"), st("q", XOR, "c", "d"), st("y", XOR, "p", "q")],
      ["y"],
    ),
  primitives: ["logic:xor"],
};
