// The module builder: an MLP chain whose hidden units split into dataflow modules (recover/dataflow-modules.ts)
// becomes a program where each module is a function with its own parameters and returns, called from main:
//
//   def main(x):  p1 = pick(x, ...); a = f1(p1); p2 = pick(x, ...); b = f1(p2); y = W @ concat(a, b) + c
//
// Each function is the module's canonical form (recover/canonical.ts: units scaled to max in-weight 1, duplicates
// merged, sorted), so modules equal up to unit permutation and positive scale become one function called
// several times, the scales and order moving into the reader. Weights the weight graph treats as absent (below
// 1% of their row) and units never active on the analysis data are dropped: the error this costs is measured on
// the analysis data, and the flat program is kept when it exceeds the budget.
import type { AffineLayer, Layer, Net } from "../net/net.ts";
import type { NetStats } from "../passes/stats.ts";
import { weightGraph } from "../recover/module-graph.ts";
import { dataflowModules } from "../recover/dataflow-modules.ts";
import { canonicalize, canonicalDiff, type Canonical, type FnLayer } from "../recover/canonical.ts";
import { emitModules, type ModuleFn, type ModuleCall } from "./build-modules-emit.ts";
import type { Program } from "./program.ts";
import type { BudgetJudge, Verdict } from "./budget-judge.ts";

export interface ModuleBuildOptions {
  name?: string;
  stats?: NetStats;
  /** Largest max |y' - y| (absolute) the dropped weights may cost; default 1e-3 x max |y| on the probe sample. */
  tolerance?: number;
  /** --exact: without a tolerance, dropped weights may cost rounding level only (2e-6 x (1 + max |y|)). */
  exact?: boolean;
  /** The run's one budget: the module program is judged whole against the original (replaces `tolerance`; under
   *  --exact the change must also be rounding level). */
  judge?: BudgetJudge;
}

export interface ModuleBuildReport {
  modules: number;
  functions: number;
  calls: number;
  /** Output change on the analysis sample from what was dropped, relative to max |y|. */
  relErr: number;
  dropped: { weights: number; units: number };
  /** The run's one budget (when a judge was given): the module program against the original. */
  verdict?: Verdict;
}

type Affine = AffineLayer & Layer;

/** What the output layer reads: hidden layer k's value (k >= 0) or the input (k = -1), side by side. */
export interface OutPart {
  k: number;
  offset: number;
  n: number;
}

/** The chain x -> affine -> relu -> ... -> affine = output (which may also read earlier values through a concat,
 *  as simplify leaves skip connections), or undefined. */
function mlpChain(net: Net): { affines: Affine[]; acts: Layer[]; outParts: OutPart[] } | undefined {
  if (net.inputs.length !== 1 || net.inputs[0].shape.length !== 1 || net.outputs.length !== 1) return undefined;
  const affines: Affine[] = [], acts: Layer[] = [];
  let prev = net.inputs[0].name;
  let outParts: OutPart[] | undefined;
  for (let k = 0; k < net.layers.length; k++) {
    const l = net.layers[k];
    if (l.kind === "concat" && l.axis === 0 && net.layers[k + 1]?.kind === "affine" && net.layers[k + 1].inputs[0] === l.id && k + 2 === net.layers.length) {
      // The output layer reads a concat of hidden values (or the input): a skip connection.
      const valueK = new Map<string, number>([[net.inputs[0].name, -1], ...acts.map((a, q) => [a.id, q] as [string, number])]);
      let off = 0;
      outParts = [];
      for (const v of l.inputs) {
        const q = valueK.get(v);
        if (q === undefined) return undefined;
        const n = q < 0 ? net.inputs[0].shape[0] : affines[q].outFeatures;
        outParts.push({ k: q, offset: off, n });
        off += n;
      }
      prev = l.id;
      continue;
    }
    if (l.kind !== "affine" || l.inputs[0] !== prev || l.shape.length !== 1) return undefined;
    affines.push(l);
    const a = net.layers[k + 1];
    if (!a) break;
    if (a.kind !== "act" || a.fn !== "relu" || a.inputs[0] !== l.id) return undefined;
    acts.push(a);
    prev = a.id;
    k++;
  }
  const last = affines[affines.length - 1];
  if (!(affines.length >= 2 && net.outputs[0].from === last?.id && acts.length === affines.length - 1)) return undefined;
  return { affines, acts, outParts: outParts ?? [{ k: acts.length - 1, offset: 0, n: last.inFeatures }] };
}

/** Build the module-structured program of an MLP chain, or say why not (one module, not a chain, over budget). */
export function buildModuleProgram(net: Net, opts: ModuleBuildOptions = {}): { program: Program; report: ModuleBuildReport } | { reason: string } {
  const chain = mlpChain(net);
  if (!chain) return { reason: "not a chain of dense ReLU layers from one vector input to one output" };
  const g = weightGraph(net, opts.stats);
  const d = dataflowModules(g);
  if (d.count < 2) return { reason: "one module: every unit reads one stream of inputs" };
  const { affines } = chain;
  const H = affines.length - 1; // hidden layers
  const layerOf = new Map(affines.map((a, k) => [a.id, k]));
  // mod[k][u]: module of hidden unit u of layer k (-1: dropped).
  const mod = affines.slice(0, H).map((a) => new Array<number>(a.outFeatures).fill(-1));
  g.nodes.forEach((nd, i) => { const k = layerOf.get(nd.layer); if (k !== undefined && k < H && d.labels[i] >= 0) mod[k][nd.unit] = d.labels[i]; });
  // A unit in no module (never active on the analysis rows) cannot be dropped on that evidence alone: the data
  // proves nothing about other inputs. Exact dead-unit removal (simplify, by bounds over the domain) comes first.
  const readersOf = (k: number): { a: Affine; offset: number }[] => [
    ...(k + 1 < H ? [{ a: affines[k + 1], offset: 0 }] : []),
    ...chain.outParts.filter((p) => p.k === k).map((p) => ({ a: affines[H], offset: p.offset })),
  ];
  for (let k = 0; k < H; k++) {
    for (const { a: next, offset } of readersOf(k)) {
      for (let u = 0; u < affines[k].outFeatures; u++) {
        if (mod[k][u] >= 0) continue;
        for (let o = 0; o < next.outFeatures; o++) if (next.W[o * next.inFeatures + offset + u] !== 0) return { reason: `unit ${affines[k].id}:${u} is in no module (never active on the data) but is read` };
      }
    }
  }
  const kept = (a: Affine, j: number, i: number) => {
    let m = 0;
    for (let q = 0; q < a.inFeatures; q++) m = Math.max(m, Math.abs(a.W[j * a.inFeatures + q]));
    return Math.abs(a.W[j * a.inFeatures + i]) > 1e-2 * (m || 1);
  };
  // Per module: its layers' rows, its first layer, its sources (input entries or other modules' units).
  const fns: ModuleFn[] = [];
  for (let m = 0; m < d.count; m++) {
    const rows = mod.map((r) => r.flatMap((v, u) => (v === m ? [u] : [])));
    const first = rows.findIndex((r) => r.length > 0);
    const last = rows.length - 1 - [...rows].reverse().findIndex((r) => r.length > 0);
    if (first < 0 || rows.slice(first, last + 1).some((r) => !r.length)) return { reason: `module ${m + 1} skips a layer` };
    const a0 = affines[first];
    // Columns of the first layer: input entries (first layer = 0) or units of the previous layer, grouped by module.
    const cols = [...Array(a0.inFeatures).keys()].filter((i) => rows[first].some((j) => kept(a0, j, i)) && (first === 0 || mod[first - 1][i] >= 0));
    const layers: FnLayer[] = [];
    for (let k = first; k <= last; k++) {
      const a = affines[k];
      const c = k === first ? cols : rows[k - 1];
      layers.push({ W: rows[k].map((j) => c.map((i) => (kept(a, j, i) ? a.W[j * a.inFeatures + i] : 0))), b: rows[k].map((j) => a.b[j]) });
    }
    fns.push({ module: m, first, last, rows, cols, layers, canonical: canonicalize(layers) });
  }
  // Modules equal up to permutation and scale share one function.
  const calls: ModuleCall[] = fns.map((f) => ({ fn: f, same: fns.find((e) => f.first === 0 && e.first === 0 && e.last === f.last && canonicalDiff(e.canonical, f.canonical) <= 1e-3) ?? f }));
  const r = emitModules(net, chain.affines, mod, calls, opts.name ?? "model", chain.outParts);
  if (!r) return { reason: "a module reads a value its caller cannot pass" };
  const { err, top } = measureFn(net, r.program, opts.stats);
  const relErr = top > 0 ? err / top : err;
  const budget = opts.tolerance ?? (opts.exact ? 2e-6 * (1 + top) : 1e-3 * top);
  const own = opts.judge && !opts.exact ? true : err <= budget;
  const verdict = own && opts.judge ? opts.judge.program(r.program) : undefined;
  if (!own || (verdict && !verdict.ok)) {
    const over = verdict ? `the program would be ${verdict.total.toExponential(1)} from the original, over the run's budget` : `over the tolerance ${budget.toExponential(1)}`;
    return { reason: `the weights below 1% of their row that join modules carry max |dy| ${err.toExponential(1)} (${relErr.toExponential(1)} of max |y|); ${over}` };
  }
  const dropped = mod.reduce((a, r2) => a + r2.filter((v) => v < 0).length, 0);
  return { program: r.program, report: { modules: d.count, functions: new Set(calls.map((c) => c.same.module)).size, calls: calls.length, relErr, dropped: { weights: r.droppedWeights, units: dropped }, ...(verdict ? { verdict } : {}) } };
}

import { measureFn } from "./build-modules-emit.ts";
export type { Canonical };

/** One line for the build report: modules, functions, calls, and what dropping weights cost. */
export function moduleLine(r: ModuleBuildReport): string {
  return `modules: ${r.modules} dataflow modules as ${r.functions} function(s) in ${r.calls} calls; weights below 1% of their row dropped where they join modules (output change ${r.relErr.toExponential(1)} of max |y| on the probe sample)`;
}
