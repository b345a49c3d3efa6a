// How program.txt shows picked entries: a pick read once or twice is written where it is read, as a reader
// would (`m = max(x[0], x[1])` rather than `x0 = x[0]; x1 = x[1]; m = max(x0, x1)`), and the arguments of a sort
// (which sorts the concatenation of its arguments) that pick a run of one vector read as that run: `sort(x)`,
// `sort(x[2:5])`. Only the text changes: program.json keeps the pick statements, and `show` opens them by name.
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
  if (!picks.size) return f.body;
  const text = (p: Picked) => `${p.src}[${pickText(p.indices)}]`;
  return f.body.flatMap((s): Stmt[] => {
    if (s.kind === "prim" && picks.has(s.out.name)) return [];
    if (!s.args.some((a) => picks.has(a))) return [s];
    const args = s.kind === "prim" && s.prim.kind === "sort" ? runArgs(s, picks, width) : s.args.map((a) => (picks.has(a) ? text(picks.get(a)!) : a));
    return [{ ...s, args }];
  });
}

/** A sort's arguments with runs of consecutive picks of one vector merged: the whole vector by its name. */
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
