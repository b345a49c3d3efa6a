// The certified bound the explain pipeline reports: over the box domain (when the domain is one), max |simplified
// Net - original Net|. The simplify stage computes it after every pass that changed the Net; the last one is
// the final Net's (runSimplify bounds every change, so the last bound is the last change's). When no pass
// changed the Net it is 0 (the same Net).
import type { ExplainState } from "../pipeline/explain.ts";
import { boxOf } from "../pipeline/simplify-pass.ts";
import { certifiedMaxErr } from "./bounds.ts";
import { boundsUnaffordable } from "../passes/bound-limit.ts";

/** The certified max error of the explained Net against the lowered one over the box, if the domain is a box. */
export function certifiedForExplain(s: ExplainState): { maxErr: number; method: string } | undefined {
  const original = s.lowered ?? s.net;
  if (!original || !s.net) return undefined;
  const box = boxOf(s, original);
  if (!box) return undefined;
  if (s.net === original) return { maxErr: 0, method: "the explained Net is the lowered Net, unchanged" };
  const last = [...(s.simplify?.reports ?? [])].reverse().find((r) => r.certifiedMaxErr !== undefined);
  const what = "simplified Net vs lowered Net, linear relaxation (CROWN) of their difference with interval bounds";
  // carve changed the Net after simplify: |carved - lowered| <= |carved - simplified| + |simplified - lowered|.
  if (s.carve && s.carve.maxAbsErr > 0) {
    if (s.carve.certifiedMaxErr !== undefined && (last?.certifiedMaxErr !== undefined || s.simplify === undefined)) {
      return { maxErr: (last?.certifiedMaxErr ?? 0) + s.carve.certifiedMaxErr, method: `${what}, plus carve's change over the box (see its report)` };
    }
    if (boundsUnaffordable(original)) return undefined;
    return { maxErr: certifiedMaxErr(original, s.net, box).maxErr, method: "carved Net vs lowered Net, linear relaxation (CROWN) of their difference with interval bounds" };
  }
  if (last?.certifiedMaxErr !== undefined) return { maxErr: last.certifiedMaxErr, method: what };
  // Too big to certify affordably (the simplify report says "not computed"): no certificate rather than minutes.
  if (boundsUnaffordable(original)) return undefined;
  return { maxErr: certifiedMaxErr(original, s.net, box).maxErr, method: what };
}
