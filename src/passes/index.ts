// The simplify stage: the exact passes (outputs unchanged up to rounding) and the budgeted ones (within the
// user's tolerance), in the order they run, and runSimplify, which runs them with one report per pass.
import type { Net } from "../net/net.ts";
import { certifiedMaxErr } from "../verify/bounds.ts";
import type { SimplifyPass, SimplifyReport, SimplifyState } from "./simplify.ts";
import { selectAffinePass } from "./select-affine.ts";
import { deadUnitsPass } from "./dead-units.ts";
import { constantUnitsPass } from "./constant-units.ts";
import { mergeParallelPass } from "./merge-parallel.ts";
import { linearPairsPass } from "./linear-pairs.ts";
import { alwaysOnPass } from "./always-on.ts";
import { fuseAffinePass } from "./fuse-affine.ts";
import { canonicalScalePass } from "./canonical-scale.ts";
import { canonicalOrderPass } from "./canonical-order.ts";
import { nearZeroPass } from "./near-zero.ts";
import { hiddenUnits } from "./net-edit.ts";
import { referenceScale, simplifyReport } from "./report.ts";
import { pruneUnitsPass } from "./prune-units.ts";
import { mergeNearPass } from "./merge-near.ts";
import { pruneWeightsPass } from "./prune-weights.ts";
import { roundWeightsPass } from "./round-weights.ts";
import { quantizePass } from "./quantize.ts";
import { boundsUnaffordable } from "./bound-limit.ts";
import { cpuMsSince } from "../pipeline/pass.ts";

/** The exact passes in order: opaque selections as affine maps (so bounds see through them), remove (dead, constant), merge duplicates, make linear units (always-on ReLUs, then the pass-through pairs they expose) linear, fuse the
 *  linear maps, then put what is left in canonical scale and order. */
export const exactPasses: SimplifyPass[] = [
  selectAffinePass,
  deadUnitsPass,
  constantUnitsPass,
  mergeParallelPass,
  alwaysOnPass,
  linearPairsPass,
  fuseAffinePass,
  canonicalScalePass,
  canonicalOrderPass,
];

/** The budgeted passes in order (near-parallel units merged, near-zero weights, pruning with re-fit, rounding,
 *  quantisation); they run only without --exact. */
export const budgetedPasses: SimplifyPass[] = [mergeNearPass, nearZeroPass, pruneUnitsPass, pruneWeightsPass, roundWeightsPass, quantizePass];

/** An exact pass may move outputs by float rounding only: at most this times the largest |output|. */
export const EXACT_REL = 1e-5;

/** Rounds of the exact passes at most: a later round runs only when the one before removed units or layers. */
const MAX_ROUNDS = 3;

export interface SimplifyRun {
  state: SimplifyState;
  reports: SimplifyReport[];
}

/** Run the exact passes (and, unless budget.exact, the budgeted ones) in order, timing each. An exact pass whose
 *  held-out error is above rounding level is undone and its report says so (a safety net, not a tuning knob).
 *  With a box domain, each report also carries the certified max error over the box. */
export function runSimplify(state: SimplifyState, onPass?: (name: string, index: number) => void): SimplifyRun {
  const reports: SimplifyReport[] = [];
  const scale = Math.max(referenceScale(state), 1e-30);
  let cur = state;
  let index = 0;
  // Bounds on a Net too big to certify affordably are not computed (said once, in the first report that changed the Net).
  const costly = state.box ? boundsUnaffordable(state.original) : undefined;
  let saidCostly = false;
  // The exact passes that returned a different Net in the current round.
  const changedBy = new Set<string>();
  const runOne = (p: SimplifyPass, round: number) => {
    onPass?.(p.name, index++);
    const t0 = performance.now(), c0 = process.cpuUsage();
    let r: { out: SimplifyState; report: SimplifyReport };
    try {
      r = p.run(cur);
    } catch (e) {
      // A pass that cannot handle this Net leaves it as it was; the report names the failure (a bug to fix).
      const msg = e instanceof Error ? e.message : String(e);
      r = simplifyReport(p, cur, cur, `skipped: the pass failed on this network (${msg.replace(/\s+/g, " ").slice(0, 200)})`);
    }
    const report = { ...r.report, ...(round > 1 ? { pass: `${p.name} (round ${round})` } : {}) };
    let next = r.out;
    if (p.kind === "exact" && !(report.heldOut.maxAbsErr <= EXACT_REL * scale)) {
      report.details = [...report.details, `undone: held-out error ${report.heldOut.maxAbsErr.toExponential(2)} is above rounding level (${(EXACT_REL * scale).toExponential(2)}); this is a bug in the pass`];
      report.summary = `undone (error above rounding level): ${report.summary}`;
      report.units = { ...report.units, after: report.units.before };
      report.weights = { ...report.weights, after: report.weights.before };
      next = cur;
    }
    if (cur.box && next.net !== cur.net && costly && !saidCostly) {
      report.details = [...report.details, `certified bound over the box ${costly}`];
      saidCostly = true;
    } else if (cur.box && next.net !== cur.net && !costly) report.certifiedMaxErr = certifiedMaxErr(state.original, next.net, cur.box).maxErr;
    report.ms = performance.now() - t0;
    report.cpuMs = cpuMsSince(c0);
    if (next.net !== cur.net) changedBy.add(p.name);
    cur = { ...next, stats: next.net === state.net ? state.stats : undefined };
    if (round === 1 || report.units.before !== report.units.after || report.weights.before !== report.weights.after) reports.push(report);
  };
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const before = shapeOf(cur.net);
    changedBy.clear();
    for (const p of exactPasses) runOne(p, round);
    if (shapeOf(cur.net) >= before) break;
    if (!cur.box && [...changedBy].every((n) => DATA_REMOVALS.has(n) || RELABELS.has(n))) break;
  }
  if (!state.budget.exact) for (const p of budgetedPasses) runOne(p, 1);
  return { state: cur, reports };
}

/** Exact passes that, without a box domain, remove units on the data's evidence alone (never active; one value on
 *  every row) and leave every other unit's values on the data as they were (a removed dead unit added exact zeros;
 *  a folded constant moves into a bias: rounding only). */
const DATA_REMOVALS = new Set(["dead-units", "constant-units"]);
/** Exact passes that only rescale units by positive factors and reorder them: they create nothing a pass could find. */
const RELABELS = new Set(["canonical-scale", "canonical-order"]);
// Why a second round can be skipped when, with no box domain, only DATA_REMOVALS and RELABELS changed the Net in
// the first: every other pass ran after the removals in that round and saw the Net without the removed units, so
// the next round would see the same Net up to positive rescaling and order. Dead and constant units are judged on
// the data, whose values the removals and relabels leave unchanged (up to float rounding), and which every dead or
// constant unit was already removed from; parallel rows, pass-through pairs and always-on units are invariant
// under positive rescaling and permutation; nothing became linear, so nothing new fuses. With a box domain the
// removals are judged by interval bounds, which a removal tightens downstream: that case keeps the second round.

/** A size that only exact passes that removed something make smaller: hidden units plus layers. */
function shapeOf(net: Net): number {
  return hiddenUnits(net) + net.layers.length;
}
