// The budget at which a compiled case's reference program is itself an admissible explanation of the network.
// Obfuscations that change the function (weight noise, near-zero weights) move the net away from its reference
// program by truth.fidelity.maxAbsErr; no program of the reference's size can then be faithful at rounding level
// (it would have to carry the random weights), so size is compared at equal fidelity: the explain run gets the
// tolerance that the reference program meets on this net, and never less than explain's own default.
import { BUDGET_SHARE } from "../src/passes/budget.ts";
import { DEFAULT_RELATIVE_TOLERANCE } from "../src/passes/state.ts";
import { f32 } from "../src/graph/tensor.ts";
import { runModel } from "../src/run/interp.ts";
import { casePoints } from "./domain.ts";
import { subSeed } from "./rng.ts";
import type { Generated } from "./generate.ts";

/** Dropping a residual is admitted within BUDGET_SHARE.residuals x --tolerance on the analysis rows
 *  (src/pipeline/ledger.ts): the reference, d away from the net, fits within that share when --tolerance >= d / share. */
export const REFERENCE_BUDGET_FACTOR = 1 / BUDGET_SHARE.residuals;

/** Fresh domain points on which the reference's distance is measured: the case's own samples are a few thousand,
 *  and the max over them falls short of the max over the domain (edge/all: 2.1e-2 on its samples, 2.4e-2 on 20,000). */
export const REFERENCE_POINTS = 20000;

/** Absolute --tolerance at which the reference program of a generated case is within budget of its net. The net
 *  is the ONNX model explain reads (float32 weights: with rescaled units their rounding moves the outputs by ~1e-5,
 *  enough to put argmax4/all at seed 3 over a budget measured on the float64 net), run by the interpreter on float32
 *  points, as explain's rows are; the reference on those same points. */
export function referenceTolerance(g: Generated, seed: number): number {
  const k = g.def.outputSize;
  const fresh = casePoints(g.def, { seed: subSeed(seed, `${g.def.name}:budget`), random: REFERENCE_POINTS });
  const rows = [...g.points, ...fresh].map((x) => x.map(Math.fround));
  const y = Object.values(runModel(g.model, { [g.model.graph.inputs[0].name]: f32([rows.length, ...g.def.inputShape], rows.flat()) }))[0].data as Float32Array;
  let lo = Infinity, hi = -Infinity, d = g.fidelity.maxAbsErr;
  rows.forEach((x, i) => {
    const r = g.def.reference(x);
    for (let j = 0; j < k; j++) {
      const v = y[i * k + j];
      if (i < g.points.length) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      d = Math.max(d, Math.abs(v - r[j]));
    }
  });
  const byDefault = DEFAULT_RELATIVE_TOLERANCE * (hi > lo ? hi - lo : 0);
  return Math.max(byDefault, REFERENCE_BUDGET_FACTOR * d);
}
