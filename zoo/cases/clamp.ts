// clamp(x, -1, 2) on [-3, 3]: -1 + relu(x + 1) - relu(x - 2).
import type { CaseDef } from "../case.ts";
import { box } from "../case.ts";
import { clamp, compileNet } from "../compile.ts";
import { single, st } from "../refprog.ts";

const LO = -1;
const HI = 2;

export const clampCase: CaseDef = {
  name: "clamp",
  title: `y = clamp(x, ${LO}, ${HI}) on [-3, 3]`,
  inputShape: [1],
  outputSize: 1,
  domain: box(1, -3, 3),
  output: "real",
  build: () => compileNet([-3], [3], (C, [x]) => [clamp(C, x, LO, HI)]),
  reference: ([x]) => [Math.min(HI, Math.max(LO, x))],
  program: () => single("clamp", [{ name: "x", n: 1 }], [st("y", { kind: "act", fn: "clip", min: LO, max: HI }, "x")], ["y"]),
  primitives: ["act:clip|piecewise"],
};
