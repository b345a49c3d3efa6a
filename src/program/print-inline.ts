// How program.txt shows picked entries: a pick read once or twice is written where it is read, as a reader
// would (`m = max(x[0], x[1])` rather than `x0 = x[0]; x1 = x[1]; m = max(x0, x1)`); the arguments of a sort or a
// concat (both read the concatenation of their arguments) that pick a run of one vector read as that run
// (`sort(x)`, `sort(x[2:5])`); a concatenation read only by a pick that reorders its whole parts prints as the
// concatenation in that order (`y = concat(o1, o4, o3, o2)`). Only the text changes: program.json keeps the
// statements, and `show` opens them by name.
import type { Fn, PrimStmt, Stmt, ValueType } from "./program.ts";
import { pickText } from "./printer.ts";

/** A pick read at most this many times is written inline. */
const MAX_INLINE_READS = 2;

interface Picked { src: string; indices: number[] }

/** The statements of a function as program.txt prints them: inlined picks left out, their readers' arguments
 *  written as the picks. */
export function inlinedBody(f: Fn): Stmt[] {
  const reads = new Map<string, number>();
  for (const s of f.body) for (const a of s.args) reads.set(a, (reads.get(a) ?? 0) + 1);
  const width = new Map<string, number>(f.params.map((v) => [v.name, widthOf(v.type)]));
  for (const s of f.body) for (const v of s.kind === "prim" ? [s.out] : s.outs) width.set(v.name, widthOf(v.type));
  const picks = new Map<string, Picked>();
  for (const s of f.body) {
    if (s.kind !== "prim" || s.prim.kind !== "pick" || s.comment || f.returns.includes(s.out.name)) continue;
    const n = reads.get(s.out.name) ?? 0;
    const ix = s.prim.params.indices;
    if (n === 0 || n > MAX_INLINE_READS || (ix.length > 1 && n > 1)) continue;
    // A pick of an inlined pick would print as x[0][1]: keep such chains as they are.
    if (picks.has(s.args[0])) continue;
    picks.set(s.out.name, { src: s.args[0], indices: ix });
  }
  // Readers that are picks themselves keep their source by name.
  for (const s of f.body) if (s.kind === "prim" && s.prim.kind === "pick") picks.delete(s.args[0]);
  const blocks = blockOrders(f, reads, width);
  if (!picks.size && !blocks.size) return f.body;
  const text = (p: Picked) => `${p.src}[${pickText(p.indices)}]`;
  const hidden = new Set([...blocks.values()].map((b) => b.concat));
  return f.body.flatMap((s): Stmt[] => {
    if (s.kind === "prim" && (picks.has(s.out.name) || hidden.has(s))) return [];
    const b = s.kind === "prim" ? blocks.get(s) : undefined;
    if (b) {
      const { comment: _, ...cat } = b.concat;
      return [{ ...cat, out: (s as PrimStmt).out, args: b.order, prim: { ...b.concat.prim, id: (s as PrimStmt).prim.id }, ...(s.comment ? { comment: s.comment } : {}) }];
    }
    if (!s.args.some((a) => picks.has(a))) return [s];
    // sort and concat read their arguments' concatenation: a run of picks of one vector is that run.
    const joins = s.kind === "prim" && (s.prim.kind === "sort" || (s.prim.kind === "concat" && s.prim.params.axis === 0 && s.out.type.kind === "vec"));
    const args = joins ? runArgs(s as PrimStmt, picks, width) : s.args.map((a) => (picks.has(a) ? text(picks.get(a)!) : a));
    return [{ ...s, args }];
  });
}

/** `c = concat(a, b, ...)` read only by `y = c[ix]`, where ix takes whole arguments in another order: y is the
 *  concatenation of those arguments in that order (`y = concat(a, d, c, b)`), printed as one statement. */
function blockOrders(f: Fn, reads: ReadonlyMap<string, number>, width: ReadonlyMap<string, number>): Map<Stmt, { concat: PrimStmt; order: string[] }> {
  const out = new Map<Stmt, { concat: PrimStmt; order: string[] }>();
  const def = new Map<string, PrimStmt>();
  for (const s of f.body) if (s.kind === "prim") def.set(s.out.name, s);
  for (const s of f.body) {
    if (s.kind !== "prim" || s.prim.kind !== "pick") continue;
    const c = def.get(s.args[0]);
    if (!c || c.prim.kind !== "concat" || c.prim.params.axis !== 0 || reads.get(c.out.name) !== 1 || f.returns.includes(c.out.name)) continue;
    const starts: number[] = [];
    let at = 0;
    for (const a of c.args) {
      const n = width.get(a) ?? -1;
      if (n <= 0) break;
      starts.push(at);
      at += n;
    }
    if (starts.length !== c.args.length) continue;
    const ix = s.prim.params.indices;
    const order: string[] = [];
    let k = 0;
    while (k < ix.length) {
      const j = starts.indexOf(ix[k]);
      const n = j < 0 ? 0 : width.get(c.args[j])!;
      if (j < 0 || !ix.slice(k, k + n).every((v, q) => v === ix[k] + q) || k + n > ix.length) break;
      order.push(c.args[j]);
      k += n;
    }
    if (k === ix.length && order.length === c.args.length && new Set(order).size === order.length) out.set(s, { concat: c, order });
  }
  return out;
}

/** A sort's (or concat's) arguments with runs of consecutive picks of one vector merged: the whole vector by its name. */
function runArgs(s: PrimStmt, picks: ReadonlyMap<string, Picked>, width: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  let run: Picked | undefined;
  const flush = () => {
    if (!run) return;
    const whole = run.indices.length === width.get(run.src) && run.indices.every((v, k) => v === k);
    out.push(whole ? run.src : `${run.src}[${pickText(run.indices)}]`);
    run = undefined;
  };
  for (const a of s.args) {
    const p = picks.get(a);
    if (!p) {
      flush();
      out.push(a);
      continue;
    }
    const next = run && run.src === p.src && p.indices[0] === run.indices[run.indices.length - 1] + 1 && p.indices.every((v, k) => k === 0 || v === p.indices[k - 1] + 1);
    if (run && next) run = { src: run.src, indices: [...run.indices, ...p.indices] };
    else {
      flush();
      run = { src: p.src, indices: [...p.indices] };
    }
  }
  flush();
  return out;
}

function widthOf(t: ValueType): number {
  switch (t.kind) {
    case "vec": case "bits": return t.n;
    default: return -1;
  }
}
