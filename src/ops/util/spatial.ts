// Window geometry shared by Conv, ConvTranspose, ConvInteger, the pools and MaxUnpool: reading
// kernel/stride/pad/dilation attributes, resolving auto_pad, output sizes (numeric and symbolic), and
// a "3-D normalised" plan that kernels use so one loop nest serves 1-D, 2-D and 3-D inputs.
import type { Dim, Node } from "../../graph/graph.ts";
import { OpError } from "../../errors.ts";
import { attrInt, attrInts, attrString } from "../op.ts";

export type AutoPad = "NOTSET" | "SAME_UPPER" | "SAME_LOWER" | "VALID";

/** Window attributes for n spatial axes, validated. pads: [begin_0..begin_n-1, end_0..end_n-1]. */
export interface WindowAttrs {
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
  autoPad: AutoPad;
  /** Pools only: round the output size up (windows starting in the end padding are dropped). */
  ceilMode: boolean;
}

/** Per axis: padding actually applied and the output size. */
export interface AxisPlan {
  padBegin: number;
  padEnd: number;
  out: number;
}

/** Kernels work on at most this many spatial axes (the loop nests are 3-D). */
export const MAX_SPATIAL = 3;

/** Read and check window attributes; kernel_shape falls back to `kernelFromWeights` (Conv infers it from W). */
export function readWindow(node: Node, nSpatial: number, kernelFromWeights?: readonly number[]): WindowAttrs {
  const kernel = attrInts(node, "kernel_shape") ?? (kernelFromWeights ? [...kernelFromWeights] : undefined);
  if (!kernel) throw new OpError(node, "attribute 'kernel_shape' is required");
  const len = (name: string, v: number[], n: number) => {
    if (v.length !== n) throw new OpError(node, `attribute '${name}' has ${v.length} values, expected ${n} for ${nSpatial} spatial axes`);
    return v;
  };
  len("kernel_shape", kernel, nSpatial);
  if (kernelFromWeights && kernel.some((k, i) => k !== kernelFromWeights[i])) {
    throw new OpError(node, `kernel_shape [${kernel.join(", ")}] disagrees with the weight's spatial shape [${kernelFromWeights.join(", ")}]`);
  }
  const strides = len("strides", attrInts(node, "strides") ?? new Array<number>(nSpatial).fill(1), nSpatial);
  const dilations = len("dilations", attrInts(node, "dilations") ?? new Array<number>(nSpatial).fill(1), nSpatial);
  const pads = len("pads", attrInts(node, "pads") ?? new Array<number>(2 * nSpatial).fill(0), 2 * nSpatial);
  const raw = attrString(node, "auto_pad", "NOTSET");
  // Some exporters write an empty string for NOTSET.
  const autoPad = (raw === "" ? "NOTSET" : raw) as AutoPad;
  if (!["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"].includes(autoPad)) {
    throw new OpError(node, `auto_pad '${raw}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  }
  const positive = (name: string, v: number[]) => {
    if (v.some((x) => !Number.isInteger(x) || x < 1)) throw new OpError(node, `attribute '${name}' must be positive integers, got [${v.join(", ")}]`);
  };
  positive("kernel_shape", kernel);
  positive("strides", strides);
  positive("dilations", dilations);
  if (pads.some((p) => !Number.isInteger(p) || p < 0)) throw new OpError(node, `attribute 'pads' must be non-negative integers, got [${pads.join(", ")}]`);
  return { kernel, strides, dilations, pads, autoPad, ceilMode: attrInt(node, "ceil_mode", 0) !== 0 };
}

/** The plan of one axis of a forward window op (Conv, pools) over an input of size `inSize`. */
export function planAxis(w: WindowAttrs, axis: number, inSize: number): AxisPlan {
  const k = w.kernel[axis], s = w.strides[axis], d = w.dilations[axis];
  const dk = (k - 1) * d + 1;
  let padBegin = w.pads[axis], padEnd = w.pads[axis + w.kernel.length];
  if (w.autoPad === "VALID") padBegin = padEnd = 0;
  else if (w.autoPad !== "NOTSET") {
    // onnxruntime's rule: output ceil(in / stride); odd padding goes to the end (UPPER) or the start (LOWER).
    // C++ integer division truncates, which matters when the needed padding is negative (stride > kernel).
    const target = Math.ceil(inSize / s);
    const needed = (target - 1) * s + dk - inSize;
    padBegin = w.autoPad === "SAME_LOWER" ? Math.trunc((needed + 1) / 2) : Math.trunc(needed / 2);
    padEnd = needed - padBegin;
  }
  const span = inSize + padBegin + padEnd - dk;
  let out = (w.ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // With ceil_mode a last window that would start in the end padding is dropped.
  if (w.ceilMode && (out - 1) * s >= inSize + padBegin) out--;
  return { padBegin, padEnd, out };
}

/** planAxis, throwing when the (padded) input is smaller than the window. */
export function checkedPlan(node: Node, w: WindowAttrs, axis: number, inSize: number): AxisPlan {
  const p = planAxis(w, axis, inSize);
  if (p.out < 1) {
    const dk = (w.kernel[axis] - 1) * w.dilations[axis] + 1;
    throw new OpError(node, `spatial axis ${axis} has size ${inSize} (padded ${inSize + p.padBegin + p.padEnd}), smaller than the window ${dk}`);
  }
  return p;
}

/** Plans for every spatial axis; throws when the (padded) input is smaller than the window. */
export function planAxes(node: Node, w: WindowAttrs, spatial: readonly number[]): AxisPlan[] {
  return spatial.map((n, i) => checkedPlan(node, w, i, n));
}

/** Output dims for a shape rule: exact when the input dim is known, the same symbol when the axis maps onto itself. */
export function outDims(node: Node, w: WindowAttrs, spatial: readonly Dim[]): Dim[] {
  return spatial.map((d, i) => {
    if (typeof d === "number") return checkedPlan(node, w, i, d).out;
    // A symbolic axis keeps its name when the window preserves the size: stride 1 and "same" padding.
    const dk = (w.kernel[i] - 1) * w.dilations[i] + 1;
    const n = w.kernel.length;
    const same = w.autoPad === "SAME_UPPER" || w.autoPad === "SAME_LOWER" || (w.autoPad === "NOTSET" && w.pads[i] + w.pads[i + n] === dk - 1);
    return w.strides[i] === 1 && same && !w.ceilMode ? d : null;
  });
}

/** A window op's geometry in 3-D form: leading axes of size 1 pad 1-D and 2-D inputs, so one loop nest serves all. */
export interface Geom3 {
  /** Input spatial sizes [D, H, W]. */
  in: [number, number, number];
  out: [number, number, number];
  kernel: [number, number, number];
  strides: [number, number, number];
  dilations: [number, number, number];
  padBegin: [number, number, number];
  padEnd: [number, number, number];
}

/** Build the 3-D form from per-axis values (1 to 3 spatial axes). */
export function geom3(node: Node, inSizes: readonly number[], plans: readonly AxisPlan[], w: WindowAttrs): Geom3 {
  const n = inSizes.length;
  if (n < 1 || n > MAX_SPATIAL) throw new OpError(node, `${n} spatial axes: kernels support 1 to ${MAX_SPATIAL}`);
  const lift = (v: readonly number[], fill: number): [number, number, number] => {
    const r = [...new Array<number>(MAX_SPATIAL - n).fill(fill), ...v];
    return [r[0], r[1], r[2]];
  };
  return {
    in: lift(inSizes, 1),
    out: lift(plans.map((p) => p.out), 1),
    kernel: lift(w.kernel, 1),
    strides: lift(w.strides, 1),
    dilations: lift(w.dilations, 1),
    padBegin: lift(plans.map((p) => p.padBegin), 0),
    padEnd: lift(plans.map((p) => p.padEnd), 0),
  };
}

/** Taps t in [lo, hi) of a window at output index o whose input position o*s - pad + t*d lies in [from, to). */
export function tapRange(o: number, s: number, pad: number, d: number, k: number, from: number, to: number): [number, number] {
  const start = o * s - pad;
  const lo = start >= from ? 0 : Math.ceil((from - start) / d);
  const hi = start >= to ? 0 : Math.min(k, Math.floor((to - 1 - start) / d) + 1);
  return [Math.min(lo, k), Math.max(hi, Math.min(lo, k))];
}

/** Two dims that must agree: false only when both are known and differ. */
export function dimsAgree(a: Dim, b: Dim): boolean {
  return typeof a !== "number" || typeof b !== "number" || a === b;
}

/** Format a possibly symbolic shape for messages. */
export function fmtShape(shape: readonly Dim[] | null): string {
  return shape ? `[${shape.map((d) => d ?? "?").join(", ")}]` : "(unknown shape)";
}
