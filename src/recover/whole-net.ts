// Recognisers of a whole Net (one input, one output), for functions best read off all at once: a boolean
// function of a few bits (logic-net.ts), a piecewise-linear function of one number (piecewise-net.ts). They
// see through whatever layers simplification left (slices, skips, concatenations), name the function, and
// keep the Net's own layers minus the name as a residual function when the difference is above rounding.
import { unitCount, type Layer, type Net } from "../net/net.ts";
import type { NetStats } from "../passes/stats.ts";
import type { Fn, PrimStmt, Stmt } from "../program/program.ts";
import { SliceEmitter, unitSlice, type EmitNames } from "./slice-emit.ts";
import type { Lin, SymView } from "./symbolic.ts";

/** What building a whole Net needs from the builder. */
export interface WholeNetCtx {
  net: Net;
  stats?: NetStats;
  /** The input is declared 0/1 (a bits domain). */
  bits: boolean;
  /** The box every input entry lies in, when the domain is a box. */
  box?: { lo: number; hi: number };
  names: EmitNames;
  /** The max |error| a dropped residual may reach on the analysis rows (the ledger's limit; 0 under --exact;
   *  undefined: unknown, as in a build outside explain). */
  budget?: number;
  /** The layers as whole-layer statements in a fresh scope whose values `sources` are read from the named
   *  arguments (the residual's body). */
  layerStatements(layers: Layer[], sources: ReadonlyMap<string, string>, fresh: (want: string) => string): { body: PrimStmt[]; out: string };
}

export interface WholeNetBuilt {
  body: Stmt[];
  fns: Fn[];
  /** max |net - named| where it was measured (0 when at rounding level). */
  error: number;
  /** Where the error was measured, e.g. "all 16 points of {0,1}^4", "[-3, 3] (exact, by breakpoints)". */
  where: string;
}

/** Every hidden unit of the Net (`layer:index` of its activation layers). */
export function hiddenUnits(net: Net): string[] {
  return net.layers.filter((l) => l.kind === "act").flatMap((l) => Array.from({ length: unitCount(l) }, (_, i) => `${l.id}:${i}`));
}

/** The statements naming a whole Net's output: the named forms alone when `error` is at rounding level
 *  (relative to `scale`), else named + rest, rest = residual_k(x, named) = the Net's layers minus the names. */
export function emitWhole(ctx: WholeNetCtx, view: SymView, outs: Lin[], outName: string, error: number, scale: number, where: string, residualIndex: () => number): WholeNetBuilt {
  const net = ctx.net;
  const inp = net.inputs[0];
  const units = hiddenUnits(net);
  const emitter = new SliceEmitter(view, ctx.names, 0);
  // Rounding level: 1e-5 relative (DESIGN.md section 4), never looser than 1e-5 absolute.
  if (error <= 1e-5 * Math.max(1, scale)) {
    emitter.emitOutputs(outs, outName, units);
    const last = emitter.body.find((s) => s.out.name === outName)!;
    last.comment = [last.comment, `exact on ${where}`].filter(Boolean).join("; ");
    return { body: emitter.body, fns: [], error: 0, where };
  }
  const namedName = ctx.names.fresh(`${outName}_named`);
  emitter.emitOutputs(outs, namedName, units);
  for (const st of emitter.body) if (!["pick", "lincomb", "concat"].includes(st.prim.kind)) st.prim.error = error;
  const local = new Set<string>();
  const freshLocal = (want: string) => {
    let n = want;
    for (let i = 2; local.has(n) || n === "x" || n === "named"; i++) n = `${want}_${i}`;
    local.add(n);
    return n;
  };
  const inner = ctx.layerStatements(net.layers, new Map([[inp.name, "x"]]), freshLocal);
  const rName = freshLocal("r");
  const outT = { kind: "vec" as const, n: outs.length };
  const fnName = `residual_${residualIndex()}`;
  const lincomb = (coefs: number[]) => ({ kind: "lincomb" as const, params: { coefs, bias: 0 }, id: ctx.names.primId(), slice: { layers: [], weights: [] }, error: 0 });
  const fns: Fn[] = [{
    name: fnName,
    params: [{ name: "x", type: { kind: "vec", n: inp.shape[0] } }, { name: "named", type: outT }],
    body: [...inner.body, { kind: "prim", out: { name: rName, type: outT }, args: [inner.out, "named"], prim: lincomb([1, -1]) }],
    returns: [rName],
    doc: "the network's own units minus the named value: what the name leaves out",
  }];
  const r = ctx.names.fresh(`${outName}_rest`);
  const src = ctx.names.source(inp.name).name;
  const body: Stmt[] = [
    ...emitter.body,
    { kind: "call", outs: [{ name: r, type: outT }], args: [src, namedName], fn: fnName, slice: unitSlice(units), comment: `max |r| ${error.toExponential(1)} on ${where}` },
    { kind: "prim", out: { name: outName, type: outT }, args: [namedName, r], prim: lincomb([1, 1]), comment: "named + rest" },
  ];
  return { body, fns, error, where };
}
