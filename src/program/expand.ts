// `pseudonet show DIR PATH` / `--expand PATH`: one statement opened up. What it computes, what feeds it,
// who uses it, the Net units behind it, and its weights: in full when small, summarised when large.
import { UserError } from "../errors.ts";
import { count, g3, simplify } from "./numfmt.ts";
import { primText, printFn, stmtCode, stmtComment, typeText } from "./printer.ts";
import { resolveLevels } from "./show-path.ts";
import { droppedText } from "./drop-residual.ts";
import type { MachineParams } from "./program.ts";
import type { Fn, PrimStmt, Program, Stmt, ValueType, Weight } from "./program.ts";

/** Weights with at most FULL_LIMIT entries and rows of at most FULL_COLS (or at most 32 entries) are printed in full. */
export const FULL_LIMIT = 256;
export const FULL_COLS = 12;

export interface Located {
  fn: Fn;
  stmt: Stmt;
}

/** Find a statement by `fn/var`, `var` (first function that assigns it), a primitive id, or a label. */
export function locate(p: Program, path: string): Located {
  const [fnName, v] = path.includes("/") ? path.split("/", 2) : [undefined, path];
  const fns = fnName ? p.functions.filter((f) => f.name === fnName) : p.functions;
  if (fnName && fns.length === 0) throw new UserError(`no function '${fnName}' in the program (functions: ${p.functions.map((f) => f.name).join(", ")})`);
  for (const fn of fns) {
    for (const stmt of fn.body) {
      const outs = stmt.kind === "prim" ? [stmt.out.name] : stmt.outs.map((o) => o.name);
      if (outs.includes(v) || (stmt.kind === "prim" && (stmt.prim.id === v || stmt.prim.label === v))) return { fn, stmt };
    }
  }
  const known = p.functions.flatMap((f) => f.body.map((s) => `${f.name}/${s.kind === "prim" ? s.out.name : s.outs[0].name}`));
  throw new UserError(`no statement '${path}' in the program; try one of: ${known.slice(0, 12).join(", ")}${known.length > 12 ? ", ..." : ""}`);
}

/** The text `show` prints for a path. */
export function expand(p: Program, path: string): string {
  // Levels: a function name prints the function; a/b/c goes through calls (show-path.ts).
  const r = resolveLevels(p, path);
  if (r?.kind === "fn") {
    const callers = p.functions.flatMap((f) => f.body.flatMap((s) => (s.kind === "call" && s.fn === r.fn.name ? [`${f.name}/${s.outs.map((o) => o.name).join(", ")}`] : [])));
    return [...r.via.map((v) => `via ${v}`), printFn(r.fn).trimEnd(), "", `called by: ${callers.length ? callers.join(", ") : r.fn.name === p.entry ? "(entry)" : "nothing"}`].join("\n") + "\n";
  }
  const { fn, stmt } = r?.kind === "stmt" ? r : locate(p, path);
  const via = r?.kind === "stmt" && r.via.length ? r.via.map((v) => `via ${v}`) : [];
  const types = new Map<string, ValueType>(fn.params.map((v) => [v.name, v.type]));
  const producer = new Map<string, string>(fn.params.map((v) => [v.name, `parameter of ${fn.name}`]));
  for (const s of fn.body) {
    for (const o of s.kind === "prim" ? [s.out] : s.outs) {
      types.set(o.name, o.type);
      producer.set(o.name, s.kind === "prim" ? primText(s) : `${s.fn}(...)`);
    }
  }
  const comment = stmtComment(stmt);
  const lines = [...via, `${fn.name}: ${stmtCode(stmt)}${comment ? `   # ${comment}` : ""}`, ""];
  lines.push("fed by:");
  for (const a of stmt.args) lines.push(`  ${a}: ${typeText(types.get(a)!)} = ${clip(producer.get(a) ?? "?", 70)}`);
  const outs = stmt.kind === "prim" ? [stmt.out.name] : stmt.outs.map((o) => o.name);
  const users = fn.body.filter((s) => s.args.some((a) => outs.includes(a))).map((s) => (s.kind === "prim" ? s.out.name : s.outs.map((o) => o.name).join(", ")));
  if (fn.returns.some((r) => outs.includes(r))) users.push(`returned by ${fn.name}`);
  lines.push(`used by: ${users.length ? users.join(", ") : "nothing"}`);
  if (stmt.kind === "call") {
    lines.push(`calls function ${stmt.fn}; show ${fn.name}/${outs[0]}/NAME (or ${stmt.fn}/NAME) opens its statements`);
    if (stmt.slice) {
      const layers = stmt.slice.layers.map((l) => `${l.id}${l.units ? ` (units ${unitList(l.units)})` : ""}`);
      lines.push(`Net slice: ${layers.length ? layers.join(", ") : "(none)"}`);
    }
    return lines.join("\n") + "\n";
  }
  lines.push(...primDetails(stmt));
  // A residual the budgeted mode dropped from this value: what it was and what dropping it cost.
  for (const d of p.droppedResiduals ?? []) if (d.fn === fn.name && outs.includes(d.value)) lines.push("", `residual ${droppedText(d)}`);
  return lines.join("\n") + "\n";
}

function primDetails(s: PrimStmt): string[] {
  const p = s.prim;
  const out = [`primitive ${p.id}: ${p.kind}${p.label ? ` "${p.label}"` : ""}, ${p.error === 0 ? "exact (local error 0)" : `local error ${p.error.toExponential(2)}`}`];
  if (p.description) out.push(`  ${p.description}`);
  const layers = p.slice.layers.map((l) => `${l.id}${l.units ? ` (units ${unitList(l.units)})` : ""}`);
  out.push(`Net slice: ${layers.length ? layers.join(", ") : "(none)"}`);
  if (p.kind === "opaque") {
    const g = p.params.graph;
    out.push(`not explained: ${p.params.reason || "no recogniser matched"}`);
    out.push(`ONNX nodes (${g.nodes.length}):`);
    for (const n of g.nodes.slice(0, 40)) out.push(`  ${n.outputs.join(", ")} = ${n.op}(${n.inputs.filter(Boolean).join(", ")})`);
    if (g.nodes.length > 40) out.push(`  ... ${g.nodes.length - 40} more`);
  }
  if (p.kind === "machine") out.push(...machineDetails(p.params));
  const shown = new Set<Weight>();
  for (const w of [...paramWeightsOf(s), ...p.slice.weights]) {
    if (shown.has(w)) continue;
    shown.add(w);
    out.push("", ...weightText(w));
  }
  return out;
}

function paramWeightsOf(s: PrimStmt): Weight[] {
  const p = s.prim;
  if (p.kind === "affine") return [p.params.W, p.params.b];
  if (p.kind === "conv") return [p.params.weight, p.params.bias];
  if (p.kind === "threshold") return [p.params.c];
  if (p.kind === "machine") return [p.params.out];
  return [];
}

/** A machine opened: its agreement, its tables, and the network it was read from (what reconstructed.onnx runs). */
function machineDetails(q: MachineParams): string[] {
  const pc = (a: MachineParams["agreement"]["heldOut"]) => `${(100 * a.stepAgreement).toFixed(2)}% of ${a.steps} steps, ${(100 * a.sequenceAgreement).toFixed(1)}% of ${a.sequences} sequences`;
  const out = [
    `state machine read from the ${q.cell} on the data: ${q.minimalStates} states (minimal); decisions agree on ${pc(q.agreement.analysis)} (analysis) and ${pc(q.agreement.heldOut)} (held-out)`,
    `symbols (input rows): ${q.alphabet.map((r, a) => `${a} = [${r.join(", ")}]`).join(", ")}`,
    "state | decision | next state per symbol",
    ...q.next.map((r, st) => `  ${st}${st === 0 ? " (initial)" : ""} | ${q.decisions[st] < 0 ? "-" : q.decisions[st]} | ${r.map((t) => (t < 0 ? "-" : t)).join(" ")}`),
  ];
  if (q.formula) out.push(`state values in the formula: ${q.formula.values.join(", ")}`);
  const g = q.impl.graph;
  out.push(`implemented by the network it was read from (reconstructed.onnx runs it), ONNX nodes (${g.nodes.length}):`);
  for (const n of g.nodes.slice(0, 40)) out.push(`  ${n.outputs.filter(Boolean).join(", ")} = ${n.op}(${n.inputs.filter(Boolean).join(", ")})`);
  return out;
}

function unitList(units: number[]): string {
  return units.length > 12 ? `${units.slice(0, 12).join(", ")}, ... (${units.length})` : units.join(", ");
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

/** A weight in full when small (simplified numbers), else summary statistics and its largest entries. */
export function weightText(w: Weight): string[] {
  const d = w.data;
  const n = d.length;
  const head = `${w.name}: [${w.shape.join(", ")}], ${count(n)} value${n === 1 ? "" : "s"}`;
  if (n === 0) return [head];
  const cols = w.shape.length ? w.shape[w.shape.length - 1] : 1;
  if (n <= 32 || (n <= FULL_LIMIT && (w.shape.length <= 1 || cols <= FULL_COLS))) return [head, ...fullText(w).map((l) => `  ${l}`)];
  let min = Infinity, max = -Infinity, sum = 0, sq = 0, zeros = 0;
  for (const v of d) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sq += v * v;
    if (v === 0) zeros++;
  }
  const lines = [head, `  min ${g3(min)}, max ${g3(max)}, mean ${g3(sum / n)}, norm ${g3(Math.sqrt(sq))}, ${g3((100 * zeros) / n)}% zero`];
  if (w.shape.length >= 2) {
    const rows = w.shape[0], per = n / rows;
    const norms = Array.from({ length: rows }, (_, r) => Math.sqrt(d.subarray(r * per, (r + 1) * per).reduce((a, v) => a + v * v, 0)));
    norms.sort((a, b) => a - b);
    lines.push(`  row norms (one per output unit): min ${g3(norms[0])}, median ${g3(norms[rows >> 1])}, max ${g3(norms[rows - 1])}`);
  }
  const top = largestAbs(d, 8);
  lines.push(`  largest |w|: ${top.map((i) => `${w.name}[${index(i, w.shape).join(",")}] = ${simplify(d[i])}`).join(", ")}`);
  return lines;
}

/** Indices of the k entries largest in |value|, largest first (ties: lower index first); one pass, not a sort. */
function largestAbs(d: ArrayLike<number>, k: number): number[] {
  const top: number[] = [];
  const before = (a: number, b: number) => Math.abs(d[a]) > Math.abs(d[b]) || (Math.abs(d[a]) === Math.abs(d[b]) && a < b);
  for (let i = 0; i < d.length; i++) {
    if (top.length === k && !before(i, top[k - 1])) continue;
    let j = Math.min(top.length, k - 1);
    top[j] = i;
    while (j > 0 && before(top[j], top[j - 1])) [top[j], top[j - 1]] = [top[j - 1], top[j]], j--;
  }
  return top;
}

function index(flat: number, shape: number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = flat % shape[k];
    flat = Math.floor(flat / shape[k]);
  }
  return idx;
}

function fullText(w: Weight): string[] {
  const vals = Array.from(w.data, simplify);
  if (w.shape.length <= 1) return [`[${vals.join(", ")}]`];
  const cols = w.shape[w.shape.length - 1], rows = w.shape[w.shape.length - 2];
  const width = Math.max(...vals.map((v) => v.length));
  const block = (off: number) => Array.from({ length: rows }, (_, r) => `[${vals.slice(off + r * cols, off + (r + 1) * cols).map((v) => v.padStart(width)).join(" ")}]`);
  if (w.shape.length === 2) return block(0);
  const lead = w.shape.slice(0, -2);
  const out: string[] = [];
  for (let b = 0; b < vals.length / (rows * cols); b++) {
    out.push(`${w.name}[${index(b, lead).join(",")}] =`, ...block(b * rows * cols).map((l) => `  ${l}`));
  }
  return out;
}
