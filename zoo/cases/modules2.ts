// Two unrelated modules side by side: sort3 on x0..x2 (in [-1, 1]) and xor on the bits x3, x4.
// Built as two submodules whose outputs are concatenated; the interleave obfuscation merges them
// into shared layers with their units interleaved.
import type { CaseDef } from "../case.ts";
import { Compiler, xor } from "../compile.ts";
import { pick, prim, single, st } from "../refprog.ts";
import { sort3Branch, sorted } from "./sort3.ts";

export const modules2Case: CaseDef = {
  name: "modules2",
  title: "y = [sort(x0, x1, x2), x3 xor x4]: two unrelated modules, x0..x2 in [-1, 1], x3, x4 bits",
  inputShape: [5],
  outputSize: 4,
  domain: { kind: "box", lo: [-1, -1, -1, 0, 0], hi: [1, 1, 1, 1, 1], discrete: [3, 4] },
  output: "real",
  build: () => {
    const C = new Compiler([0, 0], [1, 1]);
    C.module = "xor";
    const x = xor(C, C.input(0), C.input(1));
    return { inputShape: [5], branches: [sort3Branch("sort3", [-1, -1, -1], [1, 1, 1], "sort3", [0, 3]), C.branch("xor", [x], [3, 5])] };
  },
  reference: (x) => [...sorted(x.slice(0, 3)), x[3] ^ x[4]],
  program: () =>
    single(
      "modules2",
      [{ name: "x", n: 5 }],
      [
        pick("a", "x", 0, 1, 2), st("s", { kind: "sort", descending: false }, "a"),
        pick("p", "x", 3), pick("q", "x", 4), st("z", { kind: "logic", op: "xor" }, "p", "q"),
        prim("y", "concat", "s", "z"),
      ],
      ["y"],
    ),
  primitives: ["sort", "logic:xor"],
};
