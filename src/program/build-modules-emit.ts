// Writing the module program (see build-modules.ts): main picks each module's inputs, calls its function, and
// combines the last hidden values in the output layer; each function holds its module's layers, in canonical
// form when only the output layer reads it (so repeated modules share one function).
import type { AffineLayer, Layer, Net } from "../net/net.ts";
import type { NetStats } from "../passes/stats.ts";
import { runNet } from "../net/run.ts";
import { runProgram } from "./run.ts";
import type { Canonical, FnLayer } from "../recover/canonical.ts";
import type { Fn, NetSlice, PrimStmt, Program, Stmt, Var, Weight } from "./program.ts";
import { withOrigin } from "./slice-origin.ts";
import type { OutPart } from "./build-modules.ts";

/** A module's layers as found: rows per hidden layer (unit indices), the first layer's columns, the weights. */
export interface ModuleFn {
  module: number;
  first: number;
  last: number;
  rows: number[][];
  cols: number[];
  layers: FnLayer[];
  canonical: Canonical;
}

/** A call of a module; `same` is the module whose function it calls (itself unless repeated). */
export interface ModuleCall {
  fn: ModuleFn;
  same: ModuleFn;
}

type Affine = AffineLayer & Layer;

const vec = (n: number) => ({ kind: "vec" as const, n });

/** The program, or undefined when a module reads what its calls cannot give it. */
export function emitModules(net: Net, affines: Affine[], mod: number[][], calls: ModuleCall[], name: string, outParts: readonly OutPart[]): { program: Program; droppedWeights: number } | undefined {
  const H = affines.length - 1;
  const acts = net.layers.filter((l) => l.kind === "act");
  let wk = 0, pk = 0;
  const W = (rows: number[][], cols: number): Weight => ({ name: `W${++wk}`, shape: [rows.length, cols], data: Float32Array.from(rows.flat()) });
  const B = (b: number[]): Weight => ({ name: `b${wk}`, shape: [b.length], data: Float32Array.from(b) });
  const slice = (k: number, units: number[] | null, ws: Weight[]): NetSlice => withOrigin(net, { layers: [{ id: affines[k].id, units }, ...(acts[k] ? [{ id: acts[k].id, units }] : [])], weights: ws });
  const affine = (out: Var, arg: string, rows: number[][], b: number[], nIn: number, relu: boolean, sl: (ws: Weight[]) => NetSlice, comment?: string): PrimStmt => {
    const w = W(rows, nIn), bb = B(b);
    return { kind: "prim", out, args: [arg], prim: { kind: "affine", params: relu ? { W: w, b: bb, act: { fn: "relu" } } : { W: w, b: bb }, id: `p${++pk}`, slice: sl([w, bb]), error: 0 }, ...(comment ? { comment } : {}) };
  };
  // Which layers of each module others read: by a module starting on the next layer, or by the output layer.
  const readAt = new Map<number, Set<number>>();
  const sourcesOf = (f: ModuleFn) => (f.first === 0 ? [] : [...new Set(f.cols.map((i) => mod[f.first - 1][i]))].sort((a, b) => a - b));
  for (const { fn } of calls) {
    for (const s of sourcesOf(fn)) readAt.set(s, new Set([...(readAt.get(s) ?? []), fn.first - 1]));
    // The output layer reads every hidden layer it has a part of (the last one, and skip connections).
    for (const p of outParts) if (p.k >= 0 && fn.first <= p.k && p.k <= fn.last) readAt.set(fn.module, new Set([...(readAt.get(fn.module) ?? []), p.k]));
  }
  const canon = (f: ModuleFn) => f.last === H - 1 && [...(readAt.get(f.module) ?? [])].every((k) => k === H - 1);
  const functions: Fn[] = [];
  const fnName = new Map<number, string>();
  const main: Stmt[] = [];
  const valueOf = new Map<string, { v: string; units: number[]; index?: number[]; scale?: number[] }>(); // `${module}:${layer}`
  let vk = 0, dropped = 0;
  const order = [...calls].sort((a, b) => a.fn.first - b.fn.first || a.fn.module - b.fn.module);
  for (const { fn: f, same } of order) {
    const useCanon = canon(f) && canon(same);
    const rep = useCanon ? same : f;
    // Arguments: a pick of the input entries, or the source modules' values at the previous layer.
    let args: string[];
    let inCols: number[];
    let widths: number[];
    if (f.first === 0) {
      const n = affines[0].inFeatures;
      inCols = f.cols;
      widths = [inCols.length];
      if (inCols.length === n && inCols.every((c, i) => c === i)) args = [mainParam(net)];
      else {
        const v = `p${++vk}`;
        // The module's input entries as a pick (`x[[0, 1]]`), not a 0/1 matrix: no weights, and it reads as what it is.
        main.push({ kind: "prim", out: { name: v, type: vec(inCols.length) }, args: [mainParam(net)], prim: { kind: "pick", params: { indices: [...inCols] }, id: `p${++pk}`, slice: { layers: [], weights: [] }, error: 0 } });
        args = [v];
      }
    } else {
      const srcs = sourcesOf(f);
      const vals = srcs.map((s) => valueOf.get(`${s}:${f.first - 1}`));
      if (vals.some((v) => !v || v.index)) return undefined;
      args = vals.map((v) => v!.v);
      inCols = vals.flatMap((v) => v!.units);
      widths = vals.map((v) => v!.units.length);
    }
    // The function (once per representative).
    if (!fnName.has(rep.module) || !useCanon) {
      const fname = `f${functions.length + 1}`;
      if (useCanon) fnName.set(rep.module, fname);
      functions.push(moduleFunction(fname, rep, useCanon, inCols, widths, readAt.get(f.module) ?? new Set(), affines, mod, { W, B, affine, slice }));
    }
    const fname = useCanon ? fnName.get(rep.module)! : functions[functions.length - 1].name;
    const callee = functions.find((x) => x.name === fname)!;
    const outs: Var[] = callee.returns.map((r) => {
      const t = [...callee.body.filter((s) => s.kind === "prim").map((s) => (s as PrimStmt).out)].find((o) => o.name === r)!;
      return { name: `a${++vk}`, type: t.type };
    });
    // The call's own units (a shared function's body names its representative's).
    const callSlice = withOrigin(net, { layers: f.rows.flatMap((r, k) => (r.length ? [{ id: affines[k].id, units: r }, ...(acts[k] ? [{ id: acts[k].id, units: r }] : [])] : [])), weights: [] });
    main.push({ kind: "call", outs, args, fn: fname, slice: callSlice, comment: `module ${f.module + 1}: ${f.rows.slice(f.first, f.last + 1).map((r) => r.length).join("+")} units` });
    const layersRet = [...(readAt.get(f.module) ?? [])].sort((a, b) => a - b);
    layersRet.forEach((k, i) => valueOf.set(`${f.module}:${k}`, { v: outs[i].name, units: f.rows[k], ...(useCanon ? { index: f.canonical.outIndex, scale: f.canonical.outScale } : {}) }));
  }
  // Output layer: per part it reads (a hidden layer, or the input), the modules' values there in call order.
  const outL = affines[H];
  const parts: { v: string; units: number[]; offset: number; index?: number[]; scale?: number[] }[] = [];
  for (const op of outParts) {
    if (op.k < 0) parts.push({ v: mainParam(net), units: Array.from({ length: op.n }, (_, i) => i), offset: op.offset });
    else for (const { fn } of order) {
      const val = valueOf.get(`${fn.module}:${op.k}`);
      if (val) parts.push({ ...val, offset: op.offset });
    }
  }
  const widthOf = (p: { units: number[]; index?: number[] }) => (p.index ? Math.max(...p.index) + 1 : p.units.length);
  const width = parts.reduce((a, p) => a + widthOf(p), 0);
  const Wout = Array.from({ length: outL.outFeatures }, () => new Array<number>(width).fill(0));
  let off = 0;
  for (const p of parts) {
    p.units.forEach((u, q) => {
      const c = off + (p.index ? p.index[q] : q), s = p.scale ? p.scale[q] : 1;
      for (let o = 0; o < outL.outFeatures; o++) Wout[o][c] += s * outL.W[o * outL.inFeatures + p.offset + u];
    });
    off += widthOf(p);
  }
  for (const op of outParts) {
    if (op.k < 0) continue;
    for (let u = 0; u < op.n; u++) if (mod[op.k][u] < 0) for (let o = 0; o < outL.outFeatures; o++) if (outL.W[o * outL.inFeatures + op.offset + u] !== 0) dropped++;
  }
  let arg = parts[0].v;
  if (parts.length > 1) {
    arg = `c${++vk}`;
    main.push({ kind: "prim", out: { name: arg, type: vec(width) }, args: parts.map((p) => p.v), prim: { kind: "concat", params: { axis: 0 }, id: `p${++pk}`, slice: { layers: [], weights: [] }, error: 0 } });
  }
  main.push(affine({ name: "y", type: vec(outL.outFeatures) }, arg, Wout, Array.from(outL.b), width, false, (ws) => slice(H, null, ws)));
  const inp = net.inputs[0];
  const program: Program = {
    name,
    inputs: [{ name: inp.name, dtype: inp.dtype, shape: [...inp.shape], batchDim: inp.batchDim }],
    outputs: [{ name: net.outputs[0].name, dtype: outL.dtype, shape: [...outL.shape], batchDim: inp.batchDim }],
    functions: [{ name: "main", params: [{ name: mainParam(net), type: vec(inp.shape[0]) }], body: main, returns: ["y"] }, ...functions],
    entry: "main",
  };
  return { program, droppedWeights: dropped };
}

function mainParam(_net: Net): string {
  return "x";
}

interface Emit {
  W: (rows: number[][], cols: number) => Weight;
  B: (b: number[]) => Weight;
  affine: (out: Var, arg: string, rows: number[][], b: number[], nIn: number, relu: boolean, sl: (ws: Weight[]) => NetSlice, comment?: string) => PrimStmt;
  slice: (k: number, units: number[] | null, ws: Weight[]) => NetSlice;
}

/** One module as a function: its layers (raw, or canonical), returning the values others read. */
function moduleFunction(name: string, f: ModuleFn, canonical: boolean, inCols: number[], widths: number[], readAt: Set<number>, affines: Affine[], _mod: number[][], e: Emit): Fn {
  const body: Stmt[] = [];
  const params: Var[] = [];
  let cur: string;
  if (widths.length === 1) { params.push({ name: "u", type: vec(inCols.length) }); cur = "u"; }
  else {
    // Several sources: their values side by side (the function's first layer reads them as one vector).
    widths.forEach((w, i) => params.push({ name: `u${i + 1}`, type: vec(w) }));
    cur = "u";
    body.push({ kind: "prim", out: { name: "u", type: vec(inCols.length) }, args: params.map((p) => p.name), prim: { kind: "concat", params: { axis: 0 }, id: `${name}_cat`, slice: { layers: [], weights: [] }, error: 0 } });
  }
  const layers = canonical ? f.canonical.layers : f.layers;
  const returns: string[] = [];
  layers.forEach((l, i) => {
    const k = f.first + i;
    const out = `h${i + 1}`;
    // The first layer's columns are f.cols; the args bring inCols (the sources' units side by side).
    const rows = i === 0 ? l.W.map((r) => inCols.map((c) => r[f.cols.indexOf(c)] ?? 0)) : l.W;
    body.push(e.affine({ name: out, type: vec(l.W.length) }, cur, rows, l.b, i === 0 ? inCols.length : layers[i - 1].W.length, true, (ws) => e.slice(k, f.rows[k], ws), `${l.W.length} units`));
    if (readAt.has(k)) returns.push(out);
    cur = out;
  });
  void affines;
  return { name, params, body, returns };
}

/** Largest |program - net| on the probe's sample rows, and max |net output| there. */
export function measureFn(net: Net, p: Program, stats?: NetStats): { err: number; top: number } {
  const x = stats?.sample.inputs[net.inputs[0].name];
  if (!x) return { err: 0, top: 0 };
  const want = runNet(net, { [net.inputs[0].name]: x }, { keep: [] }).outputs[net.outputs[0].name].data;
  const got = runProgram(p, [x])[0].data;
  let m = 0, top = 0;
  for (let i = 0; i < want.length; i++) {
    m = Math.max(m, Math.abs(Number(want[i]) - Number(got[i])));
    top = Math.max(top, Math.abs(Number(want[i])));
  }
  return { err: m, top };
}
