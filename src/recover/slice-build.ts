// One ReLU slice to statements: lift it (slice.ts), emit what the rules named (slice-emit.ts), then measure the
// named statements against the Net's own units on the probe sample.
//   exact (rounding level): the statements stand alone;
//   else: y = named + r, where r = residual_k(x, named) is the slice's own units minus the named value, its size
//   stated (max |r| on the data). Faithful either way; `show` opens r like any call.
// A slice where no rule fired returns undefined: the builder writes it layer by layer as before.
import type { Tensor } from "../graph/tensor.ts";
import type { Layer, Net } from "../net/net.ts";
import type { NetStats } from "../passes/stats.ts";
import { runFn } from "../program/run.ts";
import type { Fn, PrimStmt, Stmt } from "../program/program.ts";
import type { SliceRecogniser } from "./recogniser.ts";
import { liftSlice, worthLifting, type ReluSlice } from "./slice.ts";
import { neededAtoms, SliceEmitter, unitSlice, type EmitNames } from "./slice-emit.ts";
import { SymView, type Lin } from "./symbolic.ts";

/** What building a slice needs from the builder. */
export interface SliceBuildCtx {
  net: Net;
  rules: readonly SliceRecogniser[];
  stats?: NetStats;
  /** The box every entry of a value lies in, when the domain proves one. */
  boxOf(value: string): { lo: number; hi: number } | undefined;
  bits: boolean;
  names: EmitNames;
  /** The slice's layers as whole-layer statements in a fresh scope, source values read from the given names (the residual's body). */
  layerStatements(layers: Layer[], sources: ReadonlyMap<string, string>, fresh: (want: string) => string): { body: PrimStmt[]; out: string };
}

/** The statements of a slice, the functions they call, and what happened. */
export interface SliceBuilt {
  body: Stmt[];
  fns: Fn[];
  /** Rules that fired, with counts; units dropped and why; the measured error (0 = rounding level). */
  rules: string[];
  dropped: string[];
  error: number;
  exactBy: string;
  /** Every output named: no leftover unit stays beside the names. */
  complete: boolean;
}

/** Rounding level for a slice output of magnitude `scale` (float32 arithmetic through a few layers). */
const roundingLevel = (scale: number) => 2e-6 * (1 + scale);

/** Build a slice's statements, its output named `outName`; undefined when no rule named anything. */
export function buildSlice(s: ReluSlice, outName: string, ctx: SliceBuildCtx, residualIndex: () => number): SliceBuilt | undefined {
  if (!worthLifting(s)) return undefined;
  const box = (id: string) => ctx.boxOf(id);
  const seen = (id: string) => seenRange(id, s.sources.find((x) => x.id === id)!.width, ctx.stats);
  const proven = s.sources.every((x) => ctx.boxOf(x.id));
  const lift = (rules: readonly SliceRecogniser[]) => {
    const v = new SymView();
    return { view: v, outs: liftSlice(s, v, { box, seen, ...(ctx.stats ? { stats: ctx.stats } : {}), ctx: { net: ctx.net, ...(ctx.stats ? { stats: ctx.stats } : {}), bits: ctx.bits }, rules }) };
  };
  // Identities first: when a proven rule names the outputs together (sort, one-hot argmax), readings that rest
  // on the data (thresholds of two-valued units, fits) must not take its units apart first. Lifting again
  // without them is needed only when one of them fired.
  let { view, outs } = lift(ctx.rules);
  if (ctx.rules.some((r) => r.observed && (view.formFired.has(r.name) || view.vectorFired.includes(r.name)))) {
    const proven = lift(ctx.rules.filter((r) => !r.observed));
    if (proven.view.vectorFired.length) ({ view, outs } = proven);
  }
  if (view.fired.size === 0) return undefined;
  const named = outs.map((f) => view.snapForm(f));
  const units = s.layers.filter((l) => l.kind === "act").flatMap((l) => Array.from({ length: l.shape[0] }, (_, i) => `${l.id}:${i}`));
  const emitter = new SliceEmitter(view, ctx.names, 0);
  const observed = view.dropped.filter((d) => d.why !== "provably never active over the box");
  const provenDrops = view.dropped.filter((d) => d.why === "provably never active over the box");
  const srcs = s.sources.map((x) => ctx.names.source(x.id).name);
  const srcParams = s.sources.map((x, k) => ({ name: srcs[k], type: { kind: "vec" as const, n: x.width } }));

  // Measure on the probe sample: the named statements vs the slice's units.
  const srcT = s.sources.map((x) => ctx.stats?.sample.inputs[x.id] ?? ctx.stats?.sample.activations[x.id]);
  const exactT = ctx.stats?.sample.activations[s.exit.id];
  const namedName = ctx.names.fresh(`${outName}_named`);
  emitter.emitOutputs(named, namedName, units);
  const trial: Fn = { name: "slice", params: srcParams, body: emitter.body, returns: [namedName] };
  let error: number;
  let scale = 0;
  let perOutput: number[] | undefined;
  if (srcT.every((t) => t) && exactT) {
    const got = runFn(trial, srcT as Tensor[], new Map()).at(0)!;
    error = maxAbsDiff(got, exactT);
    perOutput = columnMaxDiff(got, exactT, named.length);
    scale = maxAbs(exactT);
  } else {
    // No data to measure on: only what the identities prove by construction.
    if (view.maxSnap > 1e-6 || observed.length || view.assumed.length) return undefined;
    error = 0;
  }
  const exact = error <= roundingLevel(scale);
  // Names with a residual only pay off when they explain the whole output: a fitted slice that still needs
  // leftover units beside its names reads worse than the layers themselves.
  const complete = ![...neededAtoms(view, named)].some((id) => view.at(id).kind === "relu");
  if (!exact && !complete) return undefined;
  const rules = [...view.fired].map(([k, n]) => (n > 1 ? `${k} x${n}` : k));
  const dropped = view.dropped.map((d) => `${d.unit} (${d.why})`);
  // Units dropped or taken as linear because of what the data showed hold on the data only: the rest of the
  // slice is then kept as a residual (0 on the analysis data) so the program equals the network everywhere.
  const observedClaims = observed.length + view.assumed.length;
  const exactBy = !exact ? "fitted" : observedClaims ? `exact on the analysis data, relying on ${observedClaims} observation(s) (units never or always active, fitted outputs)` : view.maxSnap <= 1e-6 ? (proven ? "proven: the identities are exact and the dropped units are dead over the box" : "proven: the identities are exact") : "measured on the data";
  const body: Stmt[] = [...emitter.body];
  const fns: Fn[] = [];
  const dropNote = view.dropped.length ? `; ${provenDrops.length ? `${provenDrops.length} units provably never active` : ""}${provenDrops.length && observed.length ? ", " : ""}${observed.length ? `${observed.length} never active on the data` : ""} dropped` : "";
  if (exact && !observedClaims) {
    rename(body, namedName, outName);
    const last = body.find((st) => st.kind === "prim" && st.out.name === outName) as PrimStmt;
    last.comment = [last.comment, `${exactBy === "measured on the data" ? "exact on the data" : "exact"}${dropNote}`].filter(Boolean).join("; ");
    return { body, fns, rules, dropped, error: 0, exactBy, complete };
  }
  // The rest of the slice, as its own function: the Net's units minus the named value.
  // The measured difference belongs to what was named (picks, sums and lists are plumbing).
  // Each named statement states the error of the outputs that read it: a slice naming two functions side by side
  // (clamp of one input beside max of two others) states each one's own, not the larger.
  const readers = statementReaders(emitter, view, named);
  for (const st of body) {
    if (st.kind !== "prim" || ["pick", "lincomb", "concat"].includes(st.prim.kind)) continue;
    const outs = readers.get(st.out.name);
    st.prim.error = perOutput && outs?.length ? Math.max(...outs.map((o) => perOutput[o])) : error;
  }
  const k = residualIndex();
  const fnName = `residual_${k}`;
  const local = new Set<string>();
  const freshLocal = (want: string) => {
    let n = want;
    for (let i = 2; local.has(n) || n === "named"; i++) n = `${want}_${i}`;
    local.add(n);
    return n;
  };
  const params = s.sources.map((x) => ({ name: freshLocal(s.sources.length === 1 ? "x" : srcs[s.sources.indexOf(x)]), type: { kind: "vec" as const, n: x.width } }));
  const inner = ctx.layerStatements(s.layers, new Map(s.sources.map((x, k) => [x.id, params[k].name])), freshLocal);
  const rName = freshLocal("r");
  const rStmt: PrimStmt = {
    kind: "prim", out: { name: rName, type: { kind: "vec", n: s.exit.shape[0] } }, args: [inner.out, "named"],
    prim: { kind: "lincomb", params: { coefs: [1, -1], bias: 0 }, id: ctx.names.primId(), slice: { layers: [], weights: [] }, error: 0 },
  };
  fns.push({
    name: fnName,
    params: [...params, { name: "named", type: { kind: "vec", n: s.exit.shape[0] } }],
    body: [...inner.body, rStmt], returns: [rName],
    doc: "the slice's own units minus the named value: what the names leave out",
  });
  const r = ctx.names.fresh(`${outName}_rest`);
  const outT = { kind: "vec" as const, n: s.exit.shape[0] };
  body.push({
    kind: "call", outs: [{ name: r, type: outT }], args: [...srcs, namedName], fn: fnName, slice: unitSlice(units),
    comment: exact
      ? `0 on the ${srcT[0]!.shape[0]} analysis samples; kept since ${observedClaims} claim(s) were judged on the data`
      : `max |r| ${error.toExponential(1)} on ${srcT[0]!.shape[0]} samples (${(error / Math.max(scale, 1e-30) * 100).toPrecision(2)}% of max |y|)`,
  });
  body.push({
    kind: "prim", out: { name: outName, type: outT }, args: [namedName, r],
    prim: { kind: "lincomb", params: { coefs: [1, 1], bias: 0 }, id: ctx.names.primId(), slice: { layers: [], weights: [] }, error: 0 },
    comment: `named + rest${dropNote}`,
  });
  return { body, fns, rules, dropped, error, exactBy, complete };
}

/** Per entry of a slice source, the range seen on the analysis data (probe statistics, else the sample). */
function seenRange(id: string, width: number, stats?: NetStats): { lo: number[]; hi: number[] } | undefined {
  if (!stats) return undefined;
  const ls = stats.layers.find((l) => l.layer === id);
  if (ls && ls.units === width) return { lo: [...ls.min], hi: [...ls.max] };
  const t = stats.sample.inputs[id];
  if (!t || t.shape.length !== 2 || t.shape[1] !== width) return undefined;
  const d = t.data as Float32Array;
  const lo = new Array<number>(width).fill(Infinity), hi = new Array<number>(width).fill(-Infinity);
  for (let r = 0; r < t.shape[0]; r++) {
    for (let i = 0; i < width; i++) {
      const x = d[r * width + i];
      if (x < lo[i]) lo[i] = x;
      if (x > hi[i]) hi[i] = x;
    }
  }
  return { lo, hi };
}

/** Per statement the emitter wrote, the slice outputs whose named forms read it (through any operands). */
function statementReaders(emitter: SliceEmitter, view: SymView, named: Lin[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  named.forEach((f, o) => {
    for (const id of neededAtoms(view, [f])) {
      const p = emitter.places.get(id);
      if (!p) continue;
      const list = out.get(p.name) ?? [];
      if (!list.includes(o)) list.push(o);
      out.set(p.name, list);
    }
  });
  return out;
}

/** Largest |a - b| per column of two [rows, n] tensors. */
function columnMaxDiff(a: Tensor, b: Tensor, n: number): number[] | undefined {
  const x = a.data as Float32Array, y = b.data as Float32Array;
  if (x.length !== y.length || x.length % n) return undefined;
  const m = new Array<number>(n).fill(0);
  for (let i = 0; i < x.length; i++) m[i % n] = Math.max(m[i % n], Math.abs(x[i] - y[i]));
  return m;
}

function rename(body: Stmt[], from: string, to: string): void {
  for (const st of body) {
    if (st.kind === "prim" && st.out.name === from) st.out = { ...st.out, name: to };
    st.args = st.args.map((a) => (a === from ? to : a));
  }
}

function maxAbs(t: Tensor): number {
  let m = 0;
  for (const v of t.data as Float32Array) m = Math.max(m, Math.abs(v));
  return m;
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = a.data as Float32Array, y = b.data as Float32Array;
  if (x.length !== y.length) return Infinity;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}
