// The simplify pass of the explain pipeline (between probe and build): the lowered Net becomes a smaller Net that
// computes the same thing (exact passes) or nearly so within the budget (budgeted passes, not with --exact).
// The original model is never touched; from here on `net` is the simplified Net (build, program.*,
// reconstructed.onnx and report.md describe it) and `lowered` keeps the Net as lowered.
import type { Tensor } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import { probePass as probeNetPass } from "../passes/probe.ts";
import { runSimplify } from "../passes/index.ts";
import { simplifyState } from "../passes/state.ts";
import type { BoxDomain } from "../passes/simplify.ts";
import { parseDomain, MAX_EXHAUSTIVE_BITS, type Domain } from "./domain.ts";
import { need, type ExplainPass, type ExplainState } from "./explain.ts";
import { simplifySummary } from "./simplify-report.ts";
import { judgeNet, ledgerOf, record } from "./ledger.ts";

/** The box domain over the Net inputs when the rows were sampled from a box (never for --data). */
export function boxOf(s: ExplainState, net: Net): BoxDomain | undefined {
  const d = domainOf(s);
  if (d?.kind !== "box") return undefined;
  const box: BoxDomain = {};
  for (const inp of net.inputs) {
    if (inp.shape.some((x) => x < 0)) return undefined;
    const n = inp.shape.reduce((a, b) => a * b, 1);
    box[inp.name] = { lo: new Float32Array(n).fill(d.lo), hi: new Float32Array(n).fill(d.hi) };
  }
  return box;
}

function domainOf(s: ExplainState): Domain | undefined {
  const d = s.input.domain;
  if (s.input.data || d === undefined) return undefined;
  return typeof d === "string" ? parseDomain(d) : d;
}

/** Were the rows every point of the domain (a bits domain small enough to enumerate)? */
function exhaustive(s: ExplainState, net: Net): boolean {
  if (domainOf(s)?.kind !== "bits") return false;
  const bits = net.inputs.reduce((a, i) => a + i.shape.reduce((p, d) => p * d, 1), 0);
  return bits <= MAX_EXHAUSTIVE_BITS;
}

/** Why the simplify passes cannot run on a Net (values whose size is only known at run time: sequence models). */
export function notSimplifiable(net: Net): string | undefined {
  if (net.inputs.some((i) => i.shape.some((d) => d < 0))) return "its inputs have dims only known at run time";
  const l = net.layers.find((x) => x.shape.some((d) => d < 0) || (x.kind === "opaque" && !x.perSample));
  return l ? `layer '${l.id}' has a shape only known at run time` : undefined;
}

export const simplifyPass: ExplainPass = {
  name: "simplify",
  doc: "exact passes (dead, constant, duplicate and linear units out, affine maps fused, canonical scale and order), then budgeted ones within --tolerance; the simplified Net is re-probed",
  run(s) {
    const net = need(s, "net", "simplify", "lower");
    const data = need(s, "data", "simplify", "read");
    if (s.input.simplify === false) return { out: s, report: { pass: "simplify", summary: "off (--no-simplify): the Net as lowered is described", details: [] } };
    const why = notSimplifiable(net);
    if (why) return { out: s, report: { pass: "simplify", summary: `skipped: ${why} (the passes work on per-sample values of fixed size)`, details: [] } };
    const feeds = (rows: Tensor[]) => Object.fromEntries(net.inputs.map((inp, i) => [inp.name, rows[i]]));
    const box = boxOf(s, net);
    const state = simplifyState(net, feeds(data.analysis), feeds(data.heldOut), {
      ...(box ? { box } : {}),
      ...(s.input.tolerance !== undefined ? { tolerance: s.input.tolerance } : {}),
      ...(s.input.minAgreement !== undefined ? { minAgreement: s.input.minAgreement } : {}),
      ...(s.input.agreementRule !== undefined ? { agreementRule: s.input.agreementRule } : {}),
      exact: s.input.exact ?? false,
      exhaustive: exhaustive(s, net),
      oneSample: data.oneSample,
    });
    const run = runSimplify(state);
    const simplified = run.state.net;
    // The run's one budget starts here (the original's outputs on the analysis rows reused): simplify's change is
    // its first entry, measured against the original on the ledger's rows like every later step's.
    let ledger = ledgerOf({ ...s, lowered: net }, state.reference.analysis);
    if (simplified !== net) {
      const spentBy = run.reports.filter((r) => r.kind === "budgeted" && (r.weights.before !== r.weights.after || r.units.before !== r.units.after)).map((r) => r.pass);
      ledger = record(ledger, "simplify", spentBy.length ? `budgeted passes ${spentBy.join(", ")} (each within its share; the simplify table has their held-out costs)` : "exact passes only", judgeNet(ledger, simplified));
    }
    // Build reads probe statistics of the Net it builds from: re-probe when simplify changed it.
    const stats = simplified === net ? s.stats : probeNetPass.run({ net: simplified, data: feeds(data.analysis), oneSample: data.oneSample }).out.stats;
    return {
      out: { ...s, net: simplified, lowered: net, ledger, ...(stats ? { stats } : {}), ...(s.stats ? { loweredStats: s.stats } : {}), simplify: { reports: run.reports, budget: state.budget, classifier: state.classifier, box: box !== undefined } },
      report: simplifySummary(run.reports, state),
    };
  },
};
