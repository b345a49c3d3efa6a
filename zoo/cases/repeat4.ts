// One small function applied to 4 input chunks: compare-exchange (min, max) of each pair of
// x = [p0, p1, p2, p3] in [-1, 1]^8, as one submodule called 4 times with shared weights.
import type { CaseDef } from "../case.ts";
import { Compiler, compareExchange } from "../compile.ts";
import type { Branch } from "../net.ts";
import { call, pick, prim } from "../refprog.ts";

function ceBranch(k: number): Branch {
  const C = new Compiler([-1, -1], [1, 1]);
  C.module = `f${k}`;
  const [lo, hi] = compareExchange(C, C.input(0), C.input(1));
  return { ...C.branch("f", [lo, hi], [2 * k, 2 * k + 2]), shareKey: "f" };
}

export const repeat4Case: CaseDef = {
  name: "repeat4",
  title: "y = [min(p), max(p)] for each of the 4 pairs p of x in [-1, 1]^8: one function called 4 times",
  inputShape: [8],
  outputSize: 8,
  domain: { kind: "box", lo: new Array(8).fill(-1), hi: new Array(8).fill(1) },
  output: "real",
  build: () => ({ inputShape: [8], branches: [0, 1, 2, 3].map(ceBranch) }),
  reference: (x) => [0, 1, 2, 3].flatMap((k) => [Math.min(x[2 * k], x[2 * k + 1]), Math.max(x[2 * k], x[2 * k + 1])]),
  program: () => ({
    functions: [
      {
        name: "repeat4",
        params: [{ name: "x", n: 8 }],
        body: [
          ...[0, 1, 2, 3].flatMap((k) => [pick(`p${k}`, "x", 2 * k, 2 * k + 1), call(`y${k}`, "ce", `p${k}`)]),
          prim("y", "concat", "y0", "y1", "y2", "y3"),
        ],
        returns: ["y"],
      },
      {
        name: "ce",
        params: [{ name: "p", n: 2 }],
        body: [{ out: "s", op: { kind: "sort", descending: false }, args: ["p"] }],
        returns: ["s"],
        doc: "compare-exchange: [min, max]",
      },
    ],
  }),
  primitives: ["sort|min"],
  repeats: [{ fn: "ce", times: 4 }],
};
