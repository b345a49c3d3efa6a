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
  /** The named value and the residual function's name. */
  named: string;
  residual: string;
  /** What the call's comment states about r (e.g. "max |r| 2.1e-3 on 512 samples (0.21% of max |y|)"). */
  stated: string;
}

/** Residual functions are named `residual_k` by the builders (`f1_residual_k` inside module bodies). */
export const RESIDUAL_FN = /(?:^|_)residual_\d+$/;

/** Every site `v = named + residual_k(..., named)` whose residual value is read by that sum alone. */
export function residualSites(p: Program): ResidualSite[] {
  const out: ResidualSite[] = [];
  for (const f of p.functions) {
    for (const st of f.body) {
      if (st.kind !== "call" || !RESIDUAL_FN.test(st.fn) || st.outs.length !== 1) continue;
      const sum = sumOf(f, st);
      if (sum) out.push({ fn: f.name, value: sum.out.name, named: sum.args[0], residual: st.fn, stated: st.comment ?? "" });
    }
  }
  return out;
}

/** The statement `v = named + r` reading the call's value r (and r read nowhere else), where `named` is the call's last argument. */
function sumOf(f: Fn, call: CallStmt): PrimStmt | undefined {
  const r = call.outs[0].name;
  const named = call.args[call.args.length - 1];
  const readers = f.body.filter((s) => s.args.includes(r));
  if (readers.length !== 1 || f.returns.includes(r)) return undefined;
  const s = readers[0];
  if (s.kind !== "prim" || s.prim.kind !== "lincomb") return undefined;
  const { coefs, bias } = s.prim.params;
  return s.args.length === 2 && s.args[0] === named && s.args[1] === r && coefs[0] === 1 && coefs[1] === 1 && bias === 0 ? s : undefined;
}

/** The program without one residual: the call and the sum removed, the named value renamed to the sum's name, and
 *  the residual function removed when nothing else calls it. The input program is not changed. */
export function dropResidual(p: Program, site: ResidualSite): Program {
  const fns = p.functions.map((f) => {
    if (f.name !== site.fn) return f;
    const call = f.body.find((s): s is CallStmt => s.kind === "call" && s.fn === site.residual && s.args[s.args.length - 1] === site.named);
    const sum = call && sumOf(f, call);
    if (!call || !sum || sum.out.name !== site.value) throw new Error(`no residual site ${site.fn}/${site.value} (${site.residual})`);
    // The named value takes the sum's name, so the statements after it (and the returns) read it unchanged.
    const body: Stmt[] = f.body.filter((s) => s !== call && s !== sum).map((s) => renamed(s, site.named, site.value));
    return { ...f, body, returns: f.returns.map((r) => (r === site.named ? site.value : r)) };
  });
  const called = new Set(fns.flatMap((f) => f.body.flatMap((s) => (s.kind === "call" ? [s.fn] : []))));
  return { ...p, functions: fns.filter((f) => f.name !== site.residual || called.has(f.name) || f.name === p.entry) };
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
