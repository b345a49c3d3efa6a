// Explaining zoo-style networks in tests: a case (from the zoo or made up here) generated with obfuscations,
// explained by the pipeline up to verify, and what the program says.
import { f32 } from "../../src/graph/tensor.ts";
import { runExplain, type ExplainInput, type ExplainState } from "../../src/pipeline/explain.ts";
import { allPrimStmts, type Program } from "../../src/program/program.ts";
import { printProgram } from "../../src/program/printer.ts";
import { runProgram } from "../../src/program/run.ts";
import type { Fidelity } from "../../src/verify/metrics.ts";
import { domainFlag, type CaseDef } from "../../zoo/case.ts";
import { generateCase } from "../../zoo/generate.ts";
import { ORDER, type ObfuscationName } from "../../zoo/obfuscate.ts";
import { signatures } from "../../zoo/score.ts";

export interface Explained {
  program: Program;
  fidelity: Fidelity;
  text: string;
  /** Signatures of every primitive (scorer style: "logic:xor", "act:abs", "piecewise", ...). */
  sigs: Set<string>;
  /** What the simplify pass's budgeted steps cost (max |simplified Net - original| on its held-out rows): the
   *  builder works on the simplified Net, so its statements are held to that plus rounding. */
  simplifyErr: number;
  /** max |network - reference| on the case's points (what obfuscation noise costs, recorded by the zoo). */
  netVsRef: number;
  /** Runs the program on rows of inputs. */
  run(points: number[][]): Float32Array;
}

/** Generate `def` (all obfuscations unless told) and explain it on its domain (or on its points as data). */
export async function explainCase(def: CaseDef, seed: number, obf: readonly ObfuscationName[] = ORDER, more: Partial<ExplainInput> = {}): Promise<Explained> {
  const g = generateCase(def, seed, obf);
  const flag = domainFlag(def.domain);
  const data = f32([g.points.length, ...def.inputShape], g.points.flat());
  const s = await runExplain({ model: g.model, name: def.name, ...(flag ? { domain: flag } : { data: [data], dataLabel: "points" }), ...more }, { until: "verify" });
  const program = s.program!;
  return {
    program, fidelity: s.fidelity!, text: printProgram(program), netVsRef: g.fidelity.maxAbsErr, simplifyErr: simplifyCost(s),
    sigs: new Set(allPrimStmts(program).flatMap(({ stmt }) => signatures(stmt.prim))),
    run: (points) => runProgram(program, [f32([points.length, ...def.inputShape], points.flat())])[0].data as Float32Array,
  };
}

/** What the budgeted steps cost in a pipeline state: simplify's (on its held-out rows), or, when the residuals
 *  pass dropped named values' residuals, the whole program's measured cost after the last drop (0 under --exact). */
export function simplifyCost(s: ExplainState): number {
  const simplify = s.simplify?.reports.at(-1)?.heldOut.maxAbsErr ?? 0;
  const drops = s.program?.droppedResiduals ?? [];
  return Math.max(simplify, ...drops.map((d) => Math.max(d.cost.analysis, d.cost.box ?? 0)));
}

/** Every point of {0,1}^n, bit i of point p at position i. */
export function bitPoints(n: number): number[][] {
  return Array.from({ length: 1 << n }, (_, p) => Array.from({ length: n }, (_, i) => (p >>> i) & 1));
}
