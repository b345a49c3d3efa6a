// Shared machinery of the recurrent ops (RNN, GRU, LSTM): attributes, activation functions, layout and
// sequence-length handling, and the gate products on the shared gemm (float32 data: its wasm SIMD kernel).
import type { Dim, Node } from "../../graph/graph.ts";
import { OpError } from "../../errors.ts";
import { allocData, roundTo, type DType, type NumericArray, type Tensor } from "../../graph/tensor.ts";
import { attrFloat, attrFloats, attrInt, attrString, attrStrings, type OpCtx, type ShapeInfo } from "../op.ts";
import { gemm, type FloatArray } from "./gemm.ts";
import { need } from "./shaping.ts";

export type ActKind =
  | "relu" | "tanh" | "sigmoid" | "affine" | "leakyrelu" | "thresholdedrelu"
  | "scaledtanh" | "hardsigmoid" | "elu" | "softsign" | "softplus";

/** One activation function with its parameters. */
export interface Activation {
  kind: ActKind;
  alpha: number;
  beta: number;
}

/**
 * How many of activation_alpha / activation_beta each function consumes, and their defaults. The defaults are
 * onnxruntime's (0 where it has none, e.g. Affine, ThresholdedRelu, ScaledTanh), since it is the reference we match.
 */
const ACT_ARGS: Record<ActKind, { alphas: number; betas: number; alpha: number; beta: number }> = {
  relu: { alphas: 0, betas: 0, alpha: 0, beta: 0 },
  tanh: { alphas: 0, betas: 0, alpha: 0, beta: 0 },
  sigmoid: { alphas: 0, betas: 0, alpha: 0, beta: 0 },
  softsign: { alphas: 0, betas: 0, alpha: 0, beta: 0 },
  softplus: { alphas: 0, betas: 0, alpha: 0, beta: 0 },
  affine: { alphas: 1, betas: 1, alpha: 0, beta: 0 },
  leakyrelu: { alphas: 1, betas: 0, alpha: 0.01, beta: 0 },
  thresholdedrelu: { alphas: 1, betas: 0, alpha: 0, beta: 0 },
  scaledtanh: { alphas: 1, betas: 1, alpha: 0, beta: 0 },
  hardsigmoid: { alphas: 1, betas: 1, alpha: 0.2, beta: 0.5 },
  elu: { alphas: 1, betas: 0, alpha: 1, beta: 0 },
};

export type Direction = "forward" | "reverse" | "bidirectional";

/** Attributes every recurrent op shares. */
export interface RnnAttrs {
  direction: Direction;
  numDir: number;
  hidden: number;
  /** 0: X is [seq, batch, input]; 1: X is [batch, seq, input] (opset 14). */
  layout: number;
  /** Gate pre-activations are clipped to [-clip, clip] when set. */
  clip: number | undefined;
  /** Activation functions per direction: acts[d][k] is the k-th function of direction d. */
  acts: Activation[][];
}

/** Parse the shared attributes; `defaults` are the op's activation functions for one direction. */
export function rnnAttrs(ctx: OpCtx, defaults: ActKind[]): RnnAttrs {
  const node = ctx.node;
  const direction = attrString(node, "direction", "forward");
  if (direction !== "forward" && direction !== "reverse" && direction !== "bidirectional") {
    throw new OpError(node, `direction '${direction}' is not forward, reverse or bidirectional`);
  }
  const numDir = direction === "bidirectional" ? 2 : 1;
  const hidden = attrInt(node, "hidden_size");
  const layout = ctx.opset >= 14 ? attrInt(node, "layout", 0) : 0;
  if (layout !== 0 && layout !== 1) throw new OpError(node, `layout must be 0 or 1, got ${layout}`);
  const clip = attrFloat(node, "clip");
  if (clip !== undefined && !(clip > 0)) throw new OpError(node, `clip must be positive, got ${clip}`);
  const names = attrStrings(node, "activations");
  const per = defaults.length;
  const list: Activation[] = !names
    ? [...defaults, ...(numDir === 2 ? defaults : [])].map((kind) => ({ kind, ...defaultArgs(kind) }))
    : parseActivations(node, names, attrFloats(node, "activation_alpha", []), attrFloats(node, "activation_beta", []));
  // Like onnxruntime, a bidirectional node must list the functions of both directions.
  if (list.length !== per * numDir) {
    throw new OpError(node, `expected ${per * numDir} activations for ${direction} ${node.op} (${per} per direction), got ${list.length}`);
  }
  const acts = Array.from({ length: numDir }, (_, d) => list.slice(d * per, (d + 1) * per));
  return { direction, numDir, hidden: hidden ?? 0, layout, clip, acts };
}

function defaultArgs(kind: ActKind): { alpha: number; beta: number } {
  return { alpha: ACT_ARGS[kind].alpha, beta: ACT_ARGS[kind].beta };
}

/** Activation names (case-insensitive) with alphas/betas consumed in order by the functions that take them. */
export function parseActivations(node: Node, names: string[], alphas: number[], betas: number[]): Activation[] {
  let ai = 0;
  let bi = 0;
  return names.map((n) => {
    const kind = n.toLowerCase() as ActKind;
    const spec = ACT_ARGS[kind];
    if (!spec) throw new OpError(node, `activation '${n}' is not one of ${Object.keys(ACT_ARGS).join(", ")}`);
    const alpha = spec.alphas && ai < alphas.length ? alphas[ai++] : spec.alpha;
    const beta = spec.betas && bi < betas.length ? betas[bi++] : spec.beta;
    return { kind, alpha, beta };
  });
}

/** Clip (optionally) then apply an activation in place to buf[off .. off+n). */
export function activate(act: Activation, clip: number | undefined, buf: Float64Array, off: number, n: number): void {
  const end = off + n;
  if (clip !== undefined) {
    for (let i = off; i < end; i++) buf[i] = buf[i] < -clip ? -clip : buf[i] > clip ? clip : buf[i];
  }
  const { alpha: a, beta: b } = act;
  switch (act.kind) {
    case "sigmoid": for (let i = off; i < end; i++) buf[i] = 1 / (1 + Math.exp(-buf[i])); break;
    case "tanh": for (let i = off; i < end; i++) buf[i] = Math.tanh(buf[i]); break;
    case "relu": for (let i = off; i < end; i++) buf[i] = buf[i] > 0 ? buf[i] : 0; break;
    case "affine": for (let i = off; i < end; i++) buf[i] = a * buf[i] + b; break;
    case "leakyrelu": for (let i = off; i < end; i++) buf[i] = buf[i] < 0 ? a * buf[i] : buf[i]; break;
    case "thresholdedrelu": for (let i = off; i < end; i++) buf[i] = buf[i] > a ? buf[i] : 0; break;
    case "scaledtanh": for (let i = off; i < end; i++) buf[i] = a * Math.tanh(b * buf[i]); break;
    case "hardsigmoid": for (let i = off; i < end; i++) buf[i] = Math.max(0, Math.min(1, a * buf[i] + b)); break;
    case "elu": for (let i = off; i < end; i++) buf[i] = buf[i] < 0 ? a * (Math.exp(buf[i]) - 1) : buf[i]; break;
    case "softsign": for (let i = off; i < end; i++) buf[i] = buf[i] / (1 + Math.abs(buf[i])); break;
    case "softplus": for (let i = off; i < end; i++) buf[i] = Math.log1p(Math.exp(buf[i])); break;
  }
}

/**
 * The inputs of a recurrent op, checked, in [seq, batch, ...] order. X, W, R and B keep the input's float storage
 * (Float32Array for float32/float16), so their products run on the shared gemm's float32 SIMD kernel and gate
 * pre-activations are float32 sums, as in onnxruntime; the elementwise gate math and the states are float64.
 */
export interface RnnData {
  dtype: DType;
  seq: number;
  batch: number;
  inputSize: number;
  /** X as [seq, batch, input]. */
  x: FloatArray;
  /** W as [numDir, gates*hidden, input]. */
  w: FloatArray;
  /** R as [numDir, gates*hidden, hidden]. */
  r: FloatArray;
  /** B as [numDir, 2*gates*hidden] (zeros when absent). */
  b: FloatArray;
  /** Valid steps per batch entry. */
  lens: Int32Array;
  /** initial_h as [numDir, batch, hidden] (zeros when absent). */
  h0: Float64Array;
}

/** A tensor's values after checking its shape: float storage as it is (read only), other numbers as float64. */
function floats(node: Node, t: Tensor, shape: number[], what: string): FloatArray {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new OpError(node, `${what} has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`);
  }
  if (t.dtype === "string") throw new OpError(node, `${what} must be numeric`);
  return t.data instanceof Float32Array || t.data instanceof Float64Array ? t.data : Float64Array.from(t.data as NumericArray);
}

/** A float64 copy of a tensor's values, checking its shape (states and peepholes: updated or read in float64). */
export function f64(node: Node, t: Tensor, shape: number[], what: string): Float64Array {
  return Float64Array.from(floats(node, t, shape, what));
}

/** A zeroed array of n floats of the same storage as `like`. */
export function floatsLike(like: FloatArray, n: number): FloatArray {
  return like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/** Swap the first two axes of a [a, b, rest] array (layout 1 <-> layout 0). */
function swap01<T extends FloatArray>(src: T, a: number, b: number, rest: number): T {
  const out = floatsLike(src, src.length) as T;
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out.set(src.subarray((i * b + j) * rest, (i * b + j + 1) * rest), (j * a + i) * rest);
  return out;
}

/** Read X, W, R, B, sequence_lens and initial_h (inputs 0..5) for an op with `gates` gates. */
export function rnnData(ctx: OpCtx, at: RnnAttrs, inputs: (Tensor | undefined)[], gates: number): RnnData {
  const node = ctx.node;
  const xT = need(node, inputs, 0, "X");
  if (xT.shape.length !== 3) throw new OpError(node, `X must be 3-D, got [${xT.shape.join(", ")}]`);
  const [d0, d1, inputSize] = xT.shape;
  const [seq, batch] = at.layout === 0 ? [d0, d1] : [d1, d0];
  const wT = need(node, inputs, 1, "W");
  const H = at.hidden || wT.shape[1] / gates;
  if (!Number.isInteger(H) || H <= 0) throw new OpError(node, `cannot tell hidden_size from W [${wT.shape.join(", ")}]`);
  at.hidden = H;
  const G = gates * H;
  const D = at.numDir;
  let x = floats(node, xT, xT.shape, "X");
  if (at.layout === 1) x = swap01(x, batch, seq, inputSize);
  const w = floats(node, wT, [D, G, inputSize], "W");
  const r = floats(node, need(node, inputs, 2, "R"), [D, G, H], "R");
  const b = inputs[3] ? floats(node, inputs[3], [D, 2 * G], "B") : floatsLike(x, D * 2 * G);
  const lens = new Int32Array(batch).fill(seq);
  if (inputs[4]) {
    const l = f64(node, inputs[4], [batch], "sequence_lens");
    for (let i = 0; i < batch; i++) {
      if (l[i] < 0 || l[i] > seq) throw new OpError(node, `sequence_lens[${i}] = ${l[i]} is outside 0..${seq}`);
      lens[i] = l[i];
    }
  }
  const h0 = initialState(node, at, inputs[5], batch, "initial_h");
  return { dtype: xT.dtype, seq, batch, inputSize, x, w, r, b, lens, h0 };
}

/** An initial state input as [numDir, batch, hidden] (zeros when absent), whatever the layout. */
export function initialState(node: Node, at: RnnAttrs, t: Tensor | undefined, batch: number, what: string): Float64Array {
  const D = at.numDir;
  const H = at.hidden;
  if (!t) return new Float64Array(D * batch * H);
  if (at.layout === 0) return f64(node, t, [D, batch, H], what);
  return swap01(f64(node, t, [batch, D, H], what), batch, D, H);
}

/** The time index batch entry `b` reads at step `s` of direction `dir` (reverse runs within each sequence's length). */
export function timeIndex(reverse: boolean, s: number, len: number): number {
  return reverse ? len - 1 - s : s;
}

/** Whether direction d of the op runs backwards in time. */
export function isReverse(at: RnnAttrs, d: number): boolean {
  return at.direction === "reverse" || (at.direction === "bidirectional" && d === 1);
}

/** X·W^T + Wb + Rb for every (time, batch) row of one direction: [seq*batch, G] (the step-independent part of the gates). */
export function inputProjection(data: RnnData, d: number, G: number, addRb: (g: number) => boolean): FloatArray {
  const rows = data.seq * data.batch;
  const out = floatsLike(data.x, rows * G);
  const bias = new Float64Array(G);
  const bo = d * 2 * G;
  for (let g = 0; g < G; g++) bias[g] = data.b[bo + g] + (addRb(g) ? data.b[bo + G + g] : 0);
  gemm({ m: rows, n: G, k: data.inputSize, a: data.x, b: data.w, bOffset: d * G * data.inputSize, transB: true, c: out, colBias: bias });
  return out;
}

/** c[batch, n] (row stride ldc) = h · R[rOff..]^T: the recurrent term of n consecutive gate rows of R (each H wide). */
export function recurrentTerm(h: FloatArray, batch: number, H: number, r: FloatArray, rOff: number, n: number, c: FloatArray, ldc = n): void {
  gemm({ m: batch, n, k: H, a: h, b: r, bOffset: rOff, transB: true, c, ldc });
}

/** The op's outputs: Y and the final states, packed for the layout, as many as the node has (at least Y). */
export function rnnOutputs(ctx: OpCtx, at: RnnAttrs, data: RnnData, y: Float64Array, finals: Float64Array[]): Tensor[] {
  zeroEmpty(data, at, finals);
  return packOutputs(at, data, y, finals).slice(0, Math.max(1, ctx.node.outputs.length));
}

/** Zero the final states of batch entries with no steps: onnxruntime reports 0 there, not the initial state. */
function zeroEmpty(data: RnnData, at: RnnAttrs, finals: Float64Array[]): void {
  const H = at.hidden;
  for (let b = 0; b < data.batch; b++) {
    if (data.lens[b] !== 0) continue;
    for (const f of finals) for (let d = 0; d < at.numDir; d++) f.fill(0, (d * data.batch + b) * H, (d * data.batch + b + 1) * H);
  }
}

/** Output tensors Y [seq, D, batch, H] and the final states [D, batch, H], laid out for `layout`, in the input dtype. */
function packOutputs(at: RnnAttrs, data: RnnData, y: Float64Array, finals: Float64Array[]): Tensor[] {
  const { seq, batch, dtype } = data;
  const D = at.numDir;
  const H = at.hidden;
  const mk = (shape: number[], src: Float64Array): Tensor => {
    const out = allocData(dtype, src.length) as NumericArray;
    out.set(src);
    roundTo(dtype, out);
    return { dtype, shape, data: out };
  };
  if (at.layout === 0) return [mk([seq, D, batch, H], y), ...finals.map((f) => mk([D, batch, H], f))];
  // layout 1: Y [batch, seq, D, H], states [batch, D, H].
  const yb = new Float64Array(y.length);
  for (let t = 0; t < seq; t++) {
    for (let d = 0; d < D; d++) {
      for (let b = 0; b < batch; b++) {
        yb.set(y.subarray(((t * D + d) * batch + b) * H, ((t * D + d) * batch + b + 1) * H), ((b * seq + t) * D + d) * H);
      }
    }
  }
  return [mk([batch, seq, D, H], yb), ...finals.map((f) => mk([batch, D, H], swap01(f, D, batch, H)))];
}

/** Shape rule shared by the recurrent ops: Y and `states` final-state outputs from X's dims. */
export function rnnShapes(ctx: OpCtx, inputs: (ShapeInfo | undefined)[], gates: number, states: number): ShapeInfo[] {
  const node = ctx.node;
  const x = need(node, inputs, 0, "X");
  const direction = attrString(node, "direction", "forward");
  const D = direction === "bidirectional" ? 2 : 1;
  const layout = ctx.opset >= 14 ? attrInt(node, "layout", 0) : 0;
  const wDims = inputs[1]?.shape;
  const wH = wDims && typeof wDims[1] === "number" ? wDims[1] / gates : null;
  const H: Dim = attrInt(node, "hidden_size") ?? wH;
  const [seq, batch]: Dim[] = x.shape ? (layout === 0 ? [x.shape[0], x.shape[1]] : [x.shape[1], x.shape[0]]) : [null, null];
  const y: Dim[] = layout === 0 ? [seq, D, batch, H] : [batch, seq, D, H];
  const st: Dim[] = layout === 0 ? [D, batch, H] : [batch, D, H];
  const outs: ShapeInfo[] = [{ dtype: x.dtype, shape: y }];
  for (let i = 0; i < states; i++) outs.push({ dtype: x.dtype, shape: [...st] });
  return outs.slice(0, Math.max(1, node.outputs.length));
}
