// Every compiled case, in the order `pseudonet zoo` writes them.
import type { CaseDef } from "../case.ts";
import { absCase } from "./abs.ts";
import { adder2Case } from "./adder2.ts";
import { argmax4Case } from "./argmax4.ts";
import { clampCase } from "./clamp.ts";
import { edgeCase } from "./edge.ts";
import { identity3Case } from "./identity3.ts";
import { linchainCase } from "./linchain.ts";
import { majority3Case } from "./majority3.ts";
import { max2Case } from "./max2.ts";
import { max4Case } from "./max4.ts";
import { median3Case } from "./median3.ts";
import { min4Case } from "./min4.ts";
import { modules2Case } from "./modules2.ts";
import { mux3Case } from "./mux3.ts";
import { parity4Case } from "./parity4.ts";
import { repeat4Case } from "./repeat4.ts";
import { sort3Case } from "./sort3.ts";
import { triangleCase } from "./triangle.ts";
import { twofnsCase } from "./twofns.ts";
import { xorCase } from "./xor.ts";

export const CASES: readonly CaseDef[] = [
  absCase, max2Case, max4Case, sort3Case, median3Case, argmax4Case, xorCase, parity4Case, majority3Case,
  adder2Case, clampCase, triangleCase, edgeCase, modules2Case, repeat4Case, linchainCase, min4Case, identity3Case, mux3Case, twofnsCase,
];

/** The case with a name, if any. */
export function findCase(name: string): CaseDef | undefined {
  return CASES.find((c) => c.name === name);
}
