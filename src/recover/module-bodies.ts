// Primitives inside module functions. The module builder (program/build-modules.ts) writes each module as a
// function of whole ReLU layers and leaves the output layer in main: `a_k = f(x[cols_k]); y = W @ [a_1.., x] + b`.
// The primitives of a module live across that boundary (max(a, b) = a + relu(b - a) needs the output row and the
// skip from x), so the slice rules, run on main, never see them. Two steps, each measured:
//   1. absorb: when every output row reads one call only (its values, and x only inside that call's pick), and
//      the calls of one function read it through the same block, the block moves into the function:
//        y[R_k] = W_k @ [f(u_k), u_k] + b_k, W_k = W_f for every call k  ->  g(u) = W_f @ [f(u), u] + b_f; y = [g(u_1), ..]
//   2. name: each function body becomes a small Net (its layers, its own probe sample: the calls' arguments on the
//      analysis rows) and the flat builder (slice rules, whole-Net readings) writes it, as it writes main.
// The program is kept only when some body got a name and the whole program stays within the module builder's
// budget (rounding level under --exact) on the analysis sample.
import type { Tensor } from "../graph/tensor.ts";
import type { Layer, Net } from "../net/net.ts";
import { probe } from "../passes/probe.ts";
import type { NetStats } from "../passes/stats.ts";
import { measureFn } from "../program/build-modules-emit.ts";
import type { CallStmt, Fn, NetSlice, PrimStmt, Program, Stmt, Var, Weight } from "../program/program.ts";
import { runFn } from "../program/run.ts";
import { absorbOutputRows, pickCols } from "./module-absorb.ts";
import type { BudgetJudge, Verdict } from "../program/budget-judge.ts";

export { absorbOutputRows };

/** What the flat builder returns (build.ts's buildProgram without modules), as far as naming bodies needs. */
export interface FlatBuild {
  program: Program;
  report: { slices: { rules: string[]; error: number; complete: boolean }[] };
}

export interface BodyOptions {
  stats?: NetStats;
  box?: { lo: number; hi: number };
  bits: boolean;
  exact?: boolean;
  tolerance?: number;
  /** The run's one budget: the named program is judged whole against the original (replaces `tolerance`). */
  judge?: BudgetJudge;
  /** The flat builder, passed in (build.ts imports this file). */
  buildFlat(net: Net, o: { stats?: NetStats; box?: { lo: number; hi: number }; bitInputs?: ReadonlySet<string>; name: string }): FlatBuild;
}

/** Per function whose body the rules named: its name, the rules, and whether output rows moved into it. */
export interface BodyReport {
  fn: string;
  rules: string[];
  absorbed: boolean;
  residual: boolean;
}

const width = (v: Var) => (v.type.kind === "vec" || v.type.kind === "bits" ? v.type.n : -1);

/** The module program with named function bodies, or undefined when no body got a name within the budget. */
export function nameModuleBodies(net: Net, p: Program, o: BodyOptions): { program: Program; bodies: BodyReport[]; verdict?: Verdict } | undefined {
  const absorbed = absorbOutputRows(p);
  const base = absorbed ?? p;
  const named = nameBodies(net, base, o, !!absorbed);
  if (!named) return undefined;
  const { err, top } = measureFn(net, named.program, o.stats);
  const budget = o.tolerance ?? (o.exact ? 2e-6 * (1 + top) : 1e-3 * top);
  const before = measureFn(net, p, o.stats).err;
  const own = err <= Math.max(budget, before);
  if (!o.judge) return own ? named : undefined;
  // The run's one budget: the named program whole against the original (under --exact its own change rounding
  // level too).
  if (o.exact && !own) return undefined;
  const verdict = o.judge.program(named.program);
  return verdict.ok ? { ...named, verdict } : undefined;
}

/** Step 2: every function body the flat builder can name, named; undefined when none. */
function nameBodies(net: Net, p: Program, o: BodyOptions, absorbed: boolean): { program: Program; bodies: BodyReport[] } | undefined {
  const main = p.functions.find((f) => f.name === p.entry)!;
  const fns = new Map(p.functions.map((f) => [f.name, f]));
  const x = main.params[0]?.name;
  const def = new Map<string, Stmt>();
  for (const s of main.body) for (const v of s.kind === "call" ? s.outs : [s.out]) def.set(v.name, s);
  // The calls' arguments on the analysis sample.
  const xs = o.stats?.sample.inputs[net.inputs[0]?.name ?? ""];
  const callArgs = new Map<string, Tensor[][]>();
  if (xs && main.params.length === 1) {
    const calls = main.body.filter((s): s is CallStmt => s.kind === "call");
    const names = calls.flatMap((c) => c.args);
    const vals = runFn({ ...main, returns: names }, [xs], fns);
    let at = 0;
    for (const c of calls) {
      callArgs.set(c.fn, [...(callArgs.get(c.fn) ?? []), vals.slice(at, at + c.args.length)]);
      at += c.args.length;
    }
  }
  const bodies: BodyReport[] = [];
  const out: Fn[] = [];
  const extra: Fn[] = [];
  for (const f of p.functions) {
    if (f === main) { out.push(f); continue; }
    // An absorbed function also returning its units (main's cross-module weights read them): name the rows,
    // then compute the units as before.
    const keep = f.returns.slice(1);
    const sub = bodyNet(keep.length ? { ...f, returns: [f.returns[0]] } : f);
    const calls = main.body.filter((s): s is CallStmt => s.kind === "call" && s.fn === f.name);
    if (!sub || !calls.length) { out.push(f); continue; }
    // Box and bits hold for a parameter when every call passes a pick of the input.
    const picked = calls.every((c) => c.args.length === 1 && (c.args[0] === x || pickCols(def.get(c.args[0]), x!)));
    const args = callArgs.get(f.name);
    let stats: NetStats | undefined;
    if (args) {
      const data = Object.fromEntries(f.params.map((v, i) => [v.name, stackRows(args.map((a) => a[i]))]));
      stats = probe({ net: sub.net, data }).stats;
    }
    const built = o.buildFlat(sub.net, {
      name: f.name, ...(stats ? { stats } : {}), ...(picked && o.box ? { box: o.box } : {}),
      ...(picked && o.bits ? { bitInputs: new Set(f.params.map((v) => v.name)) } : {}),
    });
    const rules = built.report.slices.flatMap((s) => s.rules);
    if (!rules.length) { out.push(f); continue; }
    const [bodyFn, ...residuals] = built.program.functions;
    const rename = new Map(residuals.map((r) => [r.name, `${f.name}_${r.name}`]));
    const fix = (g: Fn): Fn => ({ ...g, name: rename.get(g.name) ?? g.name, body: g.body.map((s) => relabel(s, f.name, rename, sub.units)) });
    const named = fix(bodyFn);
    if (keep.length) {
      const pre = new Map(f.params.map((v, i) => [v.name, named.params[i].name]));
      const own = (v: string) => pre.get(v) ?? `${v}_units`;
      const units = f.body.filter((st) => st.kind === "prim" && !["o", `${f.name}_cat`].includes(st.out.name)) as PrimStmt[];
      named.body.push(...units.map((st) => ({ ...st, out: { ...st.out, name: own(st.out.name) }, args: st.args.map(own) })));
      named.returns = [...named.returns, ...keep.map(own)];
    }
    out.push({ ...named, name: f.name, ...(f.doc ? { doc: f.doc } : {}) });
    extra.push(...residuals.map(fix));
    bodies.push({ fn: f.name, rules, absorbed, residual: residuals.length > 0 });
  }
  if (!bodies.length) return undefined;
  return { program: { ...p, functions: [...out, ...extra] }, bodies };
}

/** Where a body layer's units are in the outer Net: the module's rows, and whether body index i is rows[i]. */
interface UnitMap {
  units: number[] | null;
  indexed: boolean;
}

/** A function body of affine (+relu) and concat statements as a Net, with each layer's units in the outer Net. */
function bodyNet(f: Fn): { net: Net; units: Map<string, UnitMap> } | undefined {
  if (f.returns.length !== 1) return undefined;
  const layers: Layer[] = [];
  const idOf = new Map<string, string>(f.params.map((v) => [v.name, v.name]));
  const units = new Map<string, UnitMap>();
  const used = new Set<string>(f.params.map((v) => v.name));
  const fresh = (want: string) => {
    let n = want;
    for (let k = 2; used.has(n); k++) n = `${want}_${k}`;
    used.add(n);
    return n;
  };
  for (const s of f.body) {
    if (s.kind !== "prim" || width(s.out) < 0) return undefined;
    const ins = s.args.map((a) => idOf.get(a));
    if (ins.some((i) => !i)) return undefined;
    const n = width(s.out);
    if (s.prim.kind === "concat" && s.prim.params.axis === 0) {
      const id = fresh(`${f.name}_${s.out.name}`);
      layers.push({ kind: "concat", axis: 0, id, inputs: ins as string[], shape: [n], dtype: "float32", origin: [] });
      idOf.set(s.out.name, id);
      continue;
    }
    if (s.prim.kind !== "affine") return undefined;
    const { W, b, act } = s.prim.params;
    if (act && act.fn !== "relu") return undefined;
    const sl = s.prim.slice.layers;
    const affId = fresh(sl[0]?.id ?? `${f.name}_${s.out.name}`);
    units.set(affId, { units: sl[0]?.units ?? null, indexed: sl[0]?.units?.length === n });
    layers.push({ kind: "affine", W: W.data, b: b.data, inFeatures: W.shape[1], outFeatures: W.shape[0], id: affId, inputs: ins as string[], shape: [n], dtype: "float32", origin: [] });
    let last = affId;
    if (act) {
      const actId = fresh(sl[1]?.id ?? `${affId}_relu`);
      units.set(actId, { units: sl[1]?.units ?? null, indexed: sl[1]?.units?.length === n });
      layers.push({ kind: "act", fn: "relu", id: actId, inputs: [affId], shape: [n], dtype: "float32", origin: [] });
      last = actId;
    }
    idOf.set(s.out.name, last);
  }
  const ret = idOf.get(f.returns[0]);
  if (!ret || !layers.length) return undefined;
  return {
    net: { inputs: f.params.map((v) => ({ name: v.name, dtype: "float32", shape: [width(v)], batchDim: "N" })), layers, outputs: [{ name: "y", from: ret }] },
    units,
  };
}

/** A statement of a sub-build moved into the program: ids and weight names prefixed, calls renamed, slice units
 *  mapped back to the outer Net's. */
function relabel(s: Stmt, prefix: string, rename: ReadonlyMap<string, string>, units: ReadonlyMap<string, UnitMap>): Stmt {
  const mapSlice = (sl: NetSlice): NetSlice => ({
    layers: sl.layers.map((e) => {
      const u = units.get(e.id);
      if (!u) return e;
      // Indices of the body's layer are indices into the module's rows when the body kept them one to one;
      // a canonical body (units merged) names the module's rows as a whole.
      return { id: e.id, units: u.indexed && e.units ? e.units.map((i) => u.units![i]) : u.units };
    }),
    weights: sl.weights.map((w) => renamedWeight(w, prefix)),
  });
  if (s.kind === "call") return { ...s, fn: rename.get(s.fn) ?? s.fn, ...(s.slice ? { slice: mapSlice(s.slice) } : {}) };
  const params = renameWeights(s.prim.params, prefix) as PrimStmt["prim"]["params"];
  return { ...s, prim: { ...s.prim, params, id: `${prefix}_${s.prim.id}`, slice: mapSlice(s.prim.slice) } as PrimStmt["prim"] };
}

const seenW = new WeakMap<Weight, Weight>();
function renamedWeight(w: Weight, prefix: string): Weight {
  let r = seenW.get(w);
  if (!r) {
    r = { ...w, name: `${prefix}_${w.name}` };
    seenW.set(w, r);
  }
  return r;
}

/** Weight objects inside primitive params, renamed (one level deep: params hold weights or plain values). */
function renameWeights(params: unknown, prefix: string): unknown {
  if (!params || typeof params !== "object") return params;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
    out[k] = v && typeof v === "object" && "data" in v && "name" in v && (v as Weight).data instanceof Float32Array ? renamedWeight(v as Weight, prefix) : v;
  }
  return out;
}

/** Row-stack tensors of the same per-row shape. */
function stackRows(ts: Tensor[]): Tensor {
  const per = ts[0].shape.slice(1);
  const n = ts.reduce((a, t) => a + t.shape[0], 0);
  const data = new Float32Array(ts.reduce((a, t) => a + t.data.length, 0));
  let off = 0;
  for (const t of ts) {
    data.set(t.data as Float32Array, off);
    off += t.data.length;
  }
  return { ...ts[0], shape: [n, ...per], data };
}
