// program.txt: the program as readable code. A header with fidelity, a short legend of what appears,
// then the functions, each statement one line with what it holds after `#`.
import { fidelitySummary } from "../verify/metrics.ts";
import { simplify } from "./numfmt.ts";
import { isSeqKind, seqText } from "./seq-prim.ts";
import { machineLoop } from "../seq/fsm/print.ts";
import { findRepeats, foldedText, type Repeat } from "./print-loops.ts";
import { droppedText } from "./drop-residual.ts";
import { inlinedBody } from "./print-inline.ts";
import {
  allPrimStmts, weightCounts, weightCountText, type SeqParams, type ActSpec, type Fn, type PrimStmt, type Program, type Stmt, type ValueType,
} from "./program.ts";

export interface PrintOptions {
  /** Output folder, for the `pseudonet show` hint. */
  dir?: string;
  /** Source model file, for the header. */
  source?: string;
}

/** A value type as written in program.txt: vec[784], image[1,28,28], bits[8], int, int64[3], ... */
export function typeText(t: ValueType): string {
  switch (t.kind) {
    case "vec": return `vec[${t.n}]`;
    case "bits": return `bits[${t.n}]`;
    case "image": return `image[${t.c},${t.h},${t.w}]`;
    case "tensor":
      if (t.shape.length === 0) return t.dtype.startsWith("int") ? "int" : t.dtype;
      return `${t.dtype === "float32" ? "tensor" : t.dtype}[${t.shape.map((d) => (d < 0 ? "?" : d)).join(",")}]`;
  }
}

const isZero = (d: Float32Array) => d.every((v) => v === 0);

function actCall(a: ActSpec | undefined, inner: string): string {
  if (!a || a.fn === "identity") return inner;
  switch (a.fn) {
    case "leaky_relu": return `leaky_relu(${inner}, ${simplify(a.alpha ?? 0.01)})`;
    case "clip": return `clamp(${inner}, ${simplify(a.min ?? -Infinity)}, ${simplify(a.max ?? Infinity)})`;
    default: return `${a.fn}(${inner})`;
  }
}

function dims(xs: number[], sep = "x"): string {
  return xs.join(sep);
}

/** One number when all entries agree, else a tuple: stride=2 or stride=(2,1). */
function uniform(xs: number[]): string {
  return xs.every((v) => v === xs[0]) ? String(xs[0] ?? 1) : `(${xs.join(",")})`;
}

/** Padding as one number when symmetric and equal, else the ONNX begins/ends list. */
function padText(pads: number[]): string {
  return pads.length === 0 ? "0" : uniform(pads);
}

function windowArgs(kernel: number[], strides: number[], pads: number[], dilations: number[]): string {
  const parts = [dims(kernel), `stride=${uniform(strides.length ? strides : [1])}`];
  if (pads.some((p) => p !== 0)) parts.push(`pad=${padText(pads)}`);
  if (dilations.some((d) => d !== 1)) parts.push(`dilation=${uniform(dilations)}`);
  return parts.join(", ");
}

/** The right-hand side of a primitive statement, e.g. `relu(W1 @ x + b1)`. */
export function primText(s: PrimStmt): string {
  const a = s.args;
  const p = s.prim;
  if (isSeqKind(p.kind)) return seqText(p.kind, p.params as SeqParams, a);
  switch (p.kind) {
    case "affine": {
      const { W, b, act } = p.params;
      const core = `${W.name} @ ${a[0]}${isZero(b.data) ? "" : ` + ${b.name}`}`;
      return actCall(act, core);
    }
    case "conv": {
      const c = p.params;
      const parts = [a[0], c.weight.name, `stride=${uniform(c.strides.length ? c.strides : [1])}`, `pad=${padText(c.pads)}`];
      if (c.dilations.some((d) => d !== 1)) parts.push(`dilation=${uniform(c.dilations)}`);
      if (c.groups !== 1) parts.push(`groups=${c.groups}`);
      const core = `conv${c.kernel.length}d(${parts.join(", ")})${c.bias.data.length && !isZero(c.bias.data) ? ` + ${c.bias.name}` : ""}`;
      return actCall(c.act, core);
    }
    case "act": return actCall(p.params, a[0]).replace(/^identity\(/, "(");
    case "maxpool": case "avgpool": {
      const q = p.params;
      const extra = [q.ceilMode ? "ceil" : "", p.kind === "avgpool" && q.countIncludePad ? "count_pad" : ""].filter(Boolean);
      return `${p.kind}(${[a[0], windowArgs(q.kernel, q.strides, q.pads, q.dilations), ...extra].join(", ")})`;
    }
    case "global_maxpool": case "global_avgpool": return `${p.kind}(${a[0]})`;
    case "softmax": case "log_softmax": {
      const last = shapeLen(s.out.type) - 1;
      return `${p.kind}(${a[0]}${p.params.axis === last ? "" : `, axis=${p.params.axis}`})`;
    }
    case "argmax": return `argmax(${a[0]}${p.params.axis === 0 ? "" : `, axis=${p.params.axis}`})`;
    case "reshape": {
      const t = s.out.type;
      return shapeLen(t) === 1 ? `flatten(${a[0]})` : `reshape(${a[0]}, [${p.params.shape.join(", ")}])`;
    }
    case "add": return a.join(" + ");
    // Scalars assembled into a vector read as a list: y = [m1, m2].
    case "concat": return p.params.axis === 0 && s.out.type.kind === "vec" && s.out.type.n === a.length ? `[${a.join(", ")}]` : `concat(${a.join(", ")}${p.params.axis === 0 ? "" : `, axis=${p.params.axis}`})`;
    case "opaque": return `${p.label ?? p.id}(${a.join(", ")})`;
    case "max": case "min": return `${p.kind}(${a.join(", ")})`;
    case "sort": return `sort(${a.join(", ")}${p.params.descending ? ", descending" : ""})`;
    case "pick": return `${a[0]}[${pickText(p.params.indices)}]`;
    case "lincomb": return linearText(a, p.params.coefs, p.params.bias);
    case "onehot": return `onehot(${a[0]}, ${p.params.n})`;
    case "machine": return `machine(${a[0]}): ${machineLoop(p.params, a[0])}`;
    case "threshold": {
      const c = p.params.c;
      return `${a[0]} ${p.params.strict ? ">" : ">="} ${c.data.length === 1 ? simplify(c.data[0]) : c.name}`;
    }
    case "logic": return p.params.op === "not" ? `not ${a[0]}` : p.params.op === "maj" ? `maj(${a.join(", ")})` : a.join(` ${p.params.op} `);
    case "piecewise": {
      const q = p.params;
      return `piecewise(${a[0]}, breaks=[${q.breakpoints.map(simplify).join(", ")}], slopes=[${q.slopes.map(simplify).join(", ")}])`;
    }
  }
}

/** Indices as written inside `x[...]`: `2`, `1:4` for a run (`0:2` for two), `[0, 3]` otherwise. */
export function pickText(ix: number[]): string {
  if (ix.length === 1) return String(ix[0]);
  if (ix.length >= 2 && ix.every((v, k) => v === ix[0] + k)) return `${ix[0]}:${ix[0] + ix.length}`;
  return `[${ix.join(", ")}]`;
}

/** A linear combination as a reader writes it: `2*a - b + 0.5`, `a + b`, `-x`. */
export function linearText(args: string[], coefs: number[], bias: number): string {
  const parts: string[] = [];
  args.forEach((v, i) => {
    const c = coefs[i];
    if (c === 0) return;
    const mag = Math.abs(c) === 1 ? v : `${simplify(Math.abs(c))}*${v}`;
    parts.push(parts.length ? `${c < 0 ? "- " : "+ "}${mag}` : `${c < 0 ? "-" : ""}${mag}`);
  });
  if (bias !== 0 || !parts.length) parts.push(parts.length ? `${bias < 0 ? "- " : "+ "}${simplify(Math.abs(bias))}` : simplify(bias));
  return parts.join(" ");
}

function shapeLen(t: ValueType): number {
  return t.kind === "image" ? 3 : t.kind === "tensor" ? t.shape.length : 1;
}

/** The statement as code, without its comment: `h1 = relu(W1 @ x + b1)`. */
export function stmtCode(s: Stmt): string {
  if (s.kind === "call") return `${s.outs.map((o) => o.name).join(", ")} = ${s.fn}(${s.args.join(", ")})`;
  return `${s.out.name} = ${primText(s)}`;
}

/** The comment shown after a statement: its stored comment, label and local error. */
export function stmtComment(s: Stmt): string {
  const parts: string[] = [];
  if (s.comment) parts.push(s.comment);
  if (s.kind === "prim") {
    if (s.prim.label && s.prim.kind !== "opaque") parts.push(s.prim.label);
    if (s.prim.error > 0) parts.push(`local error ${s.prim.error.toExponential(1)}`);
  }
  return parts.join("; ");
}

function fnHeader(f: Fn, types: Map<string, ValueType>): string {
  const params = f.params.map((v) => `${v.name}: ${typeText(v.type)}`).join(", ");
  const rets = f.returns.map((r) => typeText(types.get(r)!));
  return `def ${f.name}(${params}) -> ${rets.length === 1 ? rets[0] : `(${rets.join(", ")})`}:`;
}

/** The text of one function, comments aligned; a run of repeated blocks prints as a loop over a block function. */
export function printFn(f: Fn): string {
  const reps = findRepeats(f);
  if (reps.length) return printFolded(f, reps);
  return printFlat(f);
}

function printFolded(f: Fn, reps: readonly Repeat[]): string {
  const types = new Map<string, ValueType>(f.params.map((v) => [v.name, v.type]));
  for (const s of f.body) for (const v of s.kind === "prim" ? [s.out] : s.outs) types.set(v.name, v.type);
  const show = (s: Stmt) => ({ code: stmtCode(s), comment: stmtComment(s) });
  const header = (name: string, params: string[], carry: string, rep: Repeat) =>
    name === f.name ? fnHeader(f, types) : `def ${name}(${params.map((p) => (p === carry ? `${p}: ${typeText(types.get(rep.carryIn)!)}` : types.has(p) ? `${p}: ${typeText(types.get(p)!)}` : `${p}: int`)).join(", ")}):`;
  return foldedText(f, reps, show, header).join("\n\n");
}

function printFlat(f: Fn): string {
  const types = new Map<string, ValueType>(f.params.map((v) => [v.name, v.type]));
  for (const s of f.body) for (const v of s.kind === "prim" ? [s.out] : s.outs) types.set(v.name, v.type);
  // Picks read once or twice are written where they are read (print-inline.ts); program.json keeps them.
  const lines = inlinedBody(f).map((s) => ({ code: stmtCode(s), comment: stmtComment(s) }));
  const col = Math.min(64, Math.max(0, ...lines.map((l) => l.code.length)) + 2);
  const out = [fnHeader(f, types)];
  if (f.doc) out.push(`    """${f.doc}"""`);
  for (const l of lines) out.push(`    ${l.comment ? `${l.code.length >= col ? `${l.code}  ` : l.code.padEnd(col)}# ${l.comment}` : l.code}`);
  out.push(`    return ${f.returns.join(", ")}`);
  return out.join("\n");
}

function actOf(s: PrimStmt): ActSpec | undefined {
  const p = s.prim;
  return p.kind === "act" ? p.params : p.kind === "affine" || p.kind === "conv" ? p.params.act : undefined;
}

const LEGEND: [test: (s: PrimStmt) => boolean, text: string][] = [
  [(s) => s.prim.kind === "affine", "W @ x       matrix times vector: W is [out, in]; b is a bias vector"],
  [(s) => s.prim.kind === "conv", "convNd(x, W, stride, pad)  convolution: W is [filters, in_channels, kernel...]"],
  [(s) => actOf(s)?.fn === "relu", "relu(z)     max(z, 0), per entry"],
  [(s) => s.prim.kind === "maxpool" || s.prim.kind === "avgpool", "maxpool(x, KxK, stride)  max (avgpool: mean) over each KxK window"],
  [(s) => s.prim.kind === "softmax", "softmax(z)  exp(z) / sum(exp(z))"],
  [(s) => s.prim.kind === "log_softmax", "log_softmax(z)  z - log(sum(exp(z)))"],
  [(s) => s.prim.kind === "reshape", "flatten(x)  the same numbers as one vector, row-major"],
  [(s) => s.prim.kind === "machine", "machine(x): ...  a state machine run over x's rows; y[t] = the scores of the state it is in (read from a recurrent net on the data)"],
  [(s) => s.prim.kind === "opaque", "opaque_k(...)  a part pseudonet does not explain yet: its ONNX ops run as they are"],
];

/** The header line of a module partition: its modules (with the statements computing them) and the cut's cost. */
function modulesLine(m: NonNullable<Program["modules"]>): string {
  const mods = m.modules.map((x) => `${x.name} ${x.units.length} units${x.statements.length ? ` (${x.statements.join(", ")})` : ""}`).join("; ");
  const r = m.residual;
  const cost = r.weights ? `apart but for ${r.weights} weights below 1% of their row (cut, they change y by max |r| ${r.maxAbsErr.toExponential(1)} on the analysis rows)` : "exactly apart (no weight is cut)";
  const nc = m.ncut !== undefined ? `; n-cut ${m.ncut.toFixed(3)}${m.shuffled ? ` vs ${m.shuffled.mean.toFixed(3)} shuffled` : ""}` : "";
  return `# modules: ${mods}; ${cost}${nc}`;
}

/** program.txt: header (source, fidelity, size), legend, then every function. */
export function printProgram(p: Program, opts: PrintOptions = {}): string {
  const prims = allPrimStmts(p);
  const wc = weightCounts(p);
  const head = [`# pseudonet program: ${p.name}${opts.source ? ` (from ${opts.source})` : ""}`];
  if (p.fidelity) {
    const f = p.fidelity;
    head.push(`# fidelity vs original ${fidelitySummary(f)}`);
  } else head.push("# fidelity: not measured");
  head.push(`# ${prims.length} statement${prims.length === 1 ? "" : "s"} in ${p.functions.length} function(s); ${weightCountText(wc)} in ${wc.tensors} tensors`);
  if (p.modules) head.push(modulesLine(p.modules));
  for (const d of p.droppedResiduals ?? []) head.push(`# residual ${droppedText(d)}`);
  const shown = prims.find(({ stmt }) => stmt.prim.kind !== "pick") ?? prims[0];
  const example = shown ? `${shown.fn.name}/${shown.stmt.out.name}` : "main/y";
  head.push(`# pseudonet show ${opts.dir ?? "DIR"} ${example}   opens one statement: its units, weights and inputs`);
  const legend = LEGEND.filter(([t]) => prims.some(({ stmt }) => t(stmt))).map(([, text]) => text);
  if (legend.length) {
    head.push("#");
    head.push(`# legend: ${legend[0]}`);
    for (const l of legend.slice(1)) head.push(`#         ${l}`);
  }
  return [head.join("\n"), ...p.functions.map(printFn)].join("\n\n") + "\n";
}
