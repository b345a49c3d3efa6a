// Residual sites of a program and the rewrite that drops one. A named slice that is not exact is written
//   y_named = sort(x0, x1, x2)
//   y_rest  = residual_1(x, y_named)     # the slice's own units minus the named value
//   y       = y_named + y_rest
// Dropping the residual is the rewrite  named + r -> named  (y_rest and the sum go, y_named is renamed y):
// it changes the program by r, which the caller measures and states (src/pipeline/residuals-pass.ts).
import type { CallStmt, DroppedResidual, Fn, PrimStmt, Program, Stmt } from "./program.ts";

/** Where a residual is added to a named value. */
export interface ResidualSite {
  /** The function holding the sum, and the value it makes (`y`). */
  fn: string;
  value: string;
  /** The named value, and what is added to it: a residual function's name, or the value of a statement marked `rest`. */
  named: string;
  residual: string;
  /** What the residual's statement states about r (e.g. "max |r| 2.1e-3 on 512 samples (0.21% of max |y|)"). */
  stated: string;
}

/** Residual functions are named `residual_k` by the builders (`f1_residual_k` inside module bodies). */
export const RESIDUAL_FN = /(?:^|_)residual_\d+$/;

/** Every site `v = named + r` where r (read by that sum alone) is a residual function's value `residual_k(..., named)`
 *  or a statement marked `rest` (module-absorb's cross-module weights). */
export function residualSites(p: Program): ResidualSite[] {
  const out: ResidualSite[] = [];
  for (const f of p.functions) {
    for (const st of f.body) {
      if (st.kind === "call" && RESIDUAL_FN.test(st.fn) && st.outs.length === 1) {
        const named = st.args[st.args.length - 1];
        if (sumOf(f, st.outs[0].name, named)) out.push({ fn: f.name, value: sumOf(f, st.outs[0].name, named)!.out.name, named, residual: st.fn, stated: st.comment ?? "" });
      } else if (st.kind === "prim" && st.rest) {
        const sum = sumOf(f, st.out.name);
        if (sum) out.push({ fn: f.name, value: sum.out.name, named: sum.args[0], residual: st.out.name, stated: st.comment ?? "" });
      }
    }
  }
  return out;
}

/** The statement `v = named + r` reading r (and r read nowhere else, not returned); `named`, when given, must be its first term. */
function sumOf(f: Fn, r: string, named?: string): PrimStmt | undefined {
  const readers = f.body.filter((s) => s.args.includes(r));
  if (readers.length !== 1 || f.returns.includes(r)) return undefined;
  const s = readers[0];
  if (s.kind !== "prim" || s.prim.kind !== "lincomb") return undefined;
  const { coefs, bias } = s.prim.params;
  const ok = s.args.length === 2 && s.args[1] === r && (named === undefined || s.args[0] === named) && s.args[0] !== r && coefs[0] === 1 && coefs[1] === 1 && bias === 0;
  return ok ? s : undefined;
}

/** The statement a site adds: the call of the residual function, or the `rest` statement. */
function restOf(f: Fn, site: ResidualSite): Stmt | undefined {
  return f.body.find((s) => s.kind === "call"
    ? s.fn === site.residual && s.args[s.args.length - 1] === site.named
    : s.rest === true && s.out.name === site.residual);
}

/** The program without one residual: the residual and the sum removed, the named value renamed to the sum's
 *  name, and what only the residual read removed with it (statements, a function's extra outputs, functions no
 *  longer called). The input program is not changed. */
export function dropResidual(p: Program, site: ResidualSite): Program {
  const f0 = p.functions.find((f) => f.name === site.fn);
  const rest = f0 && restOf(f0, site);
  const r = rest && (rest.kind === "call" ? rest.outs[0].name : rest.out.name);
  const sum = f0 && r ? sumOf(f0, r, site.named) : undefined;
  if (!f0 || !rest || !sum || sum.out.name !== site.value) throw new Error(`no residual site ${site.fn}/${site.value} (${site.residual})`);
  let fns = p.functions.map((f) => {
    if (f !== f0) return f;
    // The named value takes the sum's name, so the statements after it (and the returns) read it unchanged.
    const body: Stmt[] = f.body.filter((s) => s !== rest && s !== sum).map((s) => renamed(s, site.named, site.value));
    return { ...f, body, returns: f.returns.map((x) => (x === site.named ? site.value : x)) };
  });
  fns = withoutDead(fns, p.entry, site.fn, rest.args.filter((a) => a !== site.named));
  const called = new Set(fns.flatMap((f) => f.body.flatMap((s) => (s.kind === "call" ? [s.fn] : []))));
  return { ...p, functions: fns.filter((f) => called.has(f.name) || f.name === p.entry || !(RESIDUAL_FN.test(f.name) || f.name === site.residual)) };
}

/** Remove what became unread, starting from values of `fn` that lost a reader: pure statements whose values
 *  nobody reads, calls none of whose values are read, and a function's outputs no call reads (then what only
 *  they read inside it). */
function withoutDead(fns: Fn[], entry: string, fn: string, seeds: string[]): Fn[] {
  const byName = new Map(fns.map((f) => [f.name, { ...f, body: [...f.body], returns: [...f.returns] }]));
  const work = seeds.map((v) => [fn, v] as [string, string]);
  const read = (f: Fn, v: string) => f.returns.includes(v) || f.params.some((x) => x.name === v) || f.body.some((s) => s.args.includes(v));
  while (work.length) {
    const [fname, v] = work.pop()!;
    const f = byName.get(fname)!;
    if (read(f, v)) continue;
    const at = f.body.findIndex((s) => (s.kind === "prim" ? s.out.name === v : s.outs.some((o) => o.name === v)));
    if (at < 0) continue;
    const s = f.body[at];
    if (s.kind === "prim" || s.outs.every((o) => !read(f, o.name))) {
      f.body.splice(at, 1);
      for (const a of s.args) work.push([fname, a]);
      continue;
    }
    // One output of a call unread here: drop it from the callee when no call anywhere reads it.
    const k = s.outs.findIndex((o) => o.name === v);
    const callee = byName.get(s.fn);
    if (!callee || callee.name === entry) continue;
    const sites = [...byName.values()].flatMap((g) => g.body.flatMap((c, i) => (c.kind === "call" && c.fn === s.fn ? [{ g, i, c }] : [])));
    if (sites.some(({ g, c }) => read(g, c.outs[k].name))) continue;
    for (const { g, i, c } of sites) g.body[i] = { ...c, outs: c.outs.filter((_, j) => j !== k) };
    const [gone] = callee.returns.splice(k, 1);
    work.push([callee.name, gone]);
  }
  return fns.map((f) => byName.get(f.name)!);
}

function renamed(s: Stmt, from: string, to: string): Stmt {
  const args = s.args.map((a) => (a === from ? to : a));
  if (s.kind === "call") return { ...s, args, outs: s.outs.map((o) => (o.name === from ? { ...o, name: to } : o)) };
  return { ...s, args, out: s.out.name === from ? { ...s.out, name: to } : s.out };
}

/** One line saying what a dropped residual was and what dropping it cost, for program.txt, show and report.md. */
export function droppedText(d: DroppedResidual): string {
  const box = d.cost.box !== undefined ? `, ${d.cost.box.toExponential(1)} on ${d.cost.boxRows} fresh points of the box` : "";
  return `${d.fn}/${d.value}: ${d.residual} dropped (${d.units} units, ${d.weights} weights; stated ${d.stated || "above rounding"}); program vs original ${d.cost.analysis.toExponential(1)} on ${d.cost.rows} analysis rows${box} (budget ${d.budget.toExponential(1)})`;
}
