// Paths that open the program level by level for `pseudonet show`: `main` (a function), `main/a2` (a statement),
// `main/a2/h1` (through the call a2 into its callee's statement h1), dots as well as slashes (`main.a2.h1`).
import { UserError } from "../errors.ts";
import type { Fn, Program, Stmt } from "./program.ts";

export type Resolved = { kind: "fn"; fn: Fn; via: string[] } | { kind: "stmt"; fn: Fn; stmt: Stmt; via: string[] };

/** Resolve a multi-level path; undefined when it is a plain one-level path (left to `locate`). */
export function resolveLevels(p: Program, path: string): Resolved | undefined {
  const segs = path.split(/[/.]/).filter(Boolean);
  const fns = new Map(p.functions.map((f) => [f.name, f]));
  if (segs.length === 1) {
    const f = fns.get(segs[0]);
    return f ? { kind: "fn", fn: f, via: [] } : undefined;
  }
  if (segs.length === 2 && !fns.has(segs[0])) return undefined;
  let fn = fns.get(segs[0]);
  if (!fn) throw new UserError(`no function '${segs[0]}' in the program (functions: ${p.functions.map((f) => f.name).join(", ")})`);
  const via: string[] = [];
  for (let i = 1; i < segs.length; i++) {
    const v = segs[i];
    const stmt: Stmt | undefined = fn!.body.find((s) => (s.kind === "prim" ? s.out.name === v || s.prim.id === v || s.prim.label === v : s.outs.some((o) => o.name === v)));
    if (!stmt) {
      // A callee's name opens the function the previous call went into.
      if (fns.has(v) && via.length && via[via.length - 1].endsWith(`-> ${v}`)) { fn = fns.get(v)!; continue; }
      const names = fn.body.map((s) => (s.kind === "prim" ? s.out.name : s.outs[0].name));
      throw new UserError(`no statement '${v}' in function '${fn.name}' (path '${path}'); its statements: ${names.join(", ")}`);
    }
    if (i === segs.length - 1) return { kind: "stmt", fn, stmt, via };
    if (stmt.kind !== "call") throw new UserError(`'${segs.slice(0, i + 1).join("/")}' is a primitive, not a call: nothing below it to open`);
    via.push(`${fn.name}/${v} -> ${stmt.fn}`);
    fn = fns.get(stmt.fn)!;
  }
  return { kind: "fn", fn, via };
}
