// Repeated code as one function: K consecutive windows of the entry function's body that are the same code with
// the same weights over different inputs become one function called K times (issue 8: "single primitives over
// different inputs ... become one function called several times: f(u, v) = ...; y = [f(x0, x1), f(x2, x3)]"):
//
//   x0 = x[0]; x1 = x[1]; s = sort(x0, x1)          u1 = x[[0, 1]]; s = f1(u1)
//   x2 = x[2]; x3 = x[3]; s_2 = sort(x2, x3)   ->   u2 = x[[2, 3]]; s_2 = f1(u2)
//                                                   def f1(u): x0 = u[0]; x1 = u[1]; s = sort(x0, x1); return s
//
// The picks that choose a window's inputs move to the caller (their indices are what differs); every other
// statement must match the first window's exactly (kind, parameters, weights by value), so the rewrite is exact
// by construction (the interpreter and every emitter run calls already). Each call keeps its own window's units
// as its slice. Windows that chain (each reads the previous one's value) with different weights are the printer's
// loops (print-loops.ts), not this.
import type { CallStmt, Fn, NetSlice, PrimStmt, Program, Stmt, Var } from "./program.ts";

export interface RepeatCallsReport {
  /** One entry per function made: its name, how many calls, statements per window. */
  folded: { fn: string; calls: number; width: number }[];
}

interface Window {
  start: number;
  width: number;
  count: number;
  /** Statement positions (in a window) whose value is read after the windows: the function's returns. */
  outs: number[];
}

/** Fold repeated windows of the entry function into functions with calls (see the file comment). */
export function foldRepeatedCalls(p: Program): { program: Program; report: RepeatCallsReport } {
  const report: RepeatCallsReport = { folded: [] };
  let prog = p;
  for (let guard = 0; guard < 8; guard++) {
    const entry = prog.functions.find((f) => f.name === prog.entry);
    if (!entry) break;
    const w = bestWindows(entry);
    if (!w) break;
    const name = freshFn(prog);
    const { main, fn } = rewrite(entry, w, name);
    prog = { ...prog, functions: [...prog.functions.map((f) => (f === entry ? main : f)), fn] };
    report.folded.push({ fn: name, calls: w.count, width: w.width });
  }
  return { program: prog, report };
}

function freshFn(p: Program): string {
  const names = new Set(p.functions.map((f) => f.name));
  for (let k = 1; ; k++) if (!names.has(`f${k}`)) return `f${k}`;
}

const outsOf = (s: Stmt) => (s.kind === "prim" ? [s.out.name] : s.outs.map((o) => o.name));

/** Deep equality of primitive parameters, typed arrays by value. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>, y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    if (a instanceof Map || b instanceof Map) return false;
    const ka = Object.keys(a).filter((k) => k !== "name"), kb = Object.keys(b).filter((k) => k !== "name");
    return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** The longest run of K >= 2 matching windows (width >= 2, at least one statement besides picks), if any. */
function bestWindows(f: Fn): Window | undefined {
  const body = f.body;
  const pos = new Map<string, number>();
  body.forEach((s, i) => outsOf(s).forEach((v) => pos.set(v, i)));
  const uses = new Map<string, number[]>();
  body.forEach((s, i) => s.args.forEach((a) => uses.set(a, [...(uses.get(a) ?? []), i])));
  let best: Window | undefined;
  // Narrowest windows first: of equal coverage, the shortest period (4 calls of 3 statements, not 2 of 6) is kept.
  for (let w = 2; w <= Math.floor(body.length / 2); w++) {
    for (let start = 0; start + 2 * w <= body.length; start++) {
      const win0 = body.slice(start, start + w);
      if (!win0.every((s) => s.kind === "prim") || win0.every((s) => s.kind === "prim" && s.prim.kind === "pick")) continue;
      let k = 1;
      while (start + (k + 1) * w <= body.length && sameWindow(body, start, start + k * w, w, pos)) k++;
      if (k < 2 || (best && best.count * best.width >= k * w)) continue;
      const end = start + k * w;
      // What leaves a window: read after the run only (windows are independent), at the same positions in each.
      let outs: number[] | undefined;
      let ok = true;
      for (let q = 0; q < k && ok; q++) {
        const o = [...Array(w).keys()].filter((p) => outsOf(body[start + q * w + p]).some((v) => (uses.get(v) ?? []).some((u) => u >= end) || f.returns.includes(v)));
        const inner = [...Array(w).keys()].some((p) => outsOf(body[start + q * w + p]).some((v) => (uses.get(v) ?? []).some((u) => u >= start && u < end && (u < start + q * w || u >= start + (q + 1) * w))));
        if (inner || (outs && o.join() !== outs.join())) ok = false;
        outs = o;
      }
      if (!ok || !outs?.length) continue;
      best = { start, width: w, count: k, outs };
    }
  }
  return best;
}

/** Window at `at` matches the one at `start`: same statements, inner reads at the same offsets, picks of the same
 *  outside value (any indices), other outside reads the same value in every window. */
function sameWindow(body: Stmt[], start: number, at: number, w: number, pos: Map<string, number>): boolean {
  for (let p = 0; p < w; p++) {
    const s0 = body[start + p], sk = body[at + p];
    if (s0.kind !== "prim" || sk.kind !== "prim" || s0.prim.kind !== sk.prim.kind || s0.args.length !== sk.args.length) return false;
    const pick = s0.prim.kind === "pick";
    if (pick ? (s0.prim.params as { indices: number[] }).indices.length !== (sk.prim.params as { indices: number[] }).indices.length : !sameValue(s0.prim.params, sk.prim.params)) return false;
    if (s0.out.type.kind !== sk.out.type.kind || JSON.stringify(s0.out.type) !== JSON.stringify(sk.out.type)) return false;
    for (let a = 0; a < s0.args.length; a++) {
      const q0 = pos.get(s0.args[a]) ?? -1, qk = pos.get(sk.args[a]) ?? -1;
      const in0 = q0 >= start && q0 < start + w, ink = qk >= at && qk < at + w;
      if (in0 !== ink) return false;
      if (in0) { if (q0 - start !== qk - at) return false; }
      else if (s0.args[a] !== sk.args[a] || q0 >= start) return false;
    }
  }
  return true;
}

/** The entry function with the windows replaced by picks and calls, and the function. */
function rewrite(main: Fn, w: Window, name: string): { main: Fn; fn: Fn } {
  const body = main.body;
  const win = (k: number) => body.slice(w.start + k * w.width, w.start + (k + 1) * w.width) as PrimStmt[];
  const w0 = win(0);
  const types = new Map<string, Var["type"]>(main.params.map((v) => [v.name, v.type]));
  for (const s of body) for (const v of s.kind === "prim" ? [s.out] : s.outs) types.set(v.name, v.type);
  // Outside values window 0 reads: picked ones (one param each, the picks' indices side by side) and direct ones.
  const inW0 = new Set(w0.map((s) => s.out.name));
  const picked: string[] = [], direct: string[] = [];
  for (const s of w0) for (const a of s.args) if (!inW0.has(a)) (s.prim.kind === "pick" ? picked : direct).includes(a) || (s.prim.kind === "pick" ? picked : direct).push(a);
  const pickedIdx = (k: number, src: string) => win(k).filter((s) => s.prim.kind === "pick" && s.args[0] === src).flatMap((s) => (s.prim.params as { indices: number[] }).indices);
  const taken = new Set([...types.keys()]);
  const paramName = (want: string) => { let n = want; for (let i = 2; taken.has(n); i++) n = `${want}${i}`; taken.add(n); return n; };
  const params: Var[] = [
    ...picked.map((src, i) => ({ name: picked.length === 1 ? "u" : `u${i + 1}`, type: { kind: "vec" as const, n: pickedIdx(0, src).length } })),
    ...direct.map((v) => ({ name: v, type: types.get(v)! })),
  ];
  const fnBody: Stmt[] = [];
  const offset = new Map(picked.map((src) => [src, 0]));
  for (const s of w0) {
    if (s.prim.kind === "pick" && picked.includes(s.args[0])) {
      const n = (s.prim.params as { indices: number[] }).indices.length, off = offset.get(s.args[0])!;
      offset.set(s.args[0], off + n);
      fnBody.push({ ...s, args: [params[picked.indexOf(s.args[0])].name], prim: { ...s.prim, params: { indices: [...Array(n).keys()].map((i) => off + i) } } as PrimStmt["prim"] });
    } else fnBody.push(s);
  }
  // Inside the function a picked entry is named after the parameter it comes from (u0, u1), not the caller's x0.
  const rename = new Map<string, string>();
  const fnNames = new Set([...params.map((v) => v.name), ...fnBody.flatMap(outsOf)]);
  for (const st of fnBody) {
    if (st.kind !== "prim" || st.prim.kind !== "pick" || !params.some((v) => v.name === st.args[0])) continue;
    const idx = (st.prim.params as { indices: number[] }).indices;
    const want = idx.length === 1 ? `${st.args[0]}${idx[0]}` : "";
    if (want && !fnNames.has(want)) { rename.set(st.out.name, want); fnNames.add(want); }
  }
  const rn = (v: string) => rename.get(v) ?? v;
  for (let i = 0; i < fnBody.length; i++) {
    const st = fnBody[i] as PrimStmt;
    fnBody[i] = { ...st, out: { ...st.out, name: rn(st.out.name) }, args: st.args.map(rn) };
  }
  const fn: Fn = { name, params, body: fnBody, returns: w.outs.map((p) => rn(w0[p].out.name)), doc: `the same code over ${w.count} different inputs (its picks are the caller's)` };
  const newBody: Stmt[] = body.slice(0, w.start);
  let pk = 0;
  for (let k = 0; k < w.count; k++) {
    const ws = win(k);
    const args = picked.map((src, i) => {
      const v = paramName(`${params[i].name}_${k + 1}`);
      const idx = pickedIdx(k, src);
      newBody.push({ kind: "prim", out: { name: v, type: { kind: "vec", n: idx.length } }, args: [src], prim: { kind: "pick", params: { indices: idx }, id: `${name}_in${k + 1}_${++pk}`, slice: { layers: [], weights: [] }, error: 0 } });
      return v;
    });
    const slice: NetSlice = { layers: ws.flatMap((s) => s.prim.slice.layers), weights: [] };
    const call: CallStmt = { kind: "call", outs: w.outs.map((p) => ws[p].out), args: [...args, ...direct], fn: name, slice, comment: `call ${k + 1} of ${w.count}` };
    newBody.push(call);
  }
  newBody.push(...body.slice(w.start + w.count * w.width));
  return { main: { ...main, body: newBody }, fn };
}
