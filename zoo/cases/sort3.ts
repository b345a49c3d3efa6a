// sort3 as a compare-exchange network: CE(0,1), CE(1,2), CE(0,1), ascending.
import type { CaseDef } from "../case.ts";
import { box } from "../case.ts";
import { Compiler, compareExchange, type Lin } from "../compile.ts";
import type { Branch } from "../net.ts";
import { single, st } from "../refprog.ts";

/** The sort3 branch over inputs with the given bounds (shared with the two-module case). */
export function sort3Branch(name: string, lo: number[], hi: number[], module: string, slice?: [number, number]): Branch {
  const C = new Compiler(lo, hi);
  C.module = module;
  let [a, b, c]: Lin[] = [0, 1, 2].map((i) => C.input(i));
  [a, b] = compareExchange(C, a, b);
  [b, c] = compareExchange(C, b, c);
  [a, b] = compareExchange(C, a, b);
  return C.branch(name, [a, b, c], slice);
}

/** Ascending sort of a sample. */
export function sorted(x: readonly number[]): number[] {
  return [...x].sort((p, q) => p - q);
}

export const sort3Case: CaseDef = {
  name: "sort3",
  title: "y = sort(x0, x1, x2) ascending, a compare-exchange network, on [-1, 1]^3",
  inputShape: [3],
  outputSize: 3,
  domain: box(3, -1, 1),
  output: "real",
  build: () => ({ inputShape: [3], branches: [sort3Branch("", [-1, -1, -1], [1, 1, 1], "sort3")] }),
  reference: sorted,
  program: () => single("sort3", [{ name: "x", n: 3 }], [st("y", { kind: "sort", descending: false }, "x")], ["y"]),
  primitives: ["sort"],
};
