// Certified bounds (interval bounds plus CROWN of the difference network, src/verify/bounds.ts) cost far more than
// a forward run, and grow with the network: on SqueezeNet (1.2M weights) one certification took many minutes. The
// simplify stage computes them only on Nets up to a stated size; above it, a report says "not computed" and why.
import type { Net } from "../net/net.ts";
import { nonzeroWeights } from "./net-edit.ts";

/** Most non-zero weights a Net may have for the simplify stage to certify bounds on it (a design constant:
 *  the MLPs and small conv nets bounds are meant for stay well below it; ImageNet CNNs are far above). */
export const BOUND_WEIGHT_LIMIT = 200_000;

/** Why certified bounds are not computed on this Net (undefined: they are affordable). */
export function boundsUnaffordable(net: Net): string | undefined {
  const n = nonzeroWeights(net);
  return n > BOUND_WEIGHT_LIMIT ? `not computed: ${n.toLocaleString("en-US")} weights over the limit of ${BOUND_WEIGHT_LIMIT.toLocaleString("en-US")}` : undefined;
}
