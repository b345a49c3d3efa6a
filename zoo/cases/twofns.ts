// Two different functions, each applied to two input pairs: compare-exchange (min, max) and the absolute
// difference |a - b|, on x = [p0, q0, p1, q1] in [-1, 1]^8. Each function is one submodule whose two calls
// share their weights; the interleave obfuscation merges the four into shared layers.
import type { CaseDef } from "../case.ts";
import { Compiler, abs, compareExchange } from "../compile.ts";
import type { Branch } from "../net.ts";
import { call, pick, prim } from "../refprog.ts";

function ceBranch(k: number): Branch {
  const C = new Compiler([-1, -1], [1, 1]);
  C.module = `ce${k}`;
  const [lo, hi] = compareExchange(C, C.input(0), C.input(1));
  return { ...C.branch("ce", [lo, hi], [4 * k, 4 * k + 2]), shareKey: "ce" };
}

function adBranch(k: number): Branch {
  const C = new Compiler([-1, -1], [1, 1]);
  C.module = `ad${k}`;
  const d = abs(C, C.combo([[1, C.input(0)], [-1, C.input(1)]]));
  return { ...C.branch("ad", [d], [4 * k + 2, 4 * k + 4]), shareKey: "ad" };
}

export const twofnsCase: CaseDef = {
  name: "twofns",
  title: "y = [sort2(x0, x1), |x2 - x3|, sort2(x4, x5), |x6 - x7|] on [-1, 1]^8: two functions, each called twice",
  inputShape: [8],
  outputSize: 6,
  domain: { kind: "box", lo: new Array(8).fill(-1), hi: new Array(8).fill(1) },
  output: "real",
  build: () => ({ inputShape: [8], branches: [ceBranch(0), adBranch(0), ceBranch(1), adBranch(1)] }),
  reference: (x) => [0, 1].flatMap((k) => [Math.min(x[4 * k], x[4 * k + 1]), Math.max(x[4 * k], x[4 * k + 1]), Math.abs(x[4 * k + 2] - x[4 * k + 3])]),
  program: () => ({
    functions: [
      {
        name: "twofns",
        params: [{ name: "x", n: 8 }],
        body: [
          ...[0, 1].flatMap((k) => [
            pick(`p${k}`, "x", 4 * k, 4 * k + 1), call(`s${k}`, "ce", `p${k}`),
            pick(`q${k}`, "x", 4 * k + 2, 4 * k + 3), call(`d${k}`, "ad", `q${k}`),
          ]),
          prim("y", "concat", "s0", "d0", "s1", "d1"),
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
      {
        name: "ad",
        params: [{ name: "q", n: 2 }],
        body: [
          { out: "e", op: { kind: "affine", W: [[1, -1]], b: [0] }, args: ["q"] },
          { out: "d", op: { kind: "act", fn: "abs" }, args: ["e"] },
        ],
        returns: ["d"],
        doc: "absolute difference |a - b|",
      },
    ],
  }),
  primitives: ["sort|min", "act:abs"],
  repeats: [{ fn: "ce", times: 2 }, { fn: "ad", times: 2 }],
};
