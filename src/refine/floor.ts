// refine's fidelity floor on the validation rows. For classifiers the floor is a promise about rows refine never
// chose by (the held-out split, new inputs), and refine looks at the validation rows after every epoch and keeps the
// smallest copy that passes, so a point count there picks lucky copies: one disagreement in 1,600 passes 99.9%, and
// a copy with 0.3% true disagreement shows at most one about 5% of the time (measured: seed 1's default run kept a
// copy at 99.94% on validation and 99.65% held out). The default rule is simplify's margin-aware one
// (passes/agreement-bound.ts): the disagreement rate read from the original's top-1 margins and how much the copy
// shrinks them, its 95% upper bound within 1 - A, with a binomial guard on the count; "binomial" bounds the count
// alone (Clopper-Pearson) and "count" is the point count.
import { agreementHolds, marginRate, marginShrinks, type AgreementRule } from "../passes/agreement-bound.ts";
import { TIE_REL } from "../verify/metrics.ts";

/** Does the student's [n, k] scores keep top-1 agreement `minAgreement` with the teacher's by `rule`, given the
 *  disagreeing rows counted (agreement())? With the margin rule, also the estimated disagreement rate's upper bound. */
export function holdsAgreement(teacher: Float32Array, student: Float32Array, k: number, disagreements: number, minAgreement: number, rule: AgreementRule, share = 1): { ok: boolean; upper?: number } {
  let rate: { upper: number } | undefined;
  if (rule === "margin") {
    const { margin, shrink } = marginShrinks(teacher, student, k, TIE_REL);
    rate = marginRate(margin, shrink);
  }
  return { ok: agreementHolds(rule, disagreements, teacher.length / k, minAgreement, share, rate), ...(rate ? { upper: rate.upper } : {}) };
}
