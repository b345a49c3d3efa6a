// The Program builder: walks the Net in order. A ReLU slice (affine -> relu -> affine ... over vectors) is
// lifted to its symbolic view and rewritten by the slice recognisers (src/recover/slice-build.ts): what they
// name becomes primitives over picked entries, the rest stays explicit arithmetic on its few units. Every other
// layer (or a slice where no rule fired) becomes one readable statement per layer (or short run: an affine
// layer and its activation), asking the layer recognisers. Everything lands in `main` (plus the residual
// functions of fitted slices); module and repeat finders will add functions later.
import type { Layer, Net } from "../net/net.ts";
import type { NetStats } from "../passes/stats.ts";
import {
  recognisers as defaultRecognisers, sliceRecognisers as defaultSliceRecognisers, type Recogniser, type RecogniseCtx, type SliceRecogniser,
} from "../recover/registry.ts";
import { sliceAt } from "../recover/slice.ts";
import { buildSlice } from "../recover/slice-build.ts";
import { buildLogicNet } from "../recover/logic-net.ts";
import { readsAsWhole } from "../recover/whole-net-first.ts";
import { buildPiecewiseNet } from "../recover/piecewise-net.ts";
import { safeName } from "./emit-plan.ts";
import { buildModuleProgram, type ModuleBuildReport } from "./build-modules.ts";
import { withOrigin } from "./slice-origin.ts";
import { nameModuleBodies, type BodyReport } from "../recover/module-bodies.ts";
import { convAbsPairs, type ConvAbsReport } from "../recover/conv-abs.ts";
import { probe } from "../passes/probe.ts";
import type { BudgetJudge, Verdict } from "./budget-judge.ts";
import { typeOfShape, type Fn, type IOSpec, type PrimStmt, type Program, type Stmt, type ValueType, type Var, type Weight } from "./program.ts";

export interface BuildOptions {
  /** Program name (usually the model file's base name). */
  name?: string;
  stats?: NetStats;
  /** Override the registry, e.g. to try a new recogniser first. */
  recognisers?: readonly Recogniser[];
  /** Net input names whose values are all 0/1 (a bits domain): typed bits[n] when they are vectors. */
  bitInputs?: ReadonlySet<string>;
  /** Try the module builder first (build-modules.ts; default false, the explain pipeline turns it on): modules as
   *  functions called from main. */
  modules?: boolean;
  /** Largest max abs output change (absolute) the module builder may cost (default 1e-3 x max |y| on the probe sample). */
  tolerance?: number;
  /** --exact: the module builder may drop only what costs rounding level. */
  exact?: boolean;
  /** The run's one budget (the explain pipeline's ledger): conv abs pairs, module cuts and named module bodies are
   *  judged by the whole Net or program against the original, instead of against `tolerance` on their own input. */
  judge?: BudgetJudge;
  /** The max |error| a dropped residual may reach on the analysis rows (explain's ledger limit): whole-Net readings
   *  pick between a short reading whose residual will be dropped and an exact one by it. */
  residualBudget?: number;
  /** Override the slice recognisers (an empty list writes every layer as its own statement). */
  sliceRecognisers?: readonly SliceRecogniser[];
  /** The box every Net input entry lies in, when the domain is a box (bits: [0, 1]): lets rules prove units dead or linear. */
  box?: { lo: number; hi: number };
}

/** Which recogniser made each statement: the builder's report. */
export interface BuildReport {
  statements: { out: string; recogniser: string; layers: string[] }[];
  /** Set when the module builder made the program; else why it did not. */
  modules?: ModuleBuildReport;
  modulesSkipped?: string;
  /** Conv channel pairs read as abs (recover/conv-abs.ts). */
  convAbs?: ConvAbsReport[];
  /** Module functions whose bodies the slice rules named (recover/module-bodies.ts). */
  bodies?: BodyReport[];
  /** The run's one budget: the named module program against the original (when a judge was given). */
  bodiesVerdict?: Verdict;
  /** Per lifted slice: the rules that fired, the units dropped (and why), how exactness was established, the residual size. */
  slices: { out: string; layers: string[]; rules: string[]; dropped: string[]; exactBy: string; error: number; complete: boolean; residual: boolean }[];
}

/** Build a Program from a Net: one statement per recognised slice, all in `main`. */
export function buildProgram(net: Net, opts: BuildOptions = {}): { program: Program; report: BuildReport } {
  let modulesSkipped: string | undefined;
  // A Net read whole (a boolean function of a few bits, one-variable functions) is named whole, not cut into modules.
  const whole = readsAsWhole(net, { ...(opts.stats ? { stats: opts.stats } : {}), bits: !!opts.bitInputs?.size, ...(opts.box ? { box: opts.box } : {}) });
  if (opts.modules && !whole) {
    const m = buildModuleProgram(net, { ...(opts.name ? { name: opts.name } : {}), ...(opts.stats ? { stats: opts.stats } : {}), ...(opts.tolerance !== undefined ? { tolerance: opts.tolerance } : {}), ...(opts.exact ? { exact: true } : {}), ...(opts.judge ? { judge: opts.judge } : {}) });
    if ("program" in m) {
      // Modules that repeat are the finding; modules each called once compete with the named slices: when the
      // slice recognisers name every output (a residual, if any, stated and kept), that program says more
      // (max, abs, ...) and stays faithful, and wins.
      const calls = new Map<string, number>();
      for (const st of m.program.functions[0].body) if (st.kind === "call") calls.set(st.fn, (calls.get(st.fn) ?? 0) + 1);
      if (![...calls.values()].some((k) => k >= 2)) {
        const flat = buildProgram(net, { ...opts, modules: false });
        if (flat.report.slices.length && flat.report.slices.every((sl) => sl.complete)) {
          return { ...flat, report: { ...flat.report, modulesSkipped: `${m.report.modules} modules, each called once: the named slices name every output (exactly, or with their residual stated)` } };
        }
      }
      // The slice rules inside the functions (recover/module-bodies.ts): primitives at every level.
      const named = nameModuleBodies(net, m.program, {
        ...(opts.stats ? { stats: opts.stats } : {}), ...(opts.box ? { box: opts.box } : {}), bits: !!opts.bitInputs?.size,
        ...(opts.exact ? { exact: true } : {}), ...(opts.tolerance !== undefined ? { tolerance: opts.tolerance } : {}), ...(opts.judge ? { judge: opts.judge } : {}),
        buildFlat: (sub, o) => buildProgram(sub, { ...o, ...(opts.sliceRecognisers ? { sliceRecognisers: opts.sliceRecognisers } : {}) }),
      });
      const program = named?.program ?? m.program;
      return { program, report: { statements: moduleStatements(program), slices: [], modules: m.report, ...(named ? { bodies: named.bodies } : {}), ...(named?.verdict ? { bodiesVerdict: named.verdict } : {}) } };
    }
    modulesSkipped = m.reason;
  } else if (whole && opts.modules) modulesSkipped = "the whole Net reads as one function (gates over its bits, or piecewise in each input)";
  // Conv channel pairs relu(conv(x, K)) + relu(conv(x, -K)) read as abs (recover/conv-abs.ts): the Net written.
  const convAbs = (opts.sliceRecognisers ?? defaultSliceRecognisers).length ? convAbsPairs(net, { ...(opts.stats ? { stats: opts.stats } : {}), ...(opts.exact ? { exact: true } : {}), ...(opts.tolerance !== undefined ? { tolerance: opts.tolerance } : {}), ...(opts.judge ? { judge: opts.judge } : {}) }) : undefined;
  if (convAbs) {
    net = convAbs.net;
    if (opts.stats) opts = { ...opts, stats: probe({ net, data: opts.stats.sample.inputs }).stats };
  }
  const recs = opts.recognisers ?? defaultRecognisers;
  const layers = new Map(net.layers.map((l) => [l.id, l]));
  const consumers = new Map<string, string[]>();
  for (const l of net.layers) for (const i of l.inputs) consumers.set(i, [...(consumers.get(i) ?? []), l.id]);
  const outputs = new Set(net.outputs.map((o) => o.from));
  const consumed = new Set<string>();
  const counters = new Map<string, number>();
  let weightK = 0;
  const ctx: RecogniseCtx = {
    net, layers, consumers, outputs, consumed,
    ...(opts.stats ? { stats: opts.stats } : {}),
    weightIndex: () => ++weightK,
    nextIndex: (kind) => {
      const k = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, k);
      return k;
    },
  };

  const used = new Set<string>();
  const fresh = (want: string): string => {
    let name = safeName(want);
    for (let k = 2; used.has(name); k++) name = `${safeName(want)}_${k}`;
    used.add(name);
    return name;
  };
  const varOf = new Map<string, string>();
  const params: Var[] = net.inputs.map((inp) => {
    const name = fresh(net.inputs.length === 1 ? "x" : inp.name);
    varOf.set(inp.name, name);
    const bits = opts.bitInputs?.has(inp.name) && inp.shape.length === 1;
    return { name, type: bits ? { kind: "bits", n: inp.shape[0] } : typeOfShape(inp.shape, inp.dtype) };
  });
  // Output values are named after the model's outputs: y for a single one.
  const outName = new Map<string, string>();
  net.outputs.forEach((o) => {
    if (!outName.has(o.from) && !varOf.has(o.from)) outName.set(o.from, net.outputs.length === 1 ? "y" : o.name);
  });

  const body: Stmt[] = [];
  const extraFns: Fn[] = [];
  const report: BuildReport = { statements: [], slices: [], ...(modulesSkipped ? { modulesSkipped } : {}), ...(convAbs ? { convAbs: convAbs.reports } : {}) };
  let hidden = 0, primK = 0, residualK = 0;
  const primId = () => `p${++primK}`;
  const widthOf = (v: string) => (layers.get(v)?.shape ?? net.inputs.find((i) => i.name === v)?.shape ?? [0]).reduce((a, b) => a * b, 1);
  const sliceRecs = opts.sliceRecognisers ?? defaultSliceRecognisers;
  const boxOf = (v: string): { lo: number; hi: number } | undefined => {
    if (!opts.box) return undefined;
    if (net.inputs.some((i) => i.name === v)) return opts.box;
    // Values that only move input entries around keep the box: reshapes and slices of an input.
    const l = layers.get(v);
    const movesOnly = l && (l.kind === "reshape" || (l.kind === "opaque" && l.graph.nodes.every((n) => ["Slice", "Gather", "Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Concat", "Constant"].includes(n.op))));
    return movesOnly && l.inputs.every((i) => boxOf(i)) ? opts.box : undefined;
  };
  const layerStatements = (run: Layer[], sources: ReadonlyMap<string, string>, freshLocal: (w: string) => string) => {
    const local = new Map<string, string>(sources);
    const out: PrimStmt[] = [];
    const done = new Set<string>();
    const lctx: RecogniseCtx = { ...ctx, consumed: done };
    let last = [...sources.values()][0];
    for (const l of run) {
      if (done.has(l.id)) continue;
      const { m } = firstMatch(recs, l, lctx);
      m.layers.forEach((id) => done.add(id));
      const ll = layers.get(m.layers[m.layers.length - 1])!;
      last = freshLocal(`h${out.length + 1}`);
      local.set(ll.id, last);
      out.push({
        kind: "prim", out: { name: last, type: layerType(ll) }, args: m.args.map((a) => local.get(a)!),
        prim: { ...m.op, id: primId(), slice: m.slice, error: m.error ?? 0 }, ...(m.comment ? { comment: m.comment } : {}),
      } as PrimStmt);
    }
    return { body: out, out: last };
  };
  // The incoming weights of some ReLU units (bias last), one tensor per layer: what `show` opens.
  const unitWeights = (units: string[]): Weight[] => {
    const by = new Map<string, number[]>();
    for (const u of new Set(units)) {
      const k = u.lastIndexOf(":");
      const id = u.slice(0, k);
      by.set(id, [...(by.get(id) ?? []), Number(u.slice(k + 1))]);
    }
    const out: Weight[] = [];
    for (const [id, idx] of by) {
      const pre = layers.get(layers.get(id)?.inputs[0] ?? "");
      if (!pre || pre.kind !== "affine") continue;
      idx.sort((a, b) => a - b);
      const n = pre.inFeatures + 1;
      const data = new Float32Array(idx.length * n);
      idx.forEach((i, r) => {
        data.set(pre.W.subarray(i * pre.inFeatures, (i + 1) * pre.inFeatures), r * n);
        data[r * n + n - 1] = pre.b[i];
      });
      out.push({ name: `U${ctx.weightIndex()}_${safeName(pre.id)}`, shape: [idx.length, n], data });
    }
    return out;
  };
  // A whole boolean Net (one bits input, every output 0/1 on {0,1}^n): gates over the input bits (logic-net.ts);
  // a whole Net of one number: a piecewise-linear function of it (piecewise-net.ts).
  const logicOut = sliceRecs.length && net.outputs.length === 1 ? outName.get(net.outputs[0].from) : undefined;
  if (logicOut) {
    const name = fresh(logicOut);
    const names = { source: (v: string) => ({ name: varOf.get(v)!, n: widthOf(v) }), fresh, primId, weightIndex: ctx.weightIndex };
    const budget = opts.exact ? 0 : opts.residualBudget;
    const wctx = { net, ...(opts.stats ? { stats: opts.stats } : {}), ...(opts.box ? { box: opts.box } : {}), ...(budget !== undefined ? { budget } : {}), bits: !!opts.bitInputs?.size, names, layerStatements };
    const built = buildLogicNet(wctx, name, () => ++residualK) ?? buildPiecewiseNet(wctx, name, () => ++residualK);
    if (built) {
      const ids = net.layers.map((x) => x.id);
      ids.forEach((id) => consumed.add(id));
      varOf.set(net.outputs[0].from, name);
      body.push(...built.body);
      extraFns.push(...built.fns);
      const rule = built.where.includes("{0,1}") ? "logic-net" : "piecewise-net";
      report.statements.push({ out: name, recogniser: rule, layers: ids });
      report.slices.push({ out: name, layers: ids, rules: [rule], dropped: [], exactBy: built.error ? `fitted; error measured on ${built.where}` : `exact on ${built.where}`, error: built.error, complete: true, residual: built.error > 0 });
    } else used.delete(name);
  }
  for (const l of net.layers) {
    if (consumed.has(l.id)) continue;
    const sl = sliceRecs.length ? sliceAt(l, net, layers, consumers, outputs, consumed) : undefined;
    if (sl) {
      const want = outName.get(sl.exit.id) ?? `h${hidden + 1}`;
      const name = fresh(want);
      const built = buildSlice(sl, name, {
        net, rules: sliceRecs, ...(opts.stats ? { stats: opts.stats } : {}), boxOf, bits: !!opts.bitInputs?.size,
        names: {
          source: (v) => ({ name: varOf.get(v)!, n: widthOf(v) }), fresh, primId, weightIndex: ctx.weightIndex, unitWeights,
        },
        layerStatements,
      }, () => ++residualK);
      if (built) {
        if (!outName.has(sl.exit.id)) hidden++;
        sl.layers.forEach((x) => consumed.add(x.id));
        varOf.set(sl.exit.id, name);
        body.push(...built.body);
        extraFns.push(...built.fns);
        const ids = sl.layers.map((x) => x.id);
        report.statements.push({ out: name, recogniser: `slice (${built.rules.join(", ")})`, layers: ids });
        report.slices.push({ out: name, layers: ids, rules: built.rules, dropped: built.dropped, exactBy: built.exactBy, error: built.error, complete: built.complete, residual: built.fns.length > 0 });
        continue;
      }
      used.delete(name);
    }
    const { rec, m } = firstMatch(recs, l, ctx);
    m.layers.forEach((id) => consumed.add(id));
    const last = layers.get(m.layers[m.layers.length - 1])!;
    const args = m.args.map((a) => {
      const v = varOf.get(a);
      if (!v) throw new Error(`recogniser '${rec.name}' at layer '${l.id}' reads '${a}', whose value no earlier statement holds`);
      return v;
    });
    const name = fresh(outName.get(last.id) ?? `h${++hidden}`);
    varOf.set(last.id, name);
    const prim = {
      ...m.op, id: primId(), slice: withOrigin(net, m.slice), error: m.error ?? 0,
      ...(m.label ? { label: m.label } : {}), ...(m.description ? { description: m.description } : {}),
    };
    body.push({ kind: "prim", out: { name, type: layerType(last) }, args, prim, ...(m.comment ? { comment: m.comment } : {}) });
    report.statements.push({ out: name, recogniser: rec.name, layers: m.layers });
  }

  const returns = net.outputs.map((o) => {
    const v = varOf.get(o.from);
    if (!v) throw new Error(`Net output '${o.name}' comes from '${o.from}', which is neither a layer nor an input`);
    return v;
  });
  const batchDim = net.inputs[0]?.batchDim ?? null;
  const outSpecs: IOSpec[] = net.outputs.map((o) => {
    const l = layers.get(o.from);
    const inp = net.inputs.find((i) => i.name === o.from);
    return { name: o.name, dtype: l ? l.dtype : inp!.dtype, shape: [...(l ? l.shape : inp!.shape)], batchDim };
  });
  const program: Program = {
    name: opts.name ?? "model",
    inputs: net.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: [...i.shape], batchDim: i.batchDim })),
    outputs: outSpecs,
    functions: [{ name: "main", params, body, returns }, ...extraFns],
    entry: "main",
  };
  return { program, report };
}

function firstMatch(recs: readonly Recogniser[], l: Layer, ctx: RecogniseCtx) {
  for (const rec of recs) {
    const m = rec.match(l, ctx);
    if (m) return { rec, m };
  }
  throw new Error(`no recogniser matches layer '${l.id}' (${l.kind}); the registry needs one for every layer kind`);
}

function layerType(l: Layer): ValueType {
  return typeOfShape(l.shape, l.dtype);
}

/** The builder report's lines for a module program: one per statement of main. */
function moduleStatements(p: Program): BuildReport["statements"] {
  return p.functions[0].body.map((st) => st.kind === "call"
    ? { out: st.outs.map((o) => o.name).join(", "), recogniser: `module (${st.fn})`, layers: [] }
    : { out: st.out.name, recogniser: st.prim.kind, layers: st.prim.slice.layers.map((l) => l.id) });
}
