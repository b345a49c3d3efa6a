// Shared machinery of the elementwise family: dtype groups, input checks, broadcast iteration in
// contiguous runs, and factories that turn an op's inner loop into a full Op (checks, shape rule, folding).
//
// Why runs: a kernel called once per element through a shared loop is megamorphic in V8 (about 6x slower
// than a direct loop). Instead each op file writes its own inner loop over one contiguous run, and the
// helpers here call it once per run; same-shape and scalar operands are a single run.
import type { Dim, Node } from "../../graph/graph.ts";
import { allocData, roundTo, shapeStr, sizeOf, stridesOf } from "../../graph/tensor.ts";
import type { DType, NumericArray, NumTensor, Tensor } from "../../graph/tensor.ts";
import { OpError } from "../../errors.ts";
import { attrInt, type Op, type OpCtx, type ShapeInfo } from "../op.ts";
import { broadcastDims, broadcastShapes } from "./broadcast.ts";

export const FLOATS: readonly DType[] = ["float32", "float64", "float16"];
export const SIGNED_INTS: readonly DType[] = ["int8", "int16", "int32", "int64"];
export const UNSIGNED_INTS: readonly DType[] = ["uint8", "uint16", "uint32", "uint64"];
export const INTS: readonly DType[] = [...SIGNED_INTS, ...UNSIGNED_INTS];
export const NUMERIC: readonly DType[] = [...FLOATS, ...INTS];
export const SIGNED: readonly DType[] = [...FLOATS, ...SIGNED_INTS];
export const BOOL: readonly DType[] = ["bool"];

/** Fail with an OpError unless the dtype is one the op accepts. */
export function checkType(node: Node, dtype: DType, allowed: readonly DType[], what = "input"): void {
  if (!allowed.includes(dtype)) {
    throw new OpError(node, `${what} has type ${dtype}; this op accepts ${allowed.join(", ")}`);
  }
}

/** The input at position i, failing with an OpError when a required input is absent. */
export function required<T>(node: Node, inputs: readonly (T | undefined)[], i: number): T {
  const v = inputs[i];
  if (v === undefined) throw new OpError(node, `required input ${i} is missing`);
  return v;
}

/** A required numeric input of an accepted dtype. */
export function numInput(node: Node, inputs: readonly (Tensor | undefined)[], i: number, allowed: readonly DType[]): NumTensor {
  const t = required(node, inputs, i);
  checkType(node, t.dtype, allowed, `input ${i}`);
  return t as NumTensor;
}

/** Smallest and largest value a dtype holds (floats: infinities); used for Clip defaults and empty reductions. */
export function typeRange(dtype: DType): [number, number] {
  switch (dtype) {
    case "int8": return [-128, 127];
    case "int16": return [-32768, 32767];
    case "int32": return [-2147483648, 2147483647];
    case "int64": return [-(2 ** 63), 2 ** 63];
    case "bool": return [0, 1];
    case "uint8": return [0, 255];
    case "uint16": return [0, 65535];
    case "uint32": return [0, 4294967295];
    case "uint64": return [0, 2 ** 64];
    default: return [-Infinity, Infinity];
  }
}

/** Round float16 results to half precision, and clear int64's -0 (Float64Array storage keeps the sign of 0 * -1). */
export function finish(dtype: DType, data: NumericArray): void {
  if (dtype === "float16") roundTo(dtype, data);
  else if (dtype === "int64") for (let i = 0; i < data.length; i++) data[i] += 0;
}

/** How to walk an output shape in contiguous runs, with each operand's offset per run. */
export interface RunPlan {
  /** Output element count. */
  size: number;
  /** Length of every innermost run. */
  inner: number;
  /** Per operand: its step along a run (1, or 0 when it is broadcast along it). */
  steps: number[];
  /** Outer dims after merging, outermost first. */
  outer: number[];
  /** Per operand, its stride along each outer dim (0 when broadcast). */
  strides: number[][];
}

/** Plan the runs for operands of the given shapes broadcast to outShape (shapes must be compatible). */
export function planRuns(outShape: readonly number[], inShapes: readonly (readonly number[])[]): RunPlan {
  const rank = outShape.length;
  const per = inShapes.map((s) => {
    const st = stridesOf(s);
    const full = new Array<number>(rank).fill(0);
    for (let i = 0; i < s.length; i++) full[rank - s.length + i] = s[i] === 1 ? 0 : st[i];
    return full;
  });
  // Merge dim i into its inner neighbour when every operand walks both as one contiguous (or broadcast) dim.
  const dims: number[] = [];
  const strides: number[][] = inShapes.map(() => []);
  for (let d = 0; d < rank; d++) {
    if (outShape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && per.every((s, k) => strides[k][last] === s[d] * outShape[d])) {
      dims[last] *= outShape[d];
      per.forEach((s, k) => (strides[k][last] = s[d]));
    } else {
      dims.push(outShape[d]);
      per.forEach((s, k) => strides[k].push(s[d]));
    }
  }
  const inner = dims.length ? dims[dims.length - 1] : 1;
  return {
    size: sizeOf(outShape),
    inner,
    steps: strides.map((s) => (s.length ? s[s.length - 1] : 0)),
    outer: dims.slice(0, -1),
    strides: strides.map((s) => s.slice(0, -1)),
  };
}

/** Call visit(offsets, outOffset) once per run; `offsets` (one per operand) is reused between calls. */
export function forEachRun(plan: RunPlan, visit: (offsets: number[], outOff: number) => void): void {
  if (plan.size === 0) return;
  const k = plan.steps.length;
  const offs = new Array<number>(k).fill(0);
  const r = plan.outer.length;
  const counter = new Array<number>(r).fill(0);
  for (let o = 0; o < plan.size; o += plan.inner) {
    visit(offs, o);
    for (let a = r - 1; a >= 0; a--) {
      counter[a]++;
      for (let j = 0; j < k; j++) offs[j] += plan.strides[j][a];
      if (counter[a] < plan.outer[a]) break;
      for (let j = 0; j < k; j++) offs[j] -= plan.strides[j][a] * counter[a];
      counter[a] = 0;
    }
  }
}

/** An op's inner loop over one run: out[oo+i] = f(a[ao+i*as], b[bo+i*bs]) for i < n. */
export type BinaryRun = (
  a: NumericArray, ao: number, as: number,
  b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
) => void;

/** Apply a binary run kernel over two broadcast operands into out (of outShape). */
export function applyBinary(
  outShape: readonly number[], a: NumericArray, aShape: readonly number[],
  b: NumericArray, bShape: readonly number[], out: NumericArray, run: BinaryRun,
): void {
  const plan = planRuns(outShape, [aShape, bShape]);
  const [as, bs] = plan.steps;
  const n = plan.inner;
  forEachRun(plan, (offs, oo) => run(a, offs[0], as, b, offs[1], bs, out, oo, n));
}

/** Opset < 7 `broadcast=1, axis=k`: B's dims line up with A's from axis k, so pad B with trailing 1s. */
export function legacyAlign<D extends Dim>(ctx: OpCtx, aRank: number, bShape: readonly D[]): D[] {
  const axis = attrInt(ctx.node, "axis");
  if (ctx.opset >= 7 || axis === undefined || attrInt(ctx.node, "broadcast", 0) !== 1) return [...bShape];
  const start = axis < 0 ? axis + aRank : axis;
  const pad = aRank - start - bShape.length;
  if (start < 0 || pad < 0) throw new OpError(ctx.node, `legacy broadcast axis ${axis} does not fit ranks ${aRank} and ${bShape.length}`);
  return [...bShape, ...new Array<D>(pad).fill(1 as D)];
}

/** Broadcast concrete shapes or throw an OpError naming them. */
export function broadcastOrThrow(node: Node, ...shapes: readonly (readonly number[])[]): number[] {
  const out = broadcastShapes(...shapes);
  if (!out) throw new OpError(node, `input shapes ${shapes.map(shapeStr).join(" and ")} cannot be broadcast together`);
  return out;
}

/** Broadcast possibly symbolic shapes (null when a rank is unknown) or throw an OpError when known dims clash. */
export function broadcastInfo(node: Node, ...shapes: readonly (Dim[] | null)[]): Dim[] | null {
  if (shapes.some((s) => s === null)) return null;
  const out = broadcastDims(...(shapes as Dim[][]));
  if (!out) throw new OpError(node, `input shapes ${shapes.map((s) => shapeStr(s!)).join(" and ")} cannot be broadcast together`);
  return out;
}

/** Values larger than this are not folded during shape inference: folding is for shape arithmetic. */
const FOLD_LIMIT = 1024;

/** Wrap an op so its shape rule also computes the value when every input is a small known constant. */
export function foldable(op: Op): Op {
  return {
    ...op,
    shape(infos, ctx) {
      const out = op.shape(infos, ctx);
      const present = infos.filter((i): i is ShapeInfo => i !== undefined);
      const small = present.every((i) => i.value !== undefined && sizeOf(i.value.shape) <= FOLD_LIMIT);
      if (!small || out.some((o) => o.shape === null || o.shape.some((d) => typeof d !== "number"))) return out;
      if (out.some((o) => sizeOf(o.shape as number[]) > FOLD_LIMIT)) return out;
      const values = op.run(infos.map((i) => i?.value), ctx);
      return out.map((o, k) => (values[k] ? { ...o, value: values[k] } : o));
    },
  };
}

/** What binaryOp needs to know about an op beyond its inner loop. */
export interface BinarySpec {
  name: string;
  /** Accepted dtypes of the first input (and of the second unless `exponentTypes` is given). */
  types: readonly DType[];
  /** Pow lets the second input have its own type. */
  exponentTypes?: readonly DType[];
  /** Comparisons and logic produce bool; arithmetic keeps the first input's dtype. */
  bool?: boolean;
  /** The inner loop for the inputs' dtypes (integer Div truncates, int32 Mul wraps, ...) and attributes (Mod's fmod). */
  kernel(dtype: DType, bDtype: DType, ctx: OpCtx): BinaryRun;
}

/** Build a two-input broadcasting Op from its spec. */
export function binaryOp(spec: BinarySpec): Op {
  const bTypes = spec.exponentTypes ?? spec.types;
  const checkPair = (node: Node, a: DType, b: DType) => {
    checkType(node, a, spec.types, "input 0");
    checkType(node, b, bTypes, "input 1");
    if (!spec.exponentTypes && a !== b) throw new OpError(node, `inputs have different types ${a} and ${b}`);
  };
  return foldable({
    name: spec.name,
    shape(infos, ctx) {
      const a = required(ctx.node, infos, 0);
      const b = required(ctx.node, infos, 1);
      checkPair(ctx.node, a.dtype, b.dtype);
      const bShape = b.shape && a.shape ? legacyAlign(ctx, a.shape.length, b.shape) : b.shape;
      return [{ dtype: spec.bool ? "bool" : a.dtype, shape: broadcastInfo(ctx.node, a.shape, bShape) }];
    },
    run(inputs, ctx) {
      const a = required(ctx.node, inputs, 0);
      const b = required(ctx.node, inputs, 1);
      checkPair(ctx.node, a.dtype, b.dtype);
      const bShape = legacyAlign(ctx, a.shape.length, b.shape);
      const shape = broadcastOrThrow(ctx.node, a.shape, bShape);
      const dtype: DType = spec.bool ? "bool" : a.dtype;
      const out = allocData(dtype, sizeOf(shape)) as NumericArray;
      const run = spec.kernel(a.dtype, b.dtype, ctx);
      applyBinary(shape, (a as NumTensor).data, a.shape, (b as NumTensor).data, bShape, out, run);
      finish(dtype, out);
      return [{ dtype, shape, data: out }];
    },
  });
}

/** An op's inner loop over a whole tensor: y[i] = f(x[i]) for i < x.length (x's dtype is `dtype`). */
export type UnaryRun<A> = (x: NumericArray, y: NumericArray, attrs: A, dtype: DType) => void;

/** What unaryOp needs to know about an op beyond its inner loop. */
export interface UnarySpec<A> {
  name: string;
  types: readonly DType[];
  /** Read and check the op's attributes once per call. */
  attrs(ctx: OpCtx): A;
  kernel: UnaryRun<A>;
  /** The output is a bool tensor (a predicate: IsNaN, IsInf) rather than one of the input's dtype. */
  bool?: boolean;
}

/** Build a one-input Op from its spec; the output has the input's shape, and its dtype unless spec.bool. */
export function unaryOp<A>(spec: UnarySpec<A>): Op {
  return foldable({
    name: spec.name,
    shape(infos, ctx) {
      const x = required(ctx.node, infos, 0);
      checkType(ctx.node, x.dtype, spec.types, "input 0");
      spec.attrs(ctx);
      return [{ dtype: spec.bool ? "bool" : x.dtype, shape: x.shape }];
    },
    run(inputs, ctx) {
      const x = numInput(ctx.node, inputs, 0, spec.types);
      const dtype: DType = spec.bool ? "bool" : x.dtype;
      const y = allocData(dtype, x.data.length) as NumericArray;
      spec.kernel(x.data, y, spec.attrs(ctx), x.dtype);
      finish(dtype, y);
      return [{ dtype, shape: [...x.shape], data: y }];
    },
  });
}

/** Attributes of ops that have none. */
export const noAttrs = (): null => null;
