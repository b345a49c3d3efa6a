// Repeated blocks in program.txt: a run of K windows of statements that are the same code with different weights
// (a transformer's layers) prints as one function and a loop over it, `for b in 0..K-1: x = block(x, mask, b)`,
// with the weights of block b named by a template (`bert.encoder.layer.{b}.attention...`). This is a view of the
// flat program.json: a window matches the first when every statement has the same kind, attributes and weight
// shapes, and reads the same relative statement, the same outside value, or the previous window's carried value.
import type { Fn, PrimStmt, Stmt, Weight } from "./program.ts";
import { paramWeights } from "./program.ts";

/** K consecutive windows of w statements starting at `start`, carrying one value. */
export interface Repeat {
  start: number;
  width: number;
  count: number;
  /** Position (in the window) of the carried value; the value window 0 reads for it. */
  carryOut: number;
  carryIn: string;
  /** Values from before the loop every window reads. */
  shared: string[];
}

/** Parameters with weights shown by shape only: what must agree between windows. */
function signature(s: PrimStmt): string {
  if (s.prim.kind === "opaque") {
    // Same ops, attributes and constants in the same order; value names (which differ per block) ignored.
    const g = s.prim.params.graph;
    return `opaque|${JSON.stringify(g.nodes.map((n) => [n.op, n.attrs, n.inputs.map((v) => g.initializers.has(v) ? Array.from(g.initializers.get(v)!.data as ArrayLike<number>) : "")]))}`;
  }
  const ws = new Map(paramWeights(s.prim).map((w) => [w, `w${w.shape.join("x")}`]));
  return `${s.prim.kind}|${JSON.stringify(s.prim.params, (_k, v) => (v && typeof v === "object" && ws.has(v as Weight) ? ws.get(v as Weight) : v instanceof Map ? [...v] : v))}`;
}

/** Whether window k (at `at`) repeats window 0 (at `start`); fills the carry and shared sets. */
function sameWindow(body: Stmt[], start: number, at: number, w: number, pos: Map<string, number>, st: { carryOut?: number; carryIn?: string; shared: Set<string> }): boolean {
  for (let p = 0; p < w; p++) {
    const s0 = body[start + p], sk = body[at + p];
    if (s0.kind !== "prim" || sk.kind !== "prim" || signature(s0) !== signature(sk) || s0.args.length !== sk.args.length) return false;
    for (let a = 0; a < s0.args.length; a++) {
      const r0 = s0.args[a], rk = sk.args[a];
      const q0 = pos.get(r0) ?? -1, qk = pos.get(rk) ?? -1;
      if (q0 >= start && q0 < start + w) {
        if (qk - at !== q0 - start) return false;
      } else if (rk === r0) {
        if (q0 >= start) return false;
        st.shared.add(r0);
      } else {
        const c = qk - (at - w);
        if (c < 0 || c >= w || (st.carryOut !== undefined && st.carryOut !== c) || (st.carryIn !== undefined && st.carryIn !== r0)) return false;
        st.carryOut = c;
        st.carryIn = r0;
      }
    }
  }
  return true;
}

/** The longest run of repeated windows in a function body (K >= 2, w >= 3), if any. */
export function findRepeat(f: Fn): Repeat | undefined {
  return findRepeatIn(f, 0, f.body.length);
}

/** Every run of repeated windows, longest first and then in what is left before and after it (a ResNet's stages:
 *  one run per stage, each its own block function, as their shapes differ), in body order. */
export function findRepeats(f: Fn, lo = 0, hi = f.body.length): Repeat[] {
  const r = findRepeatIn(f, lo, hi);
  if (!r) return [];
  return [...findRepeats(f, lo, r.start), r, ...findRepeats(f, r.start + r.width * r.count, hi)];
}

/** The longest run of repeated windows within body[lo, hi). */
function findRepeatIn(f: Fn, lo: number, hi: number): Repeat | undefined {
  const body = f.body;
  const pos = new Map<string, number>();
  body.forEach((s, i) => (s.kind === "prim" ? [s.out] : s.outs).forEach((v) => pos.set(v.name, i)));
  const uses = new Map<string, number[]>();
  body.forEach((s, i) => s.args.forEach((a) => uses.set(a, [...(uses.get(a) ?? []), i])));
  let best: Repeat | undefined;
  for (let w = Math.floor((hi - lo) / 2); w >= 3; w--) {
    for (let start = lo; start + 2 * w <= hi; start++) {
      const st: { carryOut?: number; carryIn?: string; shared: Set<string> } = { shared: new Set() };
      let k = 1;
      while (start + (k + 1) * w <= hi && sameWindow(body, start, start + k * w, w, pos, st)) k++;
      if (k < 2 || st.carryOut === undefined || (best && best.count * best.width > k * w)) continue;
      // Only the carried value may leave a window: to the next window, or after the loop from the last one.
      const end = start + k * w;
      const leaks = body.slice(start, end).some((s, i) => {
        const p = i % w, win = Math.floor(i / w);
        const carried = p === st.carryOut;
        const outs = s.kind === "prim" ? [s.out.name] : s.outs.map((o) => o.name);
        return outs.some((o) => (uses.get(o) ?? []).some((u) => u >= start + (win + 1) * w && !(carried && (u < start + (win + 2) * w || win === k - 1))) ||
          (f.returns.includes(o) && !(carried && win === k - 1)));
      });
      if (leaks) continue;
      const cand = { start, width: w, count: k, carryOut: st.carryOut, carryIn: st.carryIn!, shared: [...st.shared] };
      // Of equal coverage, the alignment whose weights are all named by block number reads best (BERT's post-LN
      // blocks repeat from any of their statements; only one alignment puts layer b's weights in block b).
      if (best && best.count * best.width === k * w && cleanWeights(body, best) >= cleanWeights(body, cand)) continue;
      best = cand;
    }
  }
  return best;
}

/** How many weight places of a repeat have a {b} template. */
function cleanWeights(body: Stmt[], r: Repeat): number {
  let n = 0;
  for (let p = 0; p < r.width; p++) {
    const s = body[r.start + p] as PrimStmt;
    paramWeights(s.prim).forEach((_w, j) => {
      const names = [...Array(r.count).keys()].map((k) => paramWeights((body[r.start + k * r.width + p] as PrimStmt).prim)[j].name);
      if (/\{\d*b/.test(weightTemplate(names))) n++;
    });
  }
  return n;
}

/** A name template for the K weights at one place of the windows: the one number that counts blocks, as {b}. */
export function weightTemplate(names: string[]): string {
  const parts = names.map((n) => n.split(/(\d+)/));
  const len = parts[0].length;
  if (parts.every((p) => p.length === len)) {
    const varying = [...Array(len).keys()].filter((i) => parts.some((p) => p[i] !== parts[0][i]));
    if (varying.length === 1 && varying[0] % 2 === 1) {
      const i = varying[0];
      // The number counts blocks by a fixed step (W6, W9, W12: three weights a block): {3b+6}.
      const base = Number(parts[0][i]), step = Number(parts[1][i]) - base;
      if (step > 0 && parts.every((p, b) => Number(p[i]) === base + step * b)) {
        const t = [...parts[0]];
        const sb = step === 1 ? "b" : `${step}b`;
        t[i] = base === 0 ? `{${sb}}` : `{${sb}+${base}}`;
        return t.join("");
      }
    }
  }
  return names.length <= 3 ? `[${names.join(", ")}][b]` : `[${names[0]}, ..., ${names[names.length - 1]}][b]`;
}

/** A statement with its args renamed and its weights shown under other names. */
export function renamedStmt(s: PrimStmt, arg: (a: string) => string, weightName: (w: Weight) => string): PrimStmt {
  const map = new Map<unknown, Weight>(paramWeights(s.prim).map((w) => [w, { ...w, name: weightName(w) }]));
  const clone = (v: unknown): unknown => {
    if (map.has(v)) return map.get(v);
    if (Array.isArray(v)) return v.map(clone);
    if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
    return v;
  };
  const params = clone(s.prim.params);
  return { ...s, args: s.args.map(arg), prim: { ...s.prim, params } as PrimStmt["prim"] };
}

/** A statement as printed: code and comment. */
export interface Line {
  code: string;
  comment: string;
}

/** program.txt lines of a function with its repeats folded: the function (a loop per repeat) and one block
 *  function per repeat (`block`, or `block1`, `block2`, ... when there are several). */
export function foldedText(f: Fn, reps: readonly Repeat[], show: (s: Stmt) => Line, header: (name: string, params: string[], carry: string, rep: Repeat) => string): string[] {
  const body = f.body;
  const names = new Set([...f.params.map((v) => v.name), ...body.flatMap((s) => (s.kind === "prim" ? [s.out.name] : s.outs.map((o) => o.name)))]);
  const free = ["x", "h", "state", "x_"].filter((n) => !names.has(n));
  for (let k = 1; free.length < reps.length; k++) if (!names.has(`h_${k}`)) free.push(`h_${k}`);
  const fmt = (lines: Line[]) => {
    const col = Math.min(64, Math.max(0, ...lines.map((l) => l.code.length)) + 2);
    return lines.map((l) => `    ${l.comment ? `${l.code.padEnd(Math.max(col, l.code.length + 2))}# ${l.comment}` : l.code}`);
  };
  // After a loop, its last window's carried value is the loop's variable.
  const outerName = new Map<string, string>();
  const outer = (a: string) => outerName.get(a) ?? a;
  const mainLines: Line[] = [];
  const blocks: string[] = [];
  let at = 0;
  reps.forEach((r, ri) => {
    const carryVar = free[ri];
    const blockName = reps.length === 1 ? "block" : `block${ri + 1}`;
    const win = (k: number) => body.slice(r.start + k * r.width, r.start + (k + 1) * r.width) as PrimStmt[];
    for (const s of body.slice(at, r.start)) mainLines.push(show({ ...s, args: s.args.map(outer) }));
    // Weight names across the K windows, by weight object of window 0.
    const templates = new Map<Weight, string>();
    win(0).forEach((s, p) => paramWeights(s.prim).forEach((w, j) => {
      const ns = [...Array(r.count).keys()].map((k) => paramWeights(win(k)[p].prim)[j].name);
      templates.set(w, weightTemplate(ns));
    }));
    const params = [carryVar, ...r.shared.map(outer), "b"];
    const inner = (a: string) => (a === r.carryIn ? carryVar : outer(a));
    // A statement's comment (a head's analysis) differs from block to block: all of them, by block.
    const blockLines = win(0).map((s, p) => {
      const line = show(renamedStmt(s, inner, (w) => templates.get(w) ?? w.name));
      const cs = [...Array(r.count).keys()].map((k) => show(win(k)[p]).comment);
      return cs.every((c) => c === cs[0]) ? line : { ...line, comment: cs.map((c, k) => `b=${k}: ${c}`).join(" | ") };
    });
    mainLines.push({ code: `${carryVar} = ${outer(r.carryIn)}`, comment: "" });
    mainLines.push({ code: `for b in 0..${r.count - 1}: ${carryVar} = ${blockName}(${params.join(", ")})`, comment: `${r.count} blocks: the same code, the weights of block b` });
    outerName.set(win(r.count - 1)[r.carryOut].out.name, carryVar);
    blocks.push([header(blockName, params, carryVar, r), ...fmt(blockLines), `    return ${win(0)[r.carryOut].out.name}`].join("\n"));
    at = r.start + r.count * r.width;
  });
  for (const s of body.slice(at)) mainLines.push(show({ ...s, args: s.args.map(outer) }));
  return [
    [header(f.name, [], "", reps[0]), ...fmt(mainLines), `    return ${f.returns.map(outer).join(", ")}`].join("\n"),
    ...blocks,
  ];
}
