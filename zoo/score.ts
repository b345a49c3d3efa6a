// The scorer: how much of a zoo network's known algorithm an explanation (the folder `pseudonet explain`
// writes) recovered. Reads truth.json beside the model and program.json/program.txt of the explanation.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../src/errors.ts";
import { parseProgram, programFromJson } from "../src/program/json.ts";
import { printProgram } from "../src/program/printer.ts";
import { allPrimStmts, paramWeights, programWeights, type Fn, type Primitive, type Program, type Weight } from "../src/program/program.ts";
import { adjustedRandIndex, codeTokens, kernelMatchError, nonzeroCount, normalizedFilters } from "./metrics.ts";
import { readTruth, type Truth } from "./truth.ts";
import { DEAD } from "./units.ts";
import { SEQ_KINDS } from "../src/seq/defs.ts";

export interface PrimitiveScore {
  /** Required signatures; "a|b" accepts either, "kind=N" wants exactly N such statements. */
  required: string[];
  found: string[];
  /** Required entries the explanation has. */
  matched: string[];
  /** matched / required; null when nothing is required (trained cases). */
  recall: number | null;
  /** Found signatures no requirement asks for, plumbing (affine, reshape, concat, add, relu) left out. */
  extra: string[];
}

export interface ModuleScore {
  /** Modules in the truth among live hidden units. */
  truthModules: number;
  /** Groups the explanation puts those units in. */
  foundGroups: number;
  /** Adjusted Rand index over the live hidden units the explanation covers; null when the truth has < 2 modules. */
  ari: number | null;
  /** Fraction of live hidden units some statement of the explanation covers. */
  coverage: number;
}

export interface ConvScore {
  found: boolean;
  /** Worst truth filter vs its best found filter, each scaled to max |value| 1 (sign free). */
  kernelMaxErr: number | null;
  strideOk: boolean;
  paddingOk: boolean;
}

export interface RepeatScore {
  fn: string;
  times: number;
  /** Most calls any one function of the explanation gets. */
  bestCalls: number;
  ok: boolean;
}

export interface SizeScore {
  /** Code tokens of program.txt plus the non-zero values of the weights it computes with. */
  tokens: number;
  /** Non-zero values held only as provenance in slices (opened by `show`), not in `tokens`. */
  sliceWeights: number;
  referenceTokens: number | null;
  /** A plain listing of the model: its non-zero parameters plus a line per layer. */
  dumpTokens: number;
  vsReference: number | null;
  vsDump: number;
}

export interface FidelityScore {
  maxAbsErr: number;
  relErr: number;
  top1Agreement?: number;
  samples: number;
  data: string;
}

/** A recurrent case: the state machine the explanation read, against the truth's. */
export interface MachineScore {
  truthStates: number;
  /** States of the machine found (null: none was read), its held-out step agreement with the network, its loop. */
  states: number | null;
  heldOutAgreement: number | null;
  loop: string | null;
  /** Whether the program runs the machine (else the cell stays and the machine is a comment). */
  implemented: boolean;
  /** A machine with the truth's number of states that agrees on >= 99% of held-out steps. */
  recovered: boolean;
}

/** A transformer case: head kinds found against the truth's (as multisets). */
export interface HeadScore {
  truth: string[];
  found: string[];
  matched: number;
  ok: boolean;
}

/** Held-out step agreement a machine needs to count as recovered. */
export const MACHINE_AGREEMENT = 0.99;

export interface CaseScore {
  case: string;
  family: "compiled" | "trained";
  /** Why the explanation could not be scored (missing or unreadable); every measure is then absent. */
  error?: string;
  primitives?: PrimitiveScore;
  modules?: ModuleScore | null;
  conv?: ConvScore | null;
  repeats?: RepeatScore | null;
  fidelity?: FidelityScore | null;
  size?: SizeScore;
  machine?: MachineScore | null;
  heads?: HeadScore | null;
}

// Sequence blocks (embed, layer_norm, linear, ...) are the vocabulary of sequence models, not readings: plumbing here.
export const PLUMBING = new Set(["affine", "reshape", "concat", "add", "act:relu", "act:identity", "pick", "lincomb", "onehot", ...SEQ_KINDS]);

/** Signatures of one primitive: its kind, plus act:<fn> / logic:<op> details (an affine's fused act too). */
export function signatures(p: Primitive): string[] {
  switch (p.kind) {
    case "act": return [`act:${p.params.fn}`];
    case "logic": return [`logic:${p.params.op}`];
    // A copy of one value (y = x) is the identity: what identity3 carried through its ReLU layers.
    case "lincomb": return p.params.coefs.length === 1 && p.params.coefs[0] === 1 && p.params.bias === 0 ? ["lincomb", "act:identity"] : ["lincomb"];
    case "affine": case "conv": return p.params.act && p.params.act.fn !== "identity" ? [p.kind, `act:${p.params.act.fn}`] : [p.kind];
    default: return [p.kind];
  }
}

/** Score the explanation in `explainedDir` of the zoo case in `caseDir`. */
export function scoreCase(caseDir: string, explainedDir: string): CaseScore {
  const truth = readTruth(join(caseDir, "truth.json"));
  const base: CaseScore = { case: truth.name, family: truth.family };
  const pj = join(explainedDir, "program.json");
  if (!existsSync(pj)) return { ...base, error: `no program.json in ${explainedDir}` };
  let prog: Program;
  try {
    prog = parseProgram(readFileSync(pj, "utf8"), pj);
  } catch (e) {
    return { ...base, error: `unreadable program.json: ${(e as Error).message}` };
  }
  const txtFile = join(explainedDir, "program.txt");
  const text = existsSync(txtFile) ? readFileSync(txtFile, "utf8") : printProgram(prog);
  return {
    ...base,
    primitives: scorePrimitives(truth, prog),
    modules: scoreModules(truth, prog),
    conv: scoreConv(truth, prog),
    repeats: scoreRepeats(truth, prog),
    fidelity: prog.fidelity
      ? { maxAbsErr: prog.fidelity.maxAbsErr, relErr: prog.fidelity.relErr, samples: prog.fidelity.samples, data: prog.fidelity.data, ...(prog.fidelity.top1Agreement !== undefined ? { top1Agreement: prog.fidelity.top1Agreement } : {}) }
      : null,
    size: scoreSize(truth, prog, text),
    machine: scoreMachine(truth, prog),
    heads: scoreHeads(truth, prog),
  };
}

/** A recurrent case's machine against the truth's: recovered when the states match and >= 99% of held-out steps agree. */
export function scoreMachine(truth: Truth, prog: Program): MachineScore | null {
  if (!truth.machine) return null;
  const m = prog.machines?.[0];
  const agree = m ? m.agreement.heldOut.stepAgreement : null;
  return {
    truthStates: truth.machine.states, states: m?.minimalStates ?? null, heldOutAgreement: agree, loop: m?.loop ?? null, implemented: !!m?.implemented,
    recovered: !!m && m.minimalStates === truth.machine.states && (agree ?? 0) >= MACHINE_AGREEMENT,
  };
}

/** A transformer case's head kinds against the truth's, as multisets. */
export function scoreHeads(truth: Truth, prog: Program): HeadScore | null {
  if (!truth.heads) return null;
  const found = (prog.seqAnalysis?.heads ?? []).map((h) => h.kind as string);
  const left = [...found];
  let matched = 0;
  for (const k of truth.heads) {
    const i = left.indexOf(k);
    if (i >= 0) { left.splice(i, 1); matched++; }
  }
  return { truth: [...truth.heads], found, matched, ok: matched === truth.heads.length && found.length === truth.heads.length };
}

/** Does a requirement hold: "a|b" (any alternative found) or "kind=N" (exactly N statements of that signature). */
export function satisfied(req: string, counts: ReadonlyMap<string, number>): boolean {
  return req.split("|").some((alt) => {
    const m = /^(.+)=(\d+)$/.exec(alt);
    if (m) return counts.get(m[1]) === Number(m[2]);
    // A bare kind ("logic") is met by any of its detailed signatures ("logic:maj") too.
    return (counts.get(alt) ?? 0) > 0 || (!alt.includes(":") && [...counts.keys()].some((k) => k.startsWith(`${alt}:`)));
  });
}

function scorePrimitives(truth: Truth, prog: Program): PrimitiveScore {
  const counts = new Map<string, number>();
  for (const { stmt } of allPrimStmts(prog)) for (const sig of signatures(stmt.prim)) counts.set(sig, (counts.get(sig) ?? 0) + 1);
  const found = [...counts.keys()].sort();
  const matched = truth.primitives.filter((r) => satisfied(r, counts));
  const wanted = new Set(truth.primitives.flatMap((r) => r.split("|").map((alt) => alt.replace(/=\d+$/, ""))));
  return {
    required: [...truth.primitives],
    found,
    matched,
    recall: truth.primitives.length ? matched.length / truth.primitives.length : null,
    extra: found.filter((s) => !wanted.has(s) && !PLUMBING.has(s)),
  };
}

/** Units each top-level statement of the entry function covers (a call covers its callee's, recursively). */
function statementUnits(prog: Program): { group: string; layer: string; units: number[] | null; origin?: string[] }[] {
  const fns = new Map(prog.functions.map((f) => [f.name, f]));
  const entry = fns.get(prog.entry);
  if (!entry) return [];
  const out: { group: string; layer: string; units: number[] | null; origin?: string[] }[] = [];
  const visit = (f: Fn, group: string, depth: number) => {
    if (depth > 32) return;
    for (const s of f.body) {
      if (s.kind === "prim") for (const l of s.prim.slice.layers) out.push({ group, layer: l.id, units: l.units, ...(l.origin ? { origin: l.origin } : {}) });
      else {
        const callee = fns.get(s.fn);
        if (callee) visit(callee, group, depth + 1);
      }
    }
  };
  entry.body.forEach((s, i) => {
    const group = `s${i}`;
    if (s.kind === "prim") for (const l of s.prim.slice.layers) out.push({ group, layer: l.id, units: l.units, ...(l.origin ? { origin: l.origin } : {}) });
    // A call that names its own units (one call of a repeated function) covers those, not its callee's.
    else if (s.slice) for (const l of s.slice.layers) out.push({ group, layer: l.id, units: l.units, ...(l.origin ? { origin: l.origin } : {}) });
    else {
      const callee = fns.get(s.fn);
      if (callee) visit(callee, group, 1);
    }
  });
  return out;
}

/** Module partition of an explanation vs the truth's (ARI over the live hidden units it covers). */
export function scoreModules(truth: Truth, prog: Program): ModuleScore | null {
  if (!truth.modules.length) return null;
  // Live hidden units by canonical key (the layer's first id); every id of the layer is an alias.
  const truthLabel = new Map<string, string>();
  const alias = new Map<string, { key: string; n: number }>();
  for (const m of truth.modules) {
    m.ids.forEach((id) => alias.set(id, { key: m.ids[0], n: m.labels.length }));
    m.labels.forEach((lab, i) => {
      if (lab !== DEAD) truthLabel.set(`${m.ids[0]}:${i}`, lab);
    });
  }
  const groupOf = new Map<string, string>();
  // The explanation's module partition, when it states one (program.json `modules`); else its statements.
  for (const m of prog.modules?.modules ?? []) {
    for (const id of m.units) {
      const k = id.lastIndexOf(":");
      const a = alias.get(id.slice(0, k));
      if (a) groupOf.set(`${a.key}:${id.slice(k + 1)}`, m.name);
    }
  }
  for (const { group, layer, units, origin } of prog.modules ? [] : statementUnits(prog)) {
    // A simplified explanation names the lowered Net's units it covers (slice origin); use those when given.
    if (origin) {
      for (const id of origin) {
        const k = id.lastIndexOf(":");
        const a = alias.get(id.slice(0, k));
        const key = a ? `${a.key}:${id.slice(k + 1)}` : undefined;
        if (key && !groupOf.has(key)) groupOf.set(key, group);
      }
      continue;
    }
    const a = alias.get(layer);
    if (!a) continue;
    for (const i of units ?? Array.from({ length: a.n }, (_, k) => k)) {
      const key = `${a.key}:${i}`;
      if (!groupOf.has(key)) groupOf.set(key, group);
    }
  }
  const keys = [...truthLabel.keys()].filter((k) => groupOf.has(k));
  const tl = keys.map((k) => truthLabel.get(k)!);
  const el = keys.map((k) => groupOf.get(k)!);
  const truthModules = new Set(truthLabel.values()).size;
  return {
    truthModules,
    foundGroups: new Set(el).size,
    ari: truthModules >= 2 && keys.length >= 2 ? adjustedRandIndex(tl, el) : null,
    coverage: truthLabel.size ? keys.length / truthLabel.size : 1,
  };
}

function scoreConv(truth: Truth, prog: Program): ConvScore | null {
  const t = truth.conv;
  if (!t) return null;
  const convs = allPrimStmts(prog).map(({ stmt }) => stmt.prim).filter((p) => p.kind === "conv");
  if (!convs.length) return { found: false, kernelMaxErr: null, strideOk: false, paddingOk: false };
  const tf = normalizedFilters(t.kernel, t.kernelShape[0]);
  let best: ConvScore = { found: true, kernelMaxErr: Infinity, strideOk: false, paddingOk: false };
  for (const p of convs) {
    if (p.kind !== "conv") continue;
    const q = p.params;
    const err = kernelMatchError(tf, normalizedFilters(q.weight.data, q.weight.shape[0]));
    if (err <= (best.kernelMaxErr ?? Infinity)) {
      best = {
        found: true,
        kernelMaxErr: err,
        strideOk: q.strides.every((s) => s === t.stride),
        paddingOk: (q.pads.length ? q.pads : [0]).every((v) => v === t.pad),
      };
    }
  }
  return best;
}

/** Whether some function of the explanation is called as many times as the truth's repeated one. */
export function scoreRepeats(truth: Truth, prog: Program): RepeatScore | null {
  const r = truth.repeats?.[0];
  if (!r) return null;
  const calls = new Map<string, number>();
  for (const f of prog.functions) for (const s of f.body) if (s.kind === "call") calls.set(s.fn, (calls.get(s.fn) ?? 0) + 1);
  const bestCalls = Math.max(0, ...calls.values());
  return { fn: r.fn, times: r.times, bestCalls, ok: [...calls.values()].includes(r.times) };
}

/** Tokens of a program: its code plus the non-zero values of the weights it computes with. A named primitive's
 *  slice (the units and weights `show` opens: where in the net it lives) is not counted, as the reference program's
 *  primitives are not counted with their implementations either; see sliceOnlyWeights. */
export function programTokens(prog: Program, text = printProgram(prog)): number {
  return codeTokens(text) + nonzeroCount([...executedWeights(prog).values()].map((w) => w.data));
}

/** The weights a program computes with: every statement's params (a residual function's layers included). */
function executedWeights(prog: Program): Map<string, Weight> {
  const ws = new Map<string, Weight>();
  for (const { stmt } of allPrimStmts(prog)) for (const w of paramWeights(stmt.prim)) ws.set(w.name, w);
  return ws;
}

/** Non-zero values held only in slices (a primitive's implementation in the net, shown by `show`), not computed with. */
export function sliceOnlyWeights(prog: Program): number {
  const exec = executedWeights(prog);
  return nonzeroCount([...programWeights(prog).values()].filter((w) => !exec.has(w.name)).map((w) => w.data));
}

function scoreSize(truth: Truth, prog: Program, text: string): SizeScore {
  const tokens = programTokens(prog, text);
  const ref = truth.program ? programTokens(programFromJson(truth.program, "truth.program")) : null;
  // "h3 = relu(W3 @ h2 + b3)" is about 12 tokens a layer; the weights are the rest.
  const dumpTokens = truth.size.nonzeroParameters + 12 * (truth.modules.length + 1);
  return { tokens, sliceWeights: sliceOnlyWeights(prog), referenceTokens: ref, dumpTokens, vsReference: ref ? tokens / ref : null, vsDump: tokens / dumpTokens };
}

/** Score every case folder of a zoo against EXPLAINED_ROOT/<case>/ (missing explanations are reported, not fatal). */
export function scoreAll(zooDir: string, explainedRoot: string, cases: readonly string[]): CaseScore[] {
  if (!existsSync(zooDir)) throw new UserError(`zoo folder ${zooDir} does not exist (write it with: pseudonet zoo --out ${zooDir})`);
  return cases.filter((c) => existsSync(join(zooDir, c, "truth.json"))).map((c) => scoreCase(join(zooDir, c), join(explainedRoot, c)));
}
