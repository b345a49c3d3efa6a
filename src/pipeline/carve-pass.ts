// The `carve` explain pass: structure the dense weights hide, recovered as a Net -> Net rewrite before build.
// Today: convolutions (and average pools) written as dense layers (src/recover/carve-conv.ts). Every rewrite
// is checked: the carved Net is run against the Net it came from on the analysis rows and the largest output
// difference is reported (float rounding when the weights were an exact conv; the fit's residual otherwise).
import type { Tensor } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import { runNet } from "../net/run.ts";
import { sliceRows } from "../data/batch.ts";
import { probePass as probeNetPass } from "../passes/probe.ts";
import { carveConvs, type CarvedConv } from "../recover/carve-conv.ts";
import { findModules } from "../recover/modules.ts";
import type { NetStats } from "../passes/stats.ts";
import type { ExplainPass, ExplainState } from "./explain.ts";
import { UserError } from "../errors.ts";

// A type-only import of explain.ts: importing its values here would make a cycle that breaks loading this file first.
function need<K extends keyof ExplainState>(s: ExplainState, key: K, madeBy: string): NonNullable<ExplainState[K]> {
  const v = s[key];
  if (v === undefined || v === null) throw new UserError(`pass 'carve' needs the ${String(key)}, which pass '${madeBy}' makes: run it first`);
  return v as NonNullable<ExplainState[K]>;
}

/** Rows compared when checking a rewrite (enough to see a wrong conv; cheap on wide layers). */
const CHECK_ROWS = 256;

/** Largest |a - b| over the outputs of two Nets with the same inputs and outputs, on the given rows. */
export function netOutputDiff(a: Net, b: Net, feeds: Record<string, Tensor>): number {
  const ra = runNet(a, feeds, { keep: [] }).outputs, rb = runNet(b, feeds, { keep: [] }).outputs;
  let m = 0;
  for (const o of a.outputs) {
    const x = ra[o.name].data, y = rb[o.name].data;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(Number(x[i]) - Number(y[i])));
  }
  return m;
}

/** One line per carved layer, for the report. */
export function carvedLine(c: CarvedConv): string {
  const g = `${c.grid.c}x${c.grid.h}x${c.grid.w}${c.gridFrom === "factorisation" ? " (factorised width)" : ""}`;
  const dil = c.dilations.some((d) => d !== 1) ? `, dilation ${c.dilations.join("x")}` : "";
  const kept = c.explained < c.rows ? `; ${c.rows - c.explained} row(s) stay dense beside it` : "";
  return `${c.layer}: dense ${c.rows} rows over image ${g} -> ${c.kind} ${c.outChannels} x ${c.kernel.join("x")}, stride ${c.strides.join("x")}, pads ${c.pads.join(",")}${dil}; ` +
    `weight residual ${c.residual.rel.toExponential(1)} relative (max ${c.residual.maxAbs.toExponential(1)}); units ${c.order}${kept}`;
}

export const carvePass: ExplainPass = {
  name: "carve",
  doc: "dense layers that are convolutions (or average pools) over an image become conv layers: kernels, stride, padding, dilation and unit order found from the weights, fit residual stated",
  run(s) {
    const net = need(s, "net", "lower");
    const data = need(s, "data", "read");
    const r = carveConvs(net);
    const details = [...r.carved.map(carvedLine), ...r.kept.map((k) => `${k.layer}: stays dense (${k.reason})`)];
    if (!r.carved.length) {
      // (The weight graph's clusterability is the modules pass's to report.)
      return { out: s, report: { pass: "carve", summary: "no dense layer is a convolution", details } };
    }
    const feeds = Object.fromEntries(net.inputs.map((inp, i) => [inp.name, data.oneSample ? data.analysis[i] : sliceRows(data.analysis[i], 0, Math.min(CHECK_ROWS, data.analysis[i].shape[0]))]));
    const maxAbsErr = netOutputDiff(net, r.net, feeds);
    details.push(`carved Net vs the Net before: max |difference| ${maxAbsErr.toExponential(1)} on ${data.oneSample ? "the sample" : `${feeds[net.inputs[0].name].shape[0]} analysis rows`}`);
    // Units changed: probe the carved Net again so the statistics name its layers.
    const stats = s.stats ? probeNetPass.run({ net: r.net, data: Object.fromEntries(net.inputs.map((inp, i) => [inp.name, data.analysis[i]])), oneSample: data.oneSample }).out.stats : undefined;
    return {
      out: { ...s, net: r.net, ...(stats ? { stats } : {}) },
      report: { pass: "carve", summary: `${r.carved.length} dense layer(s) carved: ${r.carved.map((c) => `${c.layer} -> ${c.kind} ${c.outChannels}x${c.kernel.join("x")}`).join(", ")}; max output change ${maxAbsErr.toExponential(1)}`, details, maxAbsErr },
    };
  },
};

/** Graphs smaller than this are not worth a clusterability line (compiled nets: modules say more). */
const CLUSTER_MIN_NODES = 64;
/** Clusters compared with shuffled copies, as in Filan et al. */
const CLUSTER_K = 12;

/** Whether the dense layers' weight graph has modules at all: spectral clusters (k from the eigengap) and their
 *  n-cut beside the n-cut of weight-shuffled copies (lower than shuffled = more modular than chance). */
export function clusterability(net: Net, stats?: NetStats): string | undefined {
  const n = net.layers.reduce((a, l) => a + (l.kind === "affine" ? l.outFeatures : 0), 0);
  if (n < CLUSTER_MIN_NODES || n > 20000) return undefined;
  const gap = findModules(net, stats, { minSplit: CLUSTER_MIN_NODES, shuffles: 0 });
  if (gap.graph.adj.n < CLUSTER_MIN_NODES) return undefined;
  // At the paper's k = 12 (Filan et al.), beside shuffled copies; the eigengap's own choice is stated too. (The same
  // graph: its components' spectral bases are built once for both.)
  const m = findModules(net, stats, { minSplit: CLUSTER_MIN_NODES, k: CLUSTER_K, shuffles: 3, graph: gap.graph });
  const shuf = m.shuffled ? ` vs ${m.shuffled.mean.toFixed(3)} +- ${m.shuffled.sd.toFixed(3)} on ${m.shuffled.copies} weight-shuffled copies` : "";
  return `clusterability of the dense layers' weight graph (${m.graph.adj.n} units): the eigengap suggests ${gap.count} cluster(s); ` +
    `at k = ${CLUSTER_K}, n-cut ${m.ncut.toFixed(3)}${shuf}`;
}
