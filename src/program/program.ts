// The Program IR: what the user reads. Functions of typed parameters whose bodies are statements
// `y = prim(args)` or `ys = f(args)`. Every primitive keeps the Net slice that implements it, so the
// program stays tied to the network it explains (that slice is what `show`/`--expand` opens).
//
// Values are per sample here (the batch axis is implicit, as in the Net IR); the interpreter and the
// emitted code run on batches, batch axis first, exactly like the model.
import type { FeatureAnalysis } from "./features.ts";
import type { Graph } from "../graph/graph.ts";
import type { DType } from "../graph/tensor.ts";
import type { ActFn } from "../net/net.ts";
import type { Fidelity } from "../verify/metrics.ts";
import type { SeqAttrs, SeqKind } from "../seq/defs.ts";
import type { SeqAnalysis } from "../seq/analysis/types.ts";
import type { Agreement, MachineFormula } from "../seq/fsm/types.ts";

export type { ActFn };

/** The type of a per-sample value. `bits` is a vector whose entries are 0 or 1. A tensor dim of -1 is only
 * known at run time (e.g. a sequence length); only opaque parts produce or consume such values. */
export type ValueType =
  | { kind: "vec"; n: number }
  | { kind: "image"; c: number; h: number; w: number }
  | { kind: "bits"; n: number }
  | { kind: "tensor"; dtype: DType; shape: number[] };

/** A named variable: a function parameter or a statement result. */
export interface Var {
  name: string;
  type: ValueType;
}

/** A named float32 constant (weights, biases, kernels); shared by name in program.json. */
export interface Weight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** An elementwise activation: alpha for leaky_relu, min/max for clip. */
export interface ActSpec {
  fn: ActFn;
  alpha?: number;
  min?: number;
  max?: number;
}

/** y = act(W x + b) over the last axis; W is [out, in]. */
export interface AffineParams {
  W: Weight;
  b: Weight;
  act?: ActSpec;
}

/** y = act(conv(x, weight) + bias) over NC(H)(W) input; weight is [out, in/groups, ...kernel]. */
export interface ConvParams {
  weight: Weight;
  bias: Weight;
  kernel: number[];
  strides: number[];
  /** ONNX layout: begins then ends. */
  pads: number[];
  dilations: number[];
  groups: number;
  act?: ActSpec;
}

/** Window pooling; the global kinds ignore kernel/strides/pads. */
export interface PoolParams {
  kernel: number[];
  strides: number[];
  pads: number[];
  dilations: number[];
  ceilMode: boolean;
  countIncludePad: boolean;
}

/** Axis counts per-sample axes (0 = first axis after the batch). */
export interface AxisParams {
  axis: number;
}

/** Index of the largest entry along a per-sample axis (first one on ties unless selectLastIndex). */
export interface ArgmaxParams {
  axis: number;
  keepdims: boolean;
  selectLastIndex: boolean;
}

/** Same data, new per-sample shape. */
export interface ReshapeParams {
  shape: number[];
}

/** A graph fragment run as is; its inputs are the statement's args in order, its first output the result. */
export interface OpaqueParams {
  graph: Graph;
  opset: Map<string, number>;
  /** The ONNX op types inside, for printing. */
  ops: string[];
  reason: string;
  /** False when the result is not an ordinary batch-first value with a static per-sample shape. */
  perSample: boolean;
}

/** x > c (or >= c) as 0/1 floats, elementwise; c is a scalar or one value per element. */
export interface ThresholdParams {
  c: Weight;
  strict: boolean;
}

/** Sort along the last per-sample axis; with several args, of their concatenation (`sort(a, b, c)`). */
export interface SortParams {
  descending: boolean;
}

/** A piecewise-linear function of one variable applied elementwise: value at breakpoints[0] and slopes
 * on each of the breakpoints.length + 1 pieces (left of the first breakpoint, between, right of the last). */
export interface PiecewiseParams {
  breakpoints: number[];
  slopes: number[];
  value0: number;
}

/** Boolean gates on 0/1 floats, elementwise over the args; `maj` is 1 where more than half of the args are. */
export interface LogicParams {
  op: "and" | "or" | "xor" | "not" | "maj";
}

/** Entries of the last per-sample axis, in order: y = x[..., indices] (`x[2]`, `x[[0, 3]]`). */
export interface PickParams {
  indices: number[];
}

/** sum_i coefs[i] * args[i] + bias, elementwise over args of one shape: `2*a - b + 0.5`. */
export interface LinearParams {
  coefs: number[];
  bias: number;
}

/** A one-hot float vector of length n from an int index (argmax's result): 1 at the index, 0 elsewhere. */
export interface OnehotParams {
  n: number;
}

export type NoParams = Record<string, never>;

/** A tensor-level block of a sequence model (src/seq): attributes, weights by role, and for each arg the data
 *  slot it fills (optional inputs such as a mask or an initial state may be absent). */
export interface SeqParams {
  attrs: SeqAttrs;
  weights: Record<string, Weight>;
  slots: number[];
}

/** A finite state machine read from a recurrent net on the data (src/seq/fsm): per sample, the input's rows over
 *  time are symbols (the nearest alphabet row), state 0 is the initial state, state = next[state][symbol] (a
 *  transition the data never showed keeps the state) and y[t] = out[state]. The network it reads (impl) is what
 *  reconstructed.onnx runs; `show` opens it. */
export interface MachineParams {
  /** Per symbol, the input row it stands for (d values each). */
  alphabet: number[][];
  /** [states][symbols] next state; -1 where the data never showed the transition. */
  next: number[][];
  /** Per state, the decision (class) it emits; -1 for an initial state that emits nothing. */
  decisions: number[];
  /** [states, k]: the values emitted in each state (the network's mean output there on the analysis data). */
  out: Weight;
  /** The tables as formulas, when one fits. */
  formula?: MachineFormula;
  /** "last": the machine emits once, after the last step (y is [k]); by default at every step (y is [T, k]). */
  emit?: "last";
  /** States of the minimal machine (the initial state counted only when it behaves unlike every other). */
  minimalStates: number;
  /** Decisions that agree with the network's, on the analysis data and on held-out data. */
  agreement: { analysis: Agreement; heldOut: Agreement };
  /** The recurrent cell it was read from, e.g. "gru, hidden 8". */
  cell: string;
  /** The network itself (input: the machine's argument; first output: its result). */
  impl: { graph: Graph; opset: Map<string, number> };
}

/** The primitive kinds and their parameters. */
export type PrimOp =
  | { kind: "affine"; params: AffineParams }
  | { kind: "conv"; params: ConvParams }
  | { kind: "act"; params: ActSpec }
  | { kind: "maxpool" | "avgpool" | "global_maxpool" | "global_avgpool"; params: PoolParams }
  | { kind: "softmax" | "log_softmax"; params: AxisParams }
  | { kind: "argmax"; params: ArgmaxParams }
  | { kind: "reshape"; params: ReshapeParams }
  | { kind: "add"; params: NoParams }
  | { kind: "concat"; params: AxisParams }
  | { kind: "opaque"; params: OpaqueParams }
  | { kind: "max" | "min"; params: NoParams }
  | { kind: "sort"; params: SortParams }
  | { kind: "threshold"; params: ThresholdParams }
  | { kind: "logic"; params: LogicParams }
  | { kind: "piecewise"; params: PiecewiseParams }
  | { kind: SeqKind; params: SeqParams }
  | { kind: "pick"; params: PickParams }
  | { kind: "lincomb"; params: LinearParams }
  | { kind: "onehot"; params: OnehotParams }
  | { kind: "machine"; params: MachineParams };

export type PrimKind = PrimOp["kind"];

/** The part of the Net a primitive stands for: layers, the units used in each, and their weights. */
export interface NetSlice {
  /** Per layer, the unit indices used; null = every unit of the layer. `origin`, when present, names the lowered
   *  Net's units (`layer:unit`) these stand for, after simplify passes removed, merged or reordered units. */
  layers: { id: string; units: number[] | null; origin?: string[] }[];
  /** The weights that implement it (the same objects as the params' where they coincide). */
  weights: Weight[];
}

export type Primitive = PrimOp & {
  /** Unique in the program, e.g. "p3"; `show` accepts it as a path. */
  id: string;
  slice: NetSlice;
  /** Largest |difference| between this primitive and its slice on the analysis data; 0 when exact. */
  error: number;
  label?: string;
  description?: string;
};

export interface PrimStmt {
  kind: "prim";
  out: Var;
  args: string[];
  prim: Primitive;
  /** Shown after `#` in program.txt, e.g. "256 units". */
  comment?: string;
  /** What names leave out, added to them by the one statement `v = named + this` (module-absorb's `y_cross`):
   *  the budgeted mode may drop it within --tolerance (src/pipeline/residuals-pass.ts). Residual functions
   *  (`residual_k`) are marked by their name. */
  rest?: boolean;
}

export interface CallStmt {
  kind: "call";
  outs: Var[];
  args: string[];
  fn: string;
  /** The units of the Net this call stands for (one call of a repeated function: its own units). */
  slice?: NetSlice;
  comment?: string;
}

export type Stmt = PrimStmt | CallStmt;

export interface Fn {
  name: string;
  params: Var[];
  body: Stmt[];
  returns: string[];
  doc?: string;
}

/** A model input or output as the model declares it (per-sample shape; batch axis first at run time). */
export interface IOSpec {
  name: string;
  dtype: DType;
  shape: number[];
  batchDim: number | string | null;
}

export interface Program {
  /** Usually the model file's base name. */
  name: string;
  /** Model inputs, in order (a dim of -1 is free, e.g. a sequence length): the entry function's params take them in this order. */
  inputs: IOSpec[];
  /** Model outputs, in order: the entry function returns them in this order. */
  outputs: IOSpec[];
  /** Entry function first; every function appears after its first use. */
  functions: Fn[];
  entry: string;
  fidelity?: Fidelity;
  /** Sequence models: per attention head and MLP, what the analysis data shows (src/seq/analysis). */
  seqAnalysis?: SeqAnalysis;
  /** Recurrent nets: the state machines read from them on the data (src/seq/fsm), implemented or not. */
  machines?: MachineReport[];
  /** The module partition of the Net's hidden units (the modules pass, src/pipeline/modules-pass.ts). */
  modules?: ModuleInfo;
  /** Wide unnamed ReLU layers: groups of units that fire together (NMF on the data; src/recover/feature-groups.ts). */
  features?: FeatureAnalysis;
  /** explain --refine: the program describes a refined copy of the model (`fidelity` is measured against that copy);
   *  this is the program against the original, the cost of refining. */
  refined?: RefinedInfo;
  /** Residual functions the budgeted mode dropped (src/pipeline/residuals-pass.ts): each named value then stands
   *  alone, and what it left out is stated here with its measured cost. */
  droppedResiduals?: DroppedResidual[];
  /** What each budgeted step of explain spent of the one budget (src/pipeline/ledger.ts), measured against the original. */
  budget?: BudgetSpent;
}

/** The explain run's one budget and what each budgeted step spent of it: every step is accepted only when the whole
 *  Net or program after it stays within `limit` of the ORIGINAL Net's outputs on the same rows (and `boxLimit` on
 *  fresh points of the box), so the steps together never spend more than --tolerance. */
export interface BudgetSpent {
  /** --tolerance (absolute), and --min-agreement for classifiers. */
  tolerance: number;
  minAgreement?: number;
  /** --exact: the limit is rounding level and no step may spend anything above it. */
  exact: boolean;
  /** Max |program - original| allowed on the analysis rows (share x --tolerance), and on the box's fresh points. */
  limit: number;
  rows: number;
  boxLimit?: number;
  boxRows?: number;
  /** In order: the step, what it did, the whole result vs the original after it (analysis rows; box points), and
   *  what it added to the total before it. */
  steps: BudgetStep[];
}

/** One budgeted step's entry in the ledger. */
export interface BudgetStep {
  step: string;
  what: string;
  total: number;
  added: number;
  box?: number;
}

/** A residual r dropped from `value = named + r` because the program without it stays within --tolerance. */
export interface DroppedResidual {
  /** The function and value it was added to (`main`, `y`), and the residual function's name. */
  fn: string;
  value: string;
  residual: string;
  /** What the builder stated about r (max |r| on the analysis sample). */
  stated: string;
  /** Hidden units and non-zero weights the residual function held. */
  units: number;
  weights: number;
  /** Max |program - original| over every output once this and the earlier drops are made: on the analysis rows,
   *  and on a fresh sample of the box when the domain is a box. */
  cost: { analysis: number; rows: number; box?: number; boxRows?: number };
  /** What the drops may cost together (share x --tolerance, absolute). */
  budget: number;
}

/** What refining cost and bought (explain --refine). */
export interface RefinedInfo {
  /** The program vs the original, unrefined model on the same held-out rows as `fidelity`. */
  vsOriginal: Fidelity;
  objectives: string[];
  /** Non-zero weights of the original's Net and of the refined copy. */
  weightsBefore: number;
  weightsAfter: number;
}

/** A state machine read from one recurrent statement, with how well it agrees with the network. */
export interface MachineReport {
  /** The recurrent statement (its value name) it was read from. */
  stmt: string;
  cell: string;
  symbols: number;
  /** Clusters of hidden states tried last, states of the minimal machine. */
  clusters: number;
  /** Step agreement of each clustering tried (k = clusters), and of the accepted one before minimisation. */
  tried: string;
  extracted: number;
  minimalStates: number;
  agreement: { analysis: Agreement; heldOut: Agreement };
  /** The loop as program.txt prints it (formula or tables). */
  loop: string;
  /** True when the program runs the machine in place of the network (it agreed on every step of the data). */
  implemented: boolean;
  /** Why it is not the implementation, when it is not. */
  residual?: string;
}

/** Modules: which hidden units (of the Net as lowered) compute apart, and what treating them as apart costs. */
export interface ModuleInfo {
  modules: { name: string; units: string[]; statements: string[] }[];
  /** Output change on the analysis rows when the weights treated as absent (below 1% of their row) are cut:
   *  the program is y = f(a) + g(b) + r with this r. */
  residual: { maxAbsErr: number; relErr: number; weights: number };
  /** Normalised cut of the partition on the weight graph, beside weight-shuffled copies of the net. */
  ncut?: number;
  shuffled?: { mean: number; sd: number; copies: number };
}

/** The entry function; throws when the program lacks it. */
export function entryFn(p: Program): Fn {
  const f = p.functions.find((fn) => fn.name === p.entry);
  if (!f) throw new Error(`program has no entry function '${p.entry}'`);
  return f;
}

/** Rows per run for a model exported with a fixed batch (a numeric batch dim, often 1), else 0 (any number). */
export function fixedBatchOf(p: Program): number {
  return p.inputs.map((i) => i.batchDim).find((d): d is number => typeof d === "number" && d > 0) ?? 0;
}

/** The per-sample shape of a value type. */
export function shapeOfType(t: ValueType): number[] {
  switch (t.kind) {
    case "vec": case "bits": return [t.n];
    case "image": return [t.c, t.h, t.w];
    case "tensor": return [...t.shape];
  }
}

/** The natural value type for a per-sample shape and dtype: vec for 1-D floats, image for 3-D floats (when
 *  every dim is known; a run-time dim, -1, keeps it a tensor). */
export function typeOfShape(shape: readonly number[], dtype: DType = "float32"): ValueType {
  if (shape.some((d) => d < 0)) return { kind: "tensor", dtype, shape: [...shape] };
  if (dtype === "float32" && shape.length === 1) return { kind: "vec", n: shape[0] };
  if (dtype === "float32" && shape.length === 3) return { kind: "image", c: shape[0], h: shape[1], w: shape[2] };
  return { kind: "tensor", dtype, shape: [...shape] };
}

/** The dtype of values of a type. */
export function dtypeOfType(t: ValueType): DType {
  return t.kind === "tensor" ? t.dtype : "float32";
}

/** Every primitive statement of a program, with its function, in program order. */
export function allPrimStmts(p: Program): { fn: Fn; stmt: PrimStmt }[] {
  const out: { fn: Fn; stmt: PrimStmt }[] = [];
  for (const fn of p.functions) for (const s of fn.body) if (s.kind === "prim") out.push({ fn, stmt: s });
  return out;
}

/** Every distinct weight a program refers to (params and slices), by name. */
export function programWeights(p: Program): Map<string, Weight> {
  const ws = new Map<string, Weight>();
  const add = (w: Weight) => {
    const prev = ws.get(w.name);
    if (prev && prev !== w) throw new Error(`two different weights are both named '${w.name}'`);
    ws.set(w.name, w);
  };
  for (const { stmt } of allPrimStmts(p)) {
    paramWeights(stmt.prim).forEach(add);
    stmt.prim.slice.weights.forEach(add);
  }
  for (const f of p.functions) for (const s of f.body) if (s.kind === "call") s.slice?.weights.forEach(add);
  return ws;
}

/** How many numbers a program's weights hold, and how many of them are non-zero (pruning leaves zeros in dense tensors). */
export function weightCounts(p: Program): { tensors: number; entries: number; nonzero: number } {
  let entries = 0, nonzero = 0;
  const ws = programWeights(p);
  for (const w of ws.values()) {
    entries += w.data.length;
    for (let i = 0; i < w.data.length; i++) if (Number(w.data[i]) !== 0) nonzero++;
  }
  return { tensors: ws.size, entries, nonzero };
}

/** "57,744 non-zero weights (112,109 entries)", or "1,323 weights" when no entry is zero. */
export function weightCountText(c: { entries: number; nonzero: number }): string {
  const n = (v: number): string => v.toLocaleString("en-US");
  return c.nonzero === c.entries ? `${n(c.entries)} weights` : `${n(c.nonzero)} non-zero weights (${n(c.entries)} entries)`;
}

/** The weights held in a primitive's params. */
export function paramWeights(p: PrimOp): Weight[] {
  switch (p.kind) {
    case "affine": return [p.params.W, p.params.b];
    case "conv": return [p.params.weight, p.params.bias];
    case "threshold": return [p.params.c];
    case "machine": return [p.params.out];
    case "embed": case "layer_norm": case "gelu": case "linear": case "split_heads": case "merge_heads": case "attend": case "slice": case "lstm": case "gru": case "rnn": case "transpose": case "cast": case "zeros": case "positions": case "pointwise": case "unsqueeze": case "squeeze": case "add_const": case "concat_axis": case "mask_window": case "not":
      return Object.values(p.params.weights);
    default: return [];
  }
}
