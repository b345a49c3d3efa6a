// A 2-bit adder: x = [a0, a1, b0, b1] (little-endian bits), y = [s0, s1, s2] with a + b = s0 + 2 s1 + 4 s2.
// Bit 0: s0 = xor(a0, b0), carry c0 = relu(a0 + b0 - 1). Bit 1: t = a1 + b1 + c0, s1 = t mod 2 as
// t - 2 relu(t - 1) + 2 relu(t - 2) - 2 relu(t - 3), s2 = [t >= 2] as relu(t - 1) - relu(t - 2).
import type { CaseDef } from "../case.ts";
import { compileNet, xor, type Lin } from "../compile.ts";
import { pick, prim, single, st } from "../refprog.ts";

const AND = { kind: "logic", op: "and" } as const;
const XOR = { kind: "logic", op: "xor" } as const;
const OR = { kind: "logic", op: "or" } as const;

export const adder2Case: CaseDef = {
  name: "adder2",
  title: "y = bits of a + b for 2-bit a = (x0, x1), b = (x2, x3), least significant bit first",
  inputShape: [4],
  outputSize: 3,
  domain: { kind: "bits", n: 4 },
  output: "bits",
  build: () =>
    compileNet([0, 0, 0, 0], [1, 1, 1, 1], (C, [a0, a1, b0, b1]) => {
      C.module = "bit0";
      const s0 = xor(C, a0, b0);
      const c0 = C.relu(C.combo([[1, a0], [1, b0]], -1));
      C.module = "bit1";
      const t = C.combo([[1, a1], [1, b1], [1, c0]]);
      const r = (k: number): Lin => C.relu(C.combo([[1, t]], -k));
      const [r1, r2, r3] = [r(1), r(2), r(3)];
      const s1 = C.combo([[1, t], [-2, r1], [2, r2], [-2, r3]]);
      const s2 = C.combo([[1, r1], [-1, r2]]);
      return [s0, s1, s2];
    }),
  reference: ([a0, a1, b0, b1]) => {
    const s = a0 + 2 * a1 + b0 + 2 * b1;
    return [s & 1, (s >> 1) & 1, (s >> 2) & 1];
  },
  program: () =>
    single(
      "adder2",
      [{ name: "x", n: 4, bits: true }],
      [
        pick("a0", "x", 0), pick("a1", "x", 1), pick("b0", "x", 2), pick("b1", "x", 3),
        st("s0", XOR, "a0", "b0"), st("c0", AND, "a0", "b0"),
        st("s1", XOR, "a1", "b1", "c0"),
        st("g", AND, "a1", "b1"), st("p", XOR, "a1", "b1"), st("pc", AND, "p", "c0"), st("s2", OR, "g", "pc"),
        prim("y", "concat", "s0", "s1", "s2"),
      ],
      ["y"],
    ),
  primitives: ["logic:xor", "logic:and"],
};
