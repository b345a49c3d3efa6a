// The `modules` explain pass: the module partition of the hidden units, written into the program (program.json
// `modules`, a line in program.txt, the report) whatever shape the program took. The partition is read from the
// Net as lowered (src/recover/unit-partition.ts: dataflow through carriers), so it names the units a user's
// model has, not the simplified Net's. Two rules on top:
//   * a named primitive is not cut: dataflow modules whose computing units one recognised statement implements
//     (a sort's compare-exchange stages) are one module — except whole-Net readings, which name the function of
//     the inputs and say nothing of how the units are grouped;
//   * the cost is stated: the weights treated as absent are cut from the Net and the output change measured on
//     the analysis rows, so the program reads y = f(a) + g(b) + r with r's size known (0 when nothing was cut).
import type { Net } from "../net/net.ts";
import { runNet } from "../net/run.ts";
import { sliceRows } from "../data/batch.ts";
import { probePass as probeNetPass } from "../passes/probe.ts";
import type { NetStats } from "../passes/stats.ts";
import { hasHiddenDense, partitionUnits, type UnitPartition } from "../recover/unit-partition.ts";
import { weightGraph, subgraph, type WeightGraph } from "../recover/module-graph.ts";
import { ncutBeside } from "../recover/modules.ts";
import type { ModuleInfo, Program } from "../program/program.ts";
import type { ExplainPass } from "./explain.ts";
import { clusterability } from "./carve-pass.ts";

/** Statement kinds that move or combine values without naming a computation (never a module of their own). */
const PLUMBING = new Set(["affine", "concat", "pick", "lincomb", "reshape", "add", "act", "onehot"]);
/** Rows used to measure the cut's cost (enough for a maximum; cheap on wide nets). */
const CHECK_ROWS = 512;
/** Most dense weights the partition reads (an MNIST MLP has 0.1 M; AlexNet's classifier 59 M). */
const MAX_DENSE_WEIGHTS = 4_000_000;
/** Fewest units for an n-cut beside shuffled copies (carve's clusterability line uses the same floor). */
const MIN_NCUT_NODES = 64;
/** Weight-shuffled copies for the n-cut baseline. */
const SHUFFLES = 3;

export const modulesPass: ExplainPass = {
  name: "modules",
  doc: "the module partition of the hidden units (dataflow through carriers, named primitives kept whole), its n-cut beside shuffled copies, and what cutting the weights between modules costs",
  run(s) {
    const program = s.program;
    const net = s.lowered ?? s.net;
    if (!program || !net || !s.data) return { out: s, report: { pass: "modules", summary: "no program to partition", details: [] } };
    if (!hasHiddenDense(net)) return { out: s, report: { pass: "modules", summary: "no dense hidden layers to partition", details: [] } };
    // The partition keeps every dense weight as an edge: above this many it is skipped, and the report says so.
    const dense = net.layers.reduce((a, l) => a + (l.kind === "affine" && l.shape.length === 1 ? l.W.length : 0), 0);
    if (dense > MAX_DENSE_WEIGHTS) return { out: s, report: { pass: "modules", summary: `skipped: ${dense.toLocaleString("en-US")} dense weights (the partition reads up to ${MAX_DENSE_WEIGHTS.toLocaleString("en-US")})`, details: [] } };
    const feeds = Object.fromEntries(net.inputs.map((inp, i) => [inp.name, s.data!.oneSample ? s.data!.analysis[i] : sliceRows(s.data!.analysis[i], 0, Math.min(CHECK_ROWS, s.data!.analysis[i].shape[0]))]));
    // The stats must describe the lowered Net: the probe's (kept by simplify), or probe it again.
    const stats: NetStats | undefined = s.lowered && s.lowered !== s.net
      ? s.loweredStats ?? probeNetPass.run({ net, data: Object.fromEntries(net.inputs.map((inp, i) => [inp.name, s.data!.analysis[i]])), oneSample: s.data.oneSample }).out.stats
      : s.stats;
    const part = partitionUnits(net, stats);
    if (part.count < 2) {
      // One stream: whether spectral clusters are more than chance is still worth a line (Filan et al.'s test).
      const c = s.net ? clusterability(s.net, s.stats) : undefined;
      const one = part.count ? "one dataflow module: the hidden units compute one stream" : "no dense hidden layers to partition";
      return { out: s, report: { pass: "modules", summary: c ? `${one}; ${c}` : one, details: c ? [c] : [] } };
    }
    const whole = new Set((s.build?.statements ?? []).filter((st) => st.recogniser === "logic-net" || st.recogniser === "piecewise-net").map((st) => st.out));
    const g = weightGraph(net, stats);
    const { labels, count, merged } = keepPrimitivesWhole(program, part, whole, g);
    const info = describe(program, net, labels, count, part, feeds, g);
    const details = info.modules.map((m) => `${m.name}: ${m.units.length} units${m.statements.length ? ` (${m.statements.join(", ")})` : ""}`);
    if (merged.length) details.push(`kept whole: ${merged.join("; ")}`);
    const ncut = info.ncut !== undefined ? `; n-cut ${info.ncut.toFixed(3)}${info.shuffled ? ` vs ${info.shuffled.mean.toFixed(3)} +- ${info.shuffled.sd.toFixed(3)} on ${info.shuffled.copies} weight-shuffled copies` : ""}` : "";
    const r = info.residual;
    const cost = r.weights ? `apart but for ${r.weights} weight(s) below 1% of their row: cut, y = (modules apart) + r with max |r| ${r.maxAbsErr.toExponential(1)} (${r.relErr.toExponential(1)} of max |y|) on the analysis rows` : "exactly apart: no weight is cut";
    return { out: { ...s, program: { ...program, modules: info } }, report: { pass: "modules", summary: `${count} modules over ${labels.size} hidden units${ncut}; ${cost}`, details } };
  },
};

/** Merge the dataflow modules whose computing units one named (non-plumbing, not whole-Net) statement of the entry
 *  function implements. */
function keepPrimitivesWhole(p: Program, part: UnitPartition, whole: ReadonlySet<string>, g: WeightGraph): { labels: Map<string, number>; count: number; merged: string[] } {
  // Module adjacency: a weight between units of two modules.
  const adj = Array.from({ length: part.count }, () => new Set<number>());
  const labelOf = (i: number) => part.labels.get(`${g.nodes[i].layer}:${g.nodes[i].unit}`);
  for (let i = 0; i < g.adj.n; i++) {
    const a = labelOf(i);
    if (a === undefined) continue;
    for (let q = g.adj.rowStart[i]; q < g.adj.rowStart[i + 1]; q++) {
      const b = labelOf(g.adj.col[q]);
      if (b !== undefined && b !== a) { adj[a].add(b); adj[b].add(a); }
    }
  }
  const parent = Array.from({ length: part.count }, (_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x])));
  const merged: string[] = [];
  const entry = p.functions.find((f) => f.name === p.entry);
  // A statement's own units: those of its slice no earlier statement named (a slice also lists the units of the
  // values it reads: `max(m, m2)` lists m's and m2's).
  const claimed = new Set<string>();
  for (const st of entry?.body ?? []) {
    if (st.kind !== "prim") continue;
    const own = unitsOf(st.prim.slice.layers).filter((u) => !claimed.has(u));
    own.forEach((u) => claimed.add(u));
    if (PLUMBING.has(st.prim.kind) || whole.has(st.out.name)) continue;
    const mods = new Set<number>();
    for (const u of own) {
      const m = part.labels.get(u);
      if (m !== undefined && !part.carriers.has(u)) mods.add(find(m));
    }
    if (mods.size < 2) continue;
    // The modules it spans are its internal stages: their whole connected part of the module graph is one module.
    const comp = new Set([...mods].flatMap((m) => [...moduleComponent(m, adj)]).map(find));
    const [first, ...rest] = [...comp];
    for (const m of rest) parent[find(m)] = find(first);
    merged.push(`${st.out.name} = ${st.prim.kind}(...) spans ${mods.size} dataflow modules: their connected part (${comp.size}) is one module`);
  }
  const renum = new Map<number, number>();
  const labels = new Map<string, number>();
  for (const [u, m] of part.labels) {
    const r = find(m);
    if (!renum.has(r)) renum.set(r, renum.size);
    labels.set(u, renum.get(r)!);
  }
  return { labels, count: renum.size, merged };
}

/** The modules connected to m in the module graph (m included). */
function moduleComponent(m: number, adj: readonly Set<number>[]): Set<number> {
  const seen = new Set([m]);
  const stack = [m];
  while (stack.length) for (const x of adj[stack.pop()!]) if (!seen.has(x)) { seen.add(x); stack.push(x); }
  return seen;
}

/** The lowered Net's unit ids a slice names (its origins when simplify renumbered units). */
function unitsOf(layers: readonly { id: string; units: number[] | null; origin?: string[] }[]): string[] {
  return layers.flatMap((l) => l.origin ?? (l.units ?? []).map((u) => `${l.id}:${u}`));
}

/** The ModuleInfo: modules with their units and the statements covering them, the cut's cost, the n-cut. */
function describe(p: Program, net: Net, labels: Map<string, number>, count: number, part: UnitPartition, feeds: Record<string, import("../graph/tensor.ts").Tensor>, g: WeightGraph): ModuleInfo {
  const units: string[][] = Array.from({ length: count }, () => []);
  for (const [u, m] of labels) units[m].push(u);
  const stmts: string[][] = Array.from({ length: count }, () => []);
  const entry = p.functions.find((f) => f.name === p.entry);
  const seen = new Set<string>();
  for (const st of entry?.body ?? []) {
    // The statements that compute a module: not plumbing (concat, picks), not a slice's residual (it spans all).
    if (st.kind === "prim" ? PLUMBING.has(st.prim.kind) && st.prim.kind !== "affine" : /^residual_\d+$/.test(st.fn)) continue;
    const layers = st.kind === "prim" ? st.prim.slice.layers : st.slice?.layers ?? [];
    const name = st.kind === "prim" ? st.out.name : st.outs.map((o) => o.name).join(", ");
    // Its own units: a slice also lists the units of the values it reads (`max(m, m2)` lists m's).
    const own = unitsOf(layers).filter((u) => !seen.has(u));
    own.forEach((u) => seen.add(u));
    const ms = new Set(own.flatMap((u) => (labels.has(u) && !part.carriers.has(u) ? [labels.get(u)!] : [])));
    for (const m of ms) if (!stmts[m].includes(name)) stmts[m].push(name);
  }
  const residual = cutCost(net, feeds);
  const keep = g.nodes.flatMap((nd, i) => (labels.has(`${nd.layer}:${nd.unit}`) ? [i] : []));
  let nc: { ncut: number; shuffled?: ModuleInfo["shuffled"] } | undefined;
  // Small graphs are left out: their shuffled copies fall apart into isolated nodes (n-cut 0 both ways).
  if (keep.length >= MIN_NCUT_NODES && keep.length <= 20000) {
    const sub: WeightGraph = { ...g, nodes: keep.map((i) => g.nodes[i]), adj: subgraph(g.adj, keep) };
    nc = ncutBeside(sub, Int32Array.from(keep, (i) => labels.get(`${g.nodes[i].layer}:${g.nodes[i].unit}`)!), count, SHUFFLES);
  }
  return {
    modules: units.map((u, k) => ({ name: `m${k + 1}`, units: u, statements: stmts[k] })),
    residual,
    ...(nc ? { ncut: nc.ncut, ...(nc.shuffled ? { shuffled: nc.shuffled } : {}) } : {}),
  };
}

/** Cut every dense weight below 1% of its row (what the partition treats as absent) and measure the output change. */
function cutCost(net: Net, feeds: Record<string, import("../graph/tensor.ts").Tensor>): ModuleInfo["residual"] {
  let weights = 0;
  const cut: Net = {
    ...net,
    layers: net.layers.map((l) => {
      if (l.kind !== "affine" || l.shape.length !== 1) return l;
      const W = Float32Array.from(l.W);
      for (let j = 0; j < l.outFeatures; j++) {
        let m = 0;
        for (let i = 0; i < l.inFeatures; i++) m = Math.max(m, Math.abs(W[j * l.inFeatures + i]));
        for (let i = 0; i < l.inFeatures; i++) {
          const w = W[j * l.inFeatures + i];
          if (w !== 0 && Math.abs(w) <= 1e-2 * m) { W[j * l.inFeatures + i] = 0; weights++; }
        }
      }
      return { ...l, W };
    }),
  };
  if (!weights) return { maxAbsErr: 0, relErr: 0, weights };
  const a = runNet(net, feeds, { keep: [] }).outputs, b = runNet(cut, feeds, { keep: [] }).outputs;
  let err = 0, top = 0;
  for (const o of net.outputs) {
    const x = a[o.name].data, y = b[o.name].data;
    for (let i = 0; i < x.length; i++) { err = Math.max(err, Math.abs(Number(x[i]) - Number(y[i]))); top = Math.max(top, Math.abs(Number(x[i]))); }
  }
  return { maxAbsErr: err, relErr: top ? err / top : err, weights };
}
